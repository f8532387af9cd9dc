"""The Socket.IO Admin UI's namespace, behind Django's authentication (``ASYNCTION_ADMIN_UI``).

python-socketio's instrumentation (``AsyncServer.instrument``) reports connections, rooms
and events to an admin namespace, outside the spec; the official Admin UI front-end,
vendored under ``static/asynction_django/vendor/admin-ui/``, is served by
:func:`.views.page` and connects to it by itself. Building attaches it to the server
(:func:`attach_admin_ui`); its options are :class:`~asynction_django.conf.AdminUI`.
Both are for the users the setting names (staff by default): the page checks the
request's user, the namespace the Django user of the connection's handshake.
python-socketio's own credentials (a username and password in the CONNECT auth) are not
used.

Staff who may only watch must not be able to act as the clients they watch, or keep
watching once they may not:

- python-engineio accepts a polling request by its connection's sid alone, so the feed
  never carries one: each is replaced by an opaque token (:func:`opaque_id`).
- A handshake's credentials are not shown, whether or not the spec declares them
  (:func:`looks_secret`).
- An open UI's session and user are checked again every ``recheck_interval`` seconds, and
  at once when Django logs that session out in this process: the UI is disconnected when
  its user is gone or no longer allowed.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import socket
import time
from collections.abc import Collection
from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import auth
from django.utils.crypto import constant_time_compare
from socketio.async_admin import InstrumentedAsyncServer

from ..conf import ADMIN_UI_LEVELS, AdminUI
from ..exceptions import AsynctionError
from ..logs import admin_ui_logger as logger
from ..names import namespace_name
from ..server import AsynctionServer, engine

REDACTED = "<redacted>"
# Parts of a header's or query parameter's name (lower case, "-" for "_") that say it may
# carry a credential: its value is not shown ("key" also catches api-key and apikey).
CREDENTIAL_MARKERS = ("auth", "token", "key", "secret", "passw", "cookie", "session", "csrf",
                      "signature", "jwt", "bearer", "credential")
# Makes the Admin UI's client ids: random per process, so they cannot be turned back into
# Engine.IO sids, and the same for a client's every socket, so the UI still groups them.
_ID_KEY = secrets.token_bytes(32)


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


def attach_admin_ui(server: AsynctionServer, options: AdminUI | None) -> None:
    """Instrument ``server`` for the Admin UI (``options``; None: off).

    python-socketio's instrumentation patches python-engineio's socket class for the whole
    process: the server instrumented before (a rebuild's predecessor) is undone first, so
    the server built last has the Admin UI. The admin namespace must not be the spec's
    (:func:`namespace_conflict`, which building checks first).
    """
    global _current
    if _current is not None:
        _current.uninstrument()
        _current = None
    if options is None:
        return
    _current = Instrumentation(server, options)

    async def admit(environ: dict[str, Any]) -> str | None:
        user = environ.get("asgi.scope", {}).get("user")
        allowed = (permitted(user, options) if options.permission in ADMIN_UI_LEVELS
                   else await database_sync_to_async(permitted)(user, options))
        if allowed:
            return None
        return "Forbidden" if user is not None and user.is_authenticated else "Unauthorized"

    server.unlisted_namespaces[options.namespace] = admit


def namespace_conflict(options: AdminUI | None, namespaces: Collection[str]) -> str | None:
    """Why the Admin UI cannot have its namespace, if it cannot: the spec serves it."""
    if options is None or options.namespace not in namespaces:
        return None
    return (f'ASYNCTION_ADMIN_UI["namespace"] is {options.namespace!r}, a namespace of the '
            "spec: give the Admin UI another one")


class Instrumentation(InstrumentedAsyncServer):
    """python-socketio's instrumentation, fitted to this server.

    - The admin namespace's connections are let in by the server's gate (the Django user),
      not by CONNECT auth.
    - The UI that connects gets the list of sockets itself (python-socketio 5.18 sends it
      to the last socket it lists).
    - Headers and query parameters that carry credentials are not shown, nor Engine.IO sids.
    - Each UI connection is ended when its Django session or user no longer allows it.
    - What the UI emits is checked against the spec, like any emit.
    - The stats list the spec's namespaces (python-socketio lists those with function
      handlers only), and WebSocket traffic is counted through this package's socket class.
    """

    def __init__(self, server: AsynctionServer, options: AdminUI):
        self.secret_headers, self.secret_query = _secret_names(server)
        self.options = options
        # the open UI connections: sid -> (the session key they opened with, the user's pk)
        self.watched: dict[str, tuple[str | None, Any]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        super().__init__(server, auth=False, namespace=options.namespace,
                         read_only=options.read_only, mode=options.mode,
                         server_stats_interval=options.server_stats_interval)

    def instrument(self) -> None:
        super().instrument()
        self._own_websocket_handler = engine.GuardedSocket._websocket_handler
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

        # python-socketio's admin instruments its engine's class the same way
        engine.GuardedSocket._websocket_handler = counted  # type: ignore[method-assign,assignment]
        auth.user_logged_out.connect(self._logged_out)

    def uninstrument(self) -> None:
        super().uninstrument()
        engine.GuardedSocket._websocket_handler = self._own_websocket_handler  # type: ignore[method-assign]
        self.sio.unlisted_namespaces.pop(self.admin_namespace, None)
        auth.user_logged_out.disconnect(self._logged_out)
        self.watched.clear()  # their re-check loops end

    async def admin_connect(self, sid: str, environ: dict[str, Any], client_auth: Any = None,
                            ) -> None:
        """A UI the gate let in gets what this server supports, then every socket (this
        server sends what a connect handler emits after the CONNECT packet)."""
        await self._watch(sid, environ)
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

    def serialize_socket(self, sid: str, namespace: str,
                         eio_sid: str | None = None) -> dict[str, Any]:
        """A socket as the UI lists it, without credentials, and with an opaque token
        wherever its Engine.IO sid was (a polling POST with that sid alone is accepted)."""
        described: dict[str, Any] = super().serialize_socket(sid, namespace, eio_sid)
        handshake = described["handshake"]
        handshake["headers"] = {
            name: REDACTED if looks_secret(name, self.secret_headers) else value
            for name, value in handshake["headers"].items()
        }
        handshake["query"] = {name: REDACTED if looks_secret(name, self.secret_query) else value
                              for name, value in handshake["query"].items()}
        if isinstance(handshake.get("auth"), dict):  # Node's UI shows it; keys only
            handshake["auth"] = dict.fromkeys(handshake["auth"], REDACTED)
        elif handshake.get("auth") is not None:
            handshake["auth"] = REDACTED
        real = described["clientId"]
        return _swap(described, real, opaque_id(real)) if real else described

    # Re-checking open UI connections -------------------------------------------------------

    async def _watch(self, sid: str, environ: dict[str, Any]) -> None:
        """Remember whom a UI connection is for, and re-check it until it ends."""
        scope = environ.get("asgi.scope", {})
        user = scope.get("user")
        key = await database_sync_to_async(session_key_of)(scope.get("session"), user)
        self.watched[sid] = (key, getattr(user, "pk", None))
        self.loop = asyncio.get_running_loop()
        self.sio.start_background_task(self._recheck, sid)

    async def _recheck(self, sid: str) -> None:
        interval = self.options.recheck_interval
        while sid in self.watched:
            await self.sio.sleep(interval)
            origin = self.watched.get(sid)
            if origin is None:
                return
            if not self.sio.manager.is_connected(sid, self.admin_namespace):
                self.watched.pop(sid, None)
                return
            try:
                allowed = await database_sync_to_async(still_permitted)(*origin, self.options)
            except Exception:  # noqa: BLE001 - cannot tell (the database is down): end it
                logger.exception("the Socket.IO Admin UI's user could not be checked again")
                allowed = False
            if not allowed:
                await self._end(sid, "its session or its user no longer allows it")

    async def _end(self, sid: str, why: str) -> None:
        if self.watched.pop(sid, None) is None:
            return
        logger.info("a Socket.IO Admin UI connection was closed: %s", why)
        await self.sio.disconnect(sid, namespace=self.admin_namespace)

    def _logged_out(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        """Django logged a session out (in any thread of this process): end its UIs."""
        key = getattr(getattr(request, "session", None), "session_key", None)
        loop = self.loop
        if key is None or loop is None or loop.is_closed():
            return
        for sid, (watched_key, _) in list(self.watched.items()):
            if watched_key == key:
                loop.call_soon_threadsafe(self.sio.start_background_task, self._end, sid,
                                          "its session logged out")

    async def admin_emit(self, _: str, namespace: str, room_filter: Any, event: str,
                         *data: Any) -> None:
        """An emit from the UI, refused (and logged) if the spec does not allow it."""
        try:
            await self.sio.emit(event, data, to=room_filter, namespace=namespace)
        except AsynctionError as exc:
            logger.warning("the Socket.IO Admin UI tried to emit %r to %s, which the spec "
                           "refuses: %s", event, namespace_name(namespace), exc)

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


def _folded(name: str) -> str:
    return name.lower().replace("_", "-")


def looks_secret(name: str, declared: Collection[str] = ()) -> bool:
    """Whether a header or query parameter may carry a credential: one the spec declares
    (``declared``, folded), or one whose name says so. Projects and proxies add credentials
    the spec never mentions (``X-Api-Key``, ``X-CSRFToken``, ``?access_token=``)."""
    folded = _folded(name)
    return folded in declared or any(marker in folded for marker in CREDENTIAL_MARKERS)


def _secret_names(server: AsynctionServer) -> tuple[set[str], set[str]]:
    """The headers and query parameters the spec's API keys are sent in (folded: lower
    case, ``-`` for ``_``), whatever they are called."""
    headers, query = set(), set()
    for scheme in server.spec.security_schemes.values():
        name = scheme.get("name") if scheme.get("type") in ("httpApiKey", "apiKey") else None
        if isinstance(name, str) and scheme.get("in") == "header":
            headers.add(_folded(name))
        elif isinstance(name, str) and scheme.get("in") == "query":
            query.add(_folded(name))
    return headers, query


def opaque_id(eio_sid: str) -> str:
    """What the Admin UI is given for an Engine.IO sid: the same for every socket of one
    client in this process, useless as a transport id, and irreversible (an HMAC keyed
    with a random per-process key)."""
    digest = hmac.new(_ID_KEY, eio_sid.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:15]).decode()


def _swap(value: Any, real: str, token: str) -> Any:
    """``value`` with ``real`` replaced by ``token`` in every string it holds (the handshake
    may carry the sid too: a ``sid`` query parameter, a Referer)."""
    if isinstance(value, str):
        return value.replace(real, token)
    if isinstance(value, dict):
        return {_swap(key, real, token): _swap(each, real, token)
                for key, each in value.items()}
    if isinstance(value, (list, tuple)):
        return [_swap(each, real, token) for each in value]
    return value


# Whom an open UI connection is for (run in a worker thread: they read the database) -------

def session_key_of(session: Any, user: Any) -> str | None:
    """The key of the Django session the connection's user was logged in by, if it was."""
    if session is None or user is None or getattr(user, "pk", None) is None:
        return None
    key = session.session_key
    if key is None or session.get(auth.SESSION_KEY) != user._meta.pk.value_to_string(user):
        return None  # the user came from elsewhere (a project's own middleware)
    return str(key)


def still_permitted(session_key: str | None, user_pk: Any, options: AdminUI) -> bool:
    """Whether the UI connection opened by ``session_key`` (or by the user ``user_pk``,
    for a user that came from elsewhere) may go on: the session still logs that user in,
    and the user, as the database has them now, is still allowed."""
    if session_key is None:
        user = auth.get_user_model()._default_manager.filter(pk=user_pk).first()
    else:
        user = session_user(session_key)
        if user is not None and user.pk != user_pk:
            user = None
    return permitted(user, options)


def session_user(session_key: str) -> Any:
    """The user a Django session logs in now (None: logged out, expired, flushed, or its
    password changed), checked as Django's ``get_user`` checks a request's but changing
    nothing: that one flushes a session it rejects and renews one signed with an old key."""
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    try:
        user_id = auth.get_user_model()._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = auth.load_backend(backend_path).get_user(user_id)
    if user is None or not hasattr(user, "get_session_auth_hash"):
        return user
    stored = session.get(auth.HASH_SESSION_KEY) or ""
    fallbacks = getattr(user, "get_session_auth_fallback_hash", lambda: ())
    if any(constant_time_compare(stored, each)
           for each in (user.get_session_auth_hash(), *fallbacks())):
        return user
    return None
