"""The process-wide server, built on first use, and the emit, presence and revocation API
around it."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

from asgiref.sync import async_to_sync
from django.core.signals import setting_changed
from django.dispatch import receiver

from .building import Build, build
from .conf import PREFIX, get_settings
from .logs import revocation_logger
from .names import DEFAULT_NAMESPACE, namespace_name
from .presences import Member
from .queues import ExternalEmitter
from .revocation import METHOD, REVOKED, Revocation, checked_reason
from .server import AsynctionServer, Connection
from .server.connections import current_namespace

_lock = threading.Lock()
_build: Build | None = None
_server: AsynctionServer | None = None
_loop: asyncio.AbstractEventLoop | None = None
_external: ExternalEmitter | None = None


def current_build() -> Build:
    """The outcome of building from the current settings, built once per process (the
    system checks and the server share it)."""
    global _build
    if _build is None:
        with _lock:
            if _build is None:
                _build = build()
    return _build


def get_server() -> AsynctionServer:
    """The spec-aware ``socketio.AsyncServer`` of this process (built on first call)."""
    global _server
    if _server is None:
        server = current_build().raise_if_failed()
        with _lock:
            if _server is None:
                _server = server
    return _server


def install_server(server: AsynctionServer) -> None:
    """Make ``server`` this process's server (the mock server installs itself this way)."""
    global _server
    with _lock:
        _server = server


def reset_server() -> None:
    """Forget the server, so the next ``get_server()`` rebuilds it from the settings."""
    global _build, _server, _loop, _external
    with _lock:
        _build = None
        _server = None
        _loop = None
        if _external is not None:
            _external.close()
        _external = None


def _external_emitter() -> ExternalEmitter | None:
    """The broker publisher, when this process serves no clients and a broker is set."""
    global _external
    if _loop is not None:
        return None
    if _external is not None:
        return _external
    values = get_settings()
    if values.MESSAGE_QUEUE is None:
        return None
    with _lock:
        if _external is None:
            _external = ExternalEmitter(values)
    return _external


@receiver(setting_changed)
def _rebuild_on_settings_change(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith(PREFIX):
        reset_server()


def remember_loop() -> None:
    """Called by the ASGI app: the loop serving clients is where emits must run."""
    global _loop
    _loop = asyncio.get_running_loop()


async def aemit(event: str, data: Any = None, **kwargs: Any) -> None:
    """Emit from async code, validated against the spec before anything is sent.

    Takes python-socketio's ``emit`` arguments: ``to``, ``room``, ``skip_sid``,
    ``namespace``, ``callback``.
    """
    server = get_server()
    outgoing = server.validate_emit(event, data, kwargs.get("namespace"))
    external = _external_emitter()
    if external is None:
        await server.emit_validated(outgoing, event, data, **kwargs)
    else:
        await external.aemit(event, data, **kwargs)


def emit(event: str, data: Any = None, **kwargs: Any) -> None:
    """Emit from sync code (views, signals, commands, threads), validated first.

    Raises the validation error in the caller, before anything is sent. When the
    server is serving in this process, the emit runs on its event loop; in a process
    that serves nothing, with ``ASYNCTION_MESSAGE_QUEUE`` set, it is published through
    the broker.
    """
    server = get_server()
    outgoing = server.validate_emit(event, data, kwargs.get("namespace"))
    loop = _loop
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None:
        raise RuntimeError("emit() cannot be called from async code: use `await aemit(...)`")
    external = _external_emitter()
    if loop is not None and loop.is_running():
        asyncio.run_coroutine_threadsafe(server.emit_validated(outgoing, event, data, **kwargs),
                                         loop).result()
    elif external is not None:
        external.emit(event, data, **kwargs)
    else:
        async_to_sync(server.emit_validated)(outgoing, event, data, **kwargs)


def get_connection(sid: str, namespace: str | None = None) -> Connection:
    """The connection ``sid`` has to ``namespace``: its user, session, scope and security.

    Inside a handler the namespace defaults to the handler's own; elsewhere to ``/``.
    """
    return get_server().connection(sid, namespace or current_namespace(sid))


async def apresence(room: str, namespace: str = DEFAULT_NAMESPACE) -> list[Member]:
    """Who is in ``room`` of ``namespace`` (a channel with ``x-presence``), over every
    process: each member's key, info and connection count, sorted by key.

    Raises LookupError for a namespace or room that keeps no presence.
    """
    presence = get_server().presence
    if presence is None:
        raise LookupError("no namespace keeps presence: no channel of the spec has x-presence")
    return await presence.members(room, namespace_name(namespace))


def presence(room: str, namespace: str = DEFAULT_NAMESPACE) -> list[Member]:
    """:func:`apresence` from sync code (views, commands, threads): on the serving event
    loop when this process serves clients, else on one of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("presence() cannot be called from async code: use "
                           "`await apresence(...)`")
    loop = _loop
    if loop is not None and loop.is_running():
        return asyncio.run_coroutine_threadsafe(apresence(room, namespace), loop).result()
    return async_to_sync(apresence)(room, namespace)


# Revocation --------------------------------------------------------------------------------

REVOKE_TIMEOUT = 30.0


def revoke_user(user: Any, reason: str = REVOKED) -> None:
    """End every connection of ``user`` (a Django user, or its pk) on every process: each
    client gets ``asynction:revoked`` with ``reason`` (not renewable), then a DISCONNECT.

    For what Django's signals do not say: ``QuerySet.update(is_active=False)``, a password
    change, a token put on a deny list. From sync code; in async code ``arevoke_user``.
    """
    revoke(_user_revocation(user, reason))


async def arevoke_user(user: Any, reason: str = REVOKED) -> None:
    """:func:`revoke_user` from async code."""
    under_way = _revoking(_user_revocation(user, reason))
    if under_way is not None:
        await asyncio.wrap_future(under_way[0])


def _user_revocation(user: Any, reason: str) -> Revocation:
    key = getattr(user, "pk", user)
    if key is None:
        raise ValueError("revoke_user() needs a saved user, or its pk")
    return Revocation(checked_reason(reason), users=frozenset({str(key)}))


def revoke(revocation: Revocation, wait: bool = True) -> None:
    """Hand ``revocation`` to this process's server (which publishes it to the others), or
    in a process that serves nothing publish it through the message queue; with ``wait``,
    until that is done. Signal receivers do not wait: a logout never waits for sockets."""
    if wait:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("revoke_user() cannot be called from async code: use "
                               "`await arevoke_user(...)`")
    under_way = _revoking(revocation)
    if under_way is None:
        return
    future, serving = under_way
    if wait or not serving:  # a process that serves nothing may exit right after: publish
        future.result(REVOKE_TIMEOUT)
    else:
        future.add_done_callback(_report_failure)


def _revoking(revocation: Revocation) -> tuple[Future[Any], bool] | None:
    """The revocation under way, on the loop that can carry it, and whether that is the
    loop serving clients here (else: the message queue's); None: nobody to tell."""
    server, loop = _server, _loop
    if server is not None and loop is not None and loop.is_running():
        return asyncio.run_coroutine_threadsafe(server.revocations.revoke(revocation),
                                                loop), True
    external = _external_emitter()
    if external is None:
        return None  # no clients here and no message queue: no connection to end anywhere
    return asyncio.run_coroutine_threadsafe(
        external.manager.publish_message(METHOD, revocation.as_fields()), external.loop), False


def _report_failure(future: Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        revocation_logger.error("a revocation could not be carried out",
                                exc_info=future.exception())
