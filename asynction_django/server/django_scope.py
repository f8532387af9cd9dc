"""The Django session and user of a Socket.IO connection, loaded once, at its handshake.

Channels' ``AuthMiddlewareStack`` resolves them for every ASGI call and wraps ``send`` to
save the session, so on a WebSocket its session object is consulted for every packet the
server sends. A Socket.IO connection needs them once: python-engineio keeps the
handshake's scope for the connection's life (handlers read it through
``get_connection(sid).user``/``.session`` and ``scope["user"]``), so only requests that
open a connection (no ``sid`` yet) load them, and nothing wraps ``send``.

A session a handler changes is saved after that handler returns
(:func:`save_django_session`; python-socketio's own ``save_session`` is another thing, its
per-connection dict). The user is the one who connected; a logout, a deactivation or an
expiry ends the connection (:mod:`asynction_django.revocation`). The cookies are read
as the security schemes read them (:func:`~asynction_django.credentials.cookies_of`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from channels.auth import get_user
from channels.db import database_sync_to_async
from django.apps import apps
from django.conf import settings

from ..credentials import cookies_of

Scope = dict[str, Any]


def _opens_a_connection(scope: Scope) -> bool:
    """A handshake: Engine.IO requests of an existing connection carry its ``sid``."""
    return not any(part.startswith(b"sid=")
                   for part in scope.get("query_string", b"").split(b"&"))


class ConnectionScopeMiddleware:
    """Puts ``cookies``, ``session`` and ``user`` in the scope of requests that open a
    Socket.IO connection, as Channels' ``AuthMiddlewareStack`` would, once."""

    def __init__(self, inner: Any):
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and _opens_a_connection(scope):
            scope = await self.resolve(scope)
        await self.inner(scope, receive, send)

    async def resolve(self, scope: Scope) -> Scope:
        scope = {**scope, "cookies": cookies_of(scope)}
        if "session" not in scope and apps.is_installed("django.contrib.sessions"):
            store = import_module(settings.SESSION_ENGINE).SessionStore
            scope["session"] = store(scope["cookies"].get(settings.SESSION_COOKIE_NAME))
        if "user" not in scope and "session" in scope and apps.is_installed(
                "django.contrib.auth"):
            scope["user"] = await get_user(scope)
        return scope


async def save_django_session(session: Any) -> None:
    """Save a session a handler changed (``session.modified``), as Django does per request."""
    await database_sync_to_async(session.save)()
    session.modified = False
