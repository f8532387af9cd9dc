"""Whose bucket an event is charged to, and which limit the bucket counts for.

A bucket's key is ``<by>:<who>:<rule>``: ``by`` and ``who`` are read from the connection
for every event (the Django user's pk, the client's address, or the connection's sid), and
``<rule>`` names, once, at start-up, where the limit was declared (an event, a namespace, the
default) and what it says. A rule changed by a deploy therefore starts with fresh buckets,
and an operator can find one client's buckets in Redis (``SCAN … MATCH *:user:42:*``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .rules import RateLimit

OWN = "connection:"  # the keys of a connection's own buckets begin with this


def rule_id(where: str, namespace: str, event: str | None, index: int,
            limit: RateLimit) -> str:
    """A short, stable name for one declared limit (16 hex digits)."""
    named = json.dumps([where, namespace, event, index, limit.limit, limit.period_us,
                        limit.by])
    return hashlib.sha256(named.encode()).hexdigest()[:16]


def who(by: str, sid: str, environ: Mapping[str, Any] | None) -> str:
    """``<by>:<who>``: the Django user's pk or the client's address, as the limit says;
    the connection itself for ``connection``, for an anonymous user (a user limit shared
    by everyone not logged in would let one of them starve the others) and when there is
    no address (a server on a Unix socket)."""
    scope = (environ or {}).get("asgi.scope") or {}
    if by == "user":
        user = scope.get("user")
        if user is not None and getattr(user, "is_authenticated", False):
            return f"user:{user.pk}"
    elif by == "ip":
        client = scope.get("client")
        if isinstance(client, (list, tuple)) and client and client[0]:
            return f"ip:{client[0]}"
    return f"{OWN}{sid}"
