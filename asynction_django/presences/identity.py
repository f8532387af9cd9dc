"""Who a connection is to presence: its Django user, or itself when it is anonymous.

A signed-in user is one member however many connections (tabs, devices) it has, so the
room sees it come once and go once. An anonymous connection is a member of its own, under
a random key: its sid, which addresses emits to it, is never shown to the room. What the
room sees of a member (its info) is the user's pk and username, or what the namespace's
info function returns, checked here once per connection.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from ..handlers import Handler
from ..logs import presence_logger as logger
from .records import MAX_INFO_BYTES


@dataclass(frozen=True)
class Identity:
    """A connection's member key and the info shown for it (JSON text)."""

    member: str
    info: str


def default_info(user: Any) -> dict[str, Any]:
    """``{"id": pk, "username": ...}`` for a signed-in user; ``{}`` for an anonymous one."""
    if not getattr(user, "is_authenticated", False):
        return {}
    pk = user.pk if isinstance(user.pk, (int, str)) else str(user.pk)
    return {"id": pk, "username": user.get_username()}


def member_key(user: Any) -> str:
    if getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return f"anon:{secrets.token_urlsafe(9)}"


def encoded(info: Any) -> str | None:
    """``info`` as compact JSON, if it is a JSON object of at most MAX_INFO_BYTES."""
    if not isinstance(info, dict):
        return None
    try:
        text = json.dumps(info, separators=(",", ":"), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return text if len(text.encode()) <= MAX_INFO_BYTES else None


async def identify(connection: Any, info_function: Handler | None) -> Identity | None:
    """The identity of ``connection`` (a :class:`~asynction_django.Connection`); None when
    the info function leaves it out of presence."""
    user = connection.user
    member = member_key(user)
    fallback = encoded(default_info(user)) or "{}"
    if info_function is None:
        return Identity(member, fallback)
    try:
        info = await info_function(connection)
    except Exception:  # noqa: BLE001 - the user's function: logged, the default shown
        logger.exception("presence info function %s raised; the default info is shown",
                         info_function.path)
        return Identity(member, fallback)
    if info is None:
        return None
    text = encoded(info)
    if text is None:
        logger.error("presence info function %s returned %s, not a JSON object of at most "
                     "%d bytes; the default info is shown", info_function.path,
                     type(info).__name__, MAX_INFO_BYTES)
        return Identity(member, fallback)
    return Identity(member, text)
