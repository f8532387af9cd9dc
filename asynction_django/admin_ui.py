"""The Socket.IO Admin UI, behind Django's authentication (``ASYNCTION_ADMIN_UI``).

python-socketio's instrumentation (``AsyncServer.instrument``) reports connections, rooms
and events to an admin namespace, outside the spec; the official Admin UI front-end,
vendored under ``static/asynction_django/vendor/admin-ui/``, is served by
:func:`.admin_ui_views.page`
and connects to it by itself. Both are for the users the setting names (staff by
default): the page checks the request's user, the namespace the Django user of the
connection's handshake. python-socketio's own credentials (a username and password in
the CONNECT auth) are not used.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

from channels.db import database_sync_to_async
from django.core.exceptions import ImproperlyConfigured
from socketio.async_admin import InstrumentedAsyncServer

from . import engine
from .admin_ui_settings import LEVELS, OPTIONS, AdminUI
from .conf import get_settings
from .exceptions import AsynctionError
from .server import AsynctionServer

REDACTED = "<redacted>"
ALWAYS_REDACTED = frozenset({"cookie", "authorization", "proxy_authorization"})
logger = logging.getLogger("asynction_django.admin_ui")


def admin_ui_options(value: Any = None) -> AdminUI | None:
    """The Admin UI's options, or None when it is off (the default)."""
    value = get_settings().ADMIN_UI if value is None else value
    if value is True:
        return AdminUI()
    if not isinstance(value, dict) or not value.get("enabled", True):
        return None
    return AdminUI(**{name: value[name] for name in OPTIONS if name in value})


def permitted(user: Any, options: AdminUI) -> bool:
    """Whether ``user`` may see the Admin UI (``has_perm`` may query the database)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if options.permission == "staff":
        return bool(user.is_staff)
    if options.permission == "superuser":
        return bool(user.is_superuser)
    return bool(user.has_perm(options.permission))


# The namespace ----------------------------------------------------------------------------

_current: Instrumentation | None = None


def attach_admin_ui(server: AsynctionServer) -> None:
    """Instrument ``server`` for the Admin UI when the setting is on.

    python-socketio's instrumentation patches python-engineio's socket class for the whole
    process: the server instrumented before (a rebuild's predecessor) is undone first.
    """
    global _current
    if _current is not None:
        _current.uninstrument()
        _current = None
    options = admin_ui_options()
    if options is None:
        return
    if options.namespace in server.spec.namespaces:
        raise ImproperlyConfigured(namespace_conflict(options.namespace))
    _current = Instrumentation(server, options)

    async def admit(environ: dict[str, Any]) -> str | None:
        user = environ.get("asgi.scope", {}).get("user")
        allowed = (permitted(user, options) if options.permission in LEVELS
                   else await database_sync_to_async(permitted)(user, options))
        if allowed:
            return None
        return "Forbidden" if user is not None and user.is_authenticated else "Unauthorized"

    server.unlisted_namespaces[options.namespace] = admit


def namespace_conflict(namespace: str) -> str:
    return (f'ASYNCTION_ADMIN_UI["namespace"] is {namespace!r}, a namespace of the spec: '
            "give the Admin UI another one")


class Instrumentation(InstrumentedAsyncServer):
    """python-socketio's instrumentation, fitted to this server.

    - The admin namespace's connections are let in by the server's gate (the Django user),
      not by CONNECT auth.
    - The UI that connects gets the list of sockets itself (python-socketio 5.18 sends it
      to the last socket it lists).
    - Headers and query parameters that carry credentials are not shown.
    - What the UI emits is checked against the spec, like any emit.
    - The stats list the spec's namespaces (python-socketio lists those with function
      handlers only), and WebSocket traffic is counted through this package's socket class.
    """

    def __init__(self, server: AsynctionServer, options: AdminUI):
        self.secret_headers, self.secret_query = _secret_names(server)
        super().__init__(server, auth=False, namespace=options.namespace,
                         read_only=options.read_only, mode=options.mode,
                         server_stats_interval=options.server_stats_interval)

    def instrument(self) -> None:
        super().instrument()
        self._own_websocket_handler = engine.Socket._websocket_handler
        buffer, handler = self.event_buffer, self._own_websocket_handler

        async def counted(socket_: Any, ws: Any) -> Any:
            send, wait = ws.send, ws.wait

            async def counted_send(data: Any) -> Any:
                buffer.push("packetsOut")
                buffer.push("bytesOut", len(data))
                return await send(data)

            async def counted_wait() -> Any:
                data = await wait()
                buffer.push("packetsIn")
                buffer.push("bytesIn", len(data or ""))
                return data

            ws.send, ws.wait = counted_send, counted_wait
            return await handler(socket_, ws)

        engine.Socket._websocket_handler = counted

    def uninstrument(self) -> None:
        super().uninstrument()
        engine.Socket._websocket_handler = self._own_websocket_handler
        self.sio.unlisted_namespaces.pop(self.admin_namespace, None)

    async def admin_connect(self, sid: str, environ: dict[str, Any], client_auth: Any = None,
                            ) -> None:
        """A UI the gate let in gets what this server supports, then every socket (this
        server sends what a connect handler emits after the CONNECT packet)."""
        features = ["AGGREGATED_EVENTS"]
        if not self.read_only and self.mode == "development":  # what python-socketio handles
            features += ["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"]
        if self.mode == "development":
            features.append("ALL_EVENTS")
        await self.sio.emit("config", {"supportedFeatures": features}, to=sid,
                            namespace=self.admin_namespace)
        if self.mode == "development":
            manager = self.sio.manager
            described = [self.serialize_socket(each, namespace, eio_sid)
                         for namespace in list(manager.get_namespaces())
                         for each, eio_sid in manager.get_participants(namespace, None)]
            await self.sio.emit("all_sockets", described, to=sid,
                                namespace=self.admin_namespace)

    def serialize_socket(self, sid: str, namespace: str, eio_sid: str | None = None) -> dict:
        described = super().serialize_socket(sid, namespace, eio_sid)
        handshake = described["handshake"]
        handshake["headers"] = {
            name: REDACTED if name.replace("-", "_") in self.secret_headers else value
            for name, value in handshake["headers"].items()
        }
        handshake["query"] = {name: REDACTED if name in self.secret_query else value
                              for name, value in handshake["query"].items()}
        return described

    async def admin_emit(self, _: str, namespace: str, room_filter: Any, event: str,
                         *data: Any) -> None:
        """An emit from the UI, refused (and logged) if the spec does not allow it."""
        try:
            await self.sio.emit(event, data, to=room_filter, namespace=namespace)
        except AsynctionError as exc:
            logger.warning("the Socket.IO Admin UI tried to emit %r to %s, which the spec "
                           "refuses: %s", event, namespace or "/", exc)

    async def _emit_server_stats(self) -> None:
        started = time.time()
        while not self.stop_stats_event.is_set():
            await self.sio.sleep(self.server_stats_interval)
            await self.sio.emit("server_stats", self.server_stats(started),
                                namespace=self.admin_namespace)
            while self.admin_queue:  # rooms joined and left since the last report
                event, args = self.admin_queue.pop(0)
                await self.sio.emit(event, args, namespace=self.admin_namespace)

    def server_stats(self, started: float) -> dict[str, Any]:
        sockets = list(self.sio.eio.sockets.values())
        rooms = self.sio.manager.rooms
        names = sorted({*self.sio.spec.namespaces, self.admin_namespace})
        return {
            "serverId": self.server_id,
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "uptime": time.time() - started,
            "clientsCount": len(sockets),
            "pollingClientsCount": sum(not each.upgraded for each in sockets),
            "aggregatedEvents": self.event_buffer.get_and_clear(),
            "namespaces": [{"name": name, "socketsCount": len(rooms.get(name, {}).get(None, ()))}
                           for name in names],
        }


def _secret_names(server: AsynctionServer) -> tuple[set[str], set[str]]:
    """Headers (as WSGI names: lower case, ``_``) and query parameters that carry credentials:
    cookies, Authorization, and the spec's API keys."""
    headers, query = set(ALWAYS_REDACTED), set()
    for scheme in server.spec.security_schemes.values():
        name = scheme.get("name") if scheme.get("type") in ("httpApiKey", "apiKey") else None
        if isinstance(name, str) and scheme.get("in") == "header":
            headers.add(name.lower().replace("-", "_"))
        elif isinstance(name, str) and scheme.get("in") == "query":
            query.add(name)
    return headers, query
