"""One spec channel served as a python-socketio namespace.

python-socketio hands every packet of a namespace to ``trigger_event``; this class
routes it through the spec: handshake checks at connect; for events, rate limits first
(a refusal must cost less than the work it saves), then security and payload checks, then
the user's handler, then the ack check. Whatever goes wrong is answered on the wire with a
structured error, never a traceback, and never takes the connection down.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import socketio

from ..credentials import Credentials
from ..exceptions import (
    AckValidationError,
    HandlerError,
    HandlerTimeout,
    HandshakeValidationError,
    SecurityError,
    Unauthorized,
    UnknownEventError,
    ValidationError,
)
from ..handlers import Handler, Takes
from ..limits import NamespaceLimits
from ..logs import logger
from ..recovery import Recovery
from ..security import Guard
from ..validation import ArgumentsValidator, HandshakeValidator, as_arguments
from ..wording import closest, named
from .connections import ConnectionState, handling
from .django_scope import save_django_session
from .watchdog import Watchdog

CONNECT_FAILED = "Connection refused by server"


@dataclass
class EventRoute:
    """Everything needed to serve one client -> server event, prepared at start-up."""

    event: str
    handler: Handler | None
    payload: ArgumentsValidator | None
    ack: ArgumentsValidator | None
    guard: Guard | None = None  # the operation's own security requirements
    takes: Takes | None = None  # the argument counts the handler can be called with


class SpecNamespace(socketio.AsyncNamespace):
    """A channel of the spec: its events, handlers, handshake checks and security."""

    def __init__(
        self,
        name: str,
        routes: dict[str, EventRoute],
        handshake: HandshakeValidator | None,
        connect: Handler | None,
        disconnect: Handler | None,
        error: Handler | None,
        guard: Guard | None = None,
        timeout: float | None = None,
        recovery: Recovery | None = None,
        limits: NamespaceLimits | None = None,
    ):
        super().__init__(name)
        self.limits = limits  # x-rate-limit and ASYNCTION_RATE_LIMIT_DEFAULT; None: none
        self._expelling: set[asyncio.Task[None]] = set()  # disconnects of abusive clients
        self.recovery = recovery
        self.watchdog = Watchdog(timeout) if timeout is not None else None
        self.routes = routes
        self.handshake = handshake
        self.connect_handler = connect
        self.disconnect_handler = disconnect
        self.error_handler = error
        self.guard = guard
        # Event-level security needs the credentials the client connected with.
        self._keeps_credentials = any(route.guard for route in routes.values())
        self.connections: dict[str, ConnectionState] = {}

    async def trigger_event(self, event: str, *args: Any) -> Any:
        with handling(args[0], self.namespace):
            return await self._trigger(event, *args)

    async def _trigger(self, event: str, *args: Any) -> Any:
        if event == "connect":
            return await self._connect(*args)
        if event == "disconnect":
            return await self._disconnect(*args)
        sid, data = args[0], args[1:]
        if self.limits is not None:
            refused = await self._rate_limited(self.limits, sid, event)
            if refused is not None:
                return refused
        route = self.routes.get(event)
        if route is None:
            return await self._fail(sid, UnknownEventError(self._unknown(event, sid)))
        return await self._dispatch(route, sid, data)

    async def _rate_limited(self, limits: NamespaceLimits, sid: str,
                            event: str) -> dict[str, Any] | None:
        """The ``RateLimited`` error ack of an event over its rate limits, else None.

        The error handler is not called: a flood of refusals must not become a flood of
        calls into the project's code. A client refused on and on is disconnected once
        this answer is on its way (the disconnect runs in a task of its own).
        """
        refusal = await limits.refusal(sid, event, self.server.get_environ(sid, self.namespace))
        if refusal is None:
            return None
        if refusal.expel:
            task = asyncio.get_running_loop().create_task(
                self.server.disconnect(sid, self.namespace, ignore_queue=True))
            self._expelling.add(task)
            task.add_done_callback(self._expelling.discard)
        return refusal.error.as_wire()

    def _unknown(self, event: str, sid: str) -> str:
        """Why ``event`` is refused: the server sends it, or the closest name a client may send
        (among the events this connection may send: an operation it failed is left out)."""
        where = f"in namespace {self.namespace!r}"
        sends = getattr(self.server, "sends", None)
        if sends is not None and sends(self.namespace, event):
            return (f"event {named(event)} is sent by the server {where}: clients may not "
                    "send it")
        checks = (self.connections.get(sid) or ConnectionState()).event_checks
        sendable = [name for name, route in self.routes.items() if route.guard is None
                    or isinstance(checks.get(id(route.guard)), dict)]  # checked, and met
        guess = closest(event, sendable)
        hint = f" (did you mean {guess!r}?)" if guess is not None else ""
        return f"event {named(event)} is not part of namespace {self.namespace!r}{hint}"

    async def _event_allowed(self, guard: Guard, sid: str) -> None:
        """Check the operation's security once per connection; raise if it is not met."""
        state = self.connections.get(sid) or ConnectionState()
        checks = state.event_checks
        key = id(guard)
        if key not in checks:
            credentials = state.credentials or Credentials()
            try:
                checks[key] = await guard.check(credentials)
            except SecurityError as exc:
                checks[key] = exc
        outcome = checks[key]
        if isinstance(outcome, SecurityError):
            raise outcome

    async def _dispatch(self, route: EventRoute, sid: str, data: tuple[Any, ...]) -> Any:
        try:  # what the client sent: its mistakes are told to it
            if route.guard is not None:
                await self._event_allowed(route.guard, sid)
            if route.payload is not None:
                route.payload.validate(data)
            if route.takes is not None:  # even with validation off: never a TypeError
                route.takes.check(route.event, data)
        except (ValidationError, SecurityError) as exc:
            return await self._fail(sid, exc)
        try:  # what the server does: its mistakes are logged, the client is told no more
            result = await self._run(route.handler, sid, data) if route.handler else None
            state = self.connections.get(sid)
            if state is not None and state.session is not None and state.session.modified:
                await save_django_session(state.session)
        except (SecurityError, HandlerTimeout) as exc:  # a refusal, or the handler's time up
            if isinstance(exc, HandlerTimeout):
                logger.error("handler for %r in %s %s", route.event, self.namespace, exc)
            return await self._fail(sid, exc)
        except Exception as exc:  # noqa: BLE001 - a handler bug must not reach the client
            logger.exception("handler for %r in %s raised", route.event, self.namespace)
            return await self._fail(sid, _as_server_bug(exc))
        if route.ack is not None:
            try:
                route.ack.validate(as_arguments(result))
            except AckValidationError as exc:
                logger.error("handler for %r in %s returned an invalid ack: %s", route.event,
                             self.namespace, exc)
                return await self._fail(sid, exc)
        return result

    async def _run(self, handler: Handler, sid: str, data: tuple[Any, ...]) -> Any:
        """The handler's answer; a sync handler past the timeout keeps its thread until done."""
        task = asyncio.current_task()
        if self.watchdog is None or task is None:
            return await handler(sid, *data)
        self.watchdog.watch(task)
        try:
            return await handler(sid, *data)
        except asyncio.CancelledError:
            if self.watchdog.release(task):
                task.uncancel()
                raise HandlerTimeout(self.watchdog.timeout) from None
            raise
        finally:
            self.watchdog.release(task)

    async def _fail(self, sid: str, exc: Exception) -> Any:
        """The ack for a failed event: the error handler's answer, or a structured error."""
        if self.error_handler is not None:
            try:
                return await self.error_handler(sid, exc)
            except Exception:  # noqa: BLE001
                logger.exception("error handler of %s raised", self.namespace)
                return HandlerError().as_wire()
        if isinstance(exc, (ValidationError, SecurityError, HandlerTimeout)):
            return exc.as_wire()
        return HandlerError().as_wire()

    async def _inform_error_handler(self, sid: str, exc: Exception) -> None:
        """Tell the error handler about a refusal; its answer cannot change the refusal."""
        if self.error_handler is None:
            return
        try:
            await self.error_handler(sid, exc)
        except Exception:  # noqa: BLE001
            logger.exception("error handler of %s raised", self.namespace)

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> Any:
        """Handshake bindings, then security, then the user's connect handler (which a
        recovered connection skips when ``skip_middlewares`` says so; the checks before it
        always run, with the credentials the client presents now)."""
        if self.handshake is not None:
            try:
                self.handshake.validate(environ)
            except HandshakeValidationError as exc:
                await self._inform_error_handler(sid, exc)
                raise socketio.exceptions.ConnectionRefusedError(
                    exc.message, exc.as_wire()["error"]
                ) from None
        recovery = self.recovery
        recovered = recovery is not None and recovery.is_returning(self.namespace, sid)
        state = ConnectionState(session=environ.get("asgi.scope", {}).get("session"),
                                recovered=recovered)
        try:
            if self.guard is not None or self._keeps_credentials:
                credentials = Credentials.from_connect(environ, auth)
                state.credentials = credentials if self._keeps_credentials else None
            if self.guard is not None:
                state.security = await self.guard.check(credentials)
        except Exception as exc:  # noqa: BLE001 - whatever broke, the client is refused
            refusal = exc if isinstance(exc, SecurityError) else Unauthorized()
            if refusal is not exc:
                logger.exception("the security check of %s raised", self.namespace)
            await self._inform_error_handler(sid, refusal)
            raise socketio.exceptions.ConnectionRefusedError(refusal.wire_message) from None
        self.connections[sid] = state  # the connect handler sees the security info
        if recovery is not None and recovered:  # and a returning connection's rooms and data
            await recovery.restore(self.server, sid, self.namespace)
        skipped = recovery is not None and recovered and recovery.options.skip_middlewares
        try:
            handler = self.connect_handler
            accepted = (handler is None or skipped
                        or await self._accepted(handler, sid, environ, auth))
        except BaseException:
            self.connections.pop(sid, None)
            raise
        if not accepted:
            self.connections.pop(sid, None)
        return accepted

    async def _accepted(self, handler: Handler, sid: str, environ: dict[str, Any],
                        auth: Any) -> bool:
        try:
            accepted = await handler(sid, environ, auth)
        except socketio.exceptions.ConnectionRefusedError as exc:
            await self._inform_error_handler(sid, exc)
            raise
        except Exception as exc:  # noqa: BLE001
            logger.exception("connect handler of %s raised", self.namespace)
            await self._inform_error_handler(sid, exc)
            raise socketio.exceptions.ConnectionRefusedError(CONNECT_FAILED) from None
        return accepted is not False

    async def _disconnect(self, sid: str, reason: str | None = None) -> None:
        try:
            await self._run_disconnect_handler(sid, reason)
        finally:
            self.connections.pop(sid, None)
            if self.recovery is not None:
                await self.recovery.left(self.namespace, sid)

    async def _run_disconnect_handler(self, sid: str, reason: str | None) -> None:
        if self.disconnect_handler is None:
            return
        try:
            await self.disconnect_handler(sid, reason)
        except Exception as exc:  # noqa: BLE001
            logger.exception("disconnect handler of %s raised", self.namespace)
            await self._inform_error_handler(sid, exc)


def _as_server_bug(exc: Exception) -> Exception:
    """What a handler raised, as the client and the error handler are to see it.

    A ValidationError from inside a handler is about the server's own doing (an emit or a
    ``call`` the spec refuses), never the client's payload: it becomes a
    :class:`HandlerError` (an InternalServerError on the wire, even from an error handler
    that answers ``exc.as_wire()``), with the original as its ``__cause__``.
    """
    if not isinstance(exc, ValidationError):
        return exc
    bug = HandlerError(f"the handler raised {type(exc).__name__}: {exc}")
    bug.__cause__ = exc
    return bug
