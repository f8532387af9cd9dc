"""The spec-aware ``socketio.AsyncServer``.

On top of python-socketio it adds: every emit is checked against the spec before
anything is sent, acks that clients send back are checked too, what a connect handler
emits reaches the client after its CONNECT packet, never before, and a client packet
that breaks the protocol ends its own connection (:mod:`.packets`, :mod:`.engine`), and
with connection state recovery on, a client that drops comes back as itself
(:mod:`asynction_django.recovery`), and with ``x-presence`` rooms know who is in them
(:mod:`.presence_hooks`), and a connection whose credentials stop holding ends
(:mod:`.revocation_hooks`).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from socketio import packet

from ..exceptions import AckValidationError, InvalidPacket, UnknownEventError
from ..logs import client_logger
from ..names import namespace_name
from ..recovery import LoggedEmit, Recovery, packet_offset, without_offset
from ..spec import Server, Spec
from ..validation import ArgumentsValidator, as_arguments
from ..wording import named
from .engine import EngineServer, reusing_id
from .packets import check_attachment, decode
from .revocation_hooks import RevocationHooks


class OutgoingEvent:
    """The checks of one server -> client event, compiled at start-up."""

    def __init__(self, payload: ArgumentsValidator | None, ack: ArgumentsValidator | None):
        self.payload = payload
        self.ack = ack


class AsynctionServer(RevocationHooks):
    """A ``socketio.AsyncServer`` that serves one AsyncAPI document (with revocation's and
    presence's hooks, :mod:`.revocation_hooks` and :mod:`.presence_hooks`, beneath)."""

    def __init__(
        self,
        spec: Spec,
        outgoing: dict[tuple[str, str], OutgoingEvent],
        validation: bool = True,
        max_attachments: int = 10,
        max_in_flight: int | None = None,
        connect_timeout: float | None = None,
        recovery: Recovery | None = None,
        **kwargs: Any,
    ):
        kwargs.setdefault("async_mode", "asgi")
        super().__init__(**kwargs)
        self.spec = spec
        self.validation = validation
        self.max_attachments = max_attachments
        self.max_in_flight = max_in_flight
        self.connect_timeout = connect_timeout
        self._expiring: set[asyncio.Task[None]] = set()
        self._in_flight: dict[str, asyncio.Semaphore] = {}  # per Engine.IO connection
        self._outgoing = outgoing
        self.socketio_path = "socket.io"  # set by building, from the selected server
        self.spec_server: Server | None = None
        # Namespaces served outside the spec (the Admin UI's, see admin_ui/): name -> an
        # async gate(environ) giving None to let a connection in, else why it is refused.
        # What is emitted to them is not checked against the spec.
        self.unlisted_namespaces: dict[str, Callable[[dict[str, Any]],
                                                     Awaitable[str | None]]] = {}
        # per Engine.IO connection being connected: (namespace, offset, send) held back
        self._connecting: dict[str, list[tuple[str, str | None, Any]]] = {}
        self.recovery = recovery  # ASYNCTION_CONNECTION_STATE_RECOVERY, when it is on

    # Outgoing validation -------------------------------------------------------------

    def sends(self, namespace: str | None, event: str) -> bool:
        """Whether the spec has the server send ``event`` in ``namespace``."""
        return (namespace_name(namespace), event) in self._outgoing

    def validate_emit(self, event: str, data: Any, namespace: str | None = None) -> OutgoingEvent:
        """Raise if emitting ``event`` with ``data`` to ``namespace`` breaks the spec;
        return the event's compiled checks otherwise."""
        namespace = namespace_name(namespace)
        outgoing = self._outgoing.get((namespace, event))
        if outgoing is None:
            if namespace not in self.spec.namespaces:
                raise UnknownEventError(f"namespace {namespace!r} is not in the spec")
            raise UnknownEventError(
                f"event {named(event)} is not sent by the server in namespace {namespace!r}"
            )
        if self.validation and outgoing.payload is not None:
            outgoing.payload.validate(as_arguments(data))
        return outgoing

    async def emit(
        self,
        event: str,
        data: Any = None,
        to: Any = None,
        room: Any = None,
        skip_sid: Any = None,
        namespace: str | None = None,
        callback: Callable[..., Any] | None = None,
        ignore_queue: bool = False,
    ) -> None:
        if namespace in self.unlisted_namespaces:
            await super().emit(event, data, to=to, room=room, skip_sid=skip_sid,
                               namespace=namespace, callback=callback, ignore_queue=ignore_queue)
            return
        outgoing = self.validate_emit(event, data, namespace)
        await self.emit_validated(outgoing, event, data, to=to, room=room, skip_sid=skip_sid,
                                  namespace=namespace, callback=callback,
                                  ignore_queue=ignore_queue)

    async def emit_validated(self, outgoing: OutgoingEvent, event: str, data: Any,
                             callback: Callable[..., Any] | None = None,
                             on_invalid_ack: Callable[[AckValidationError], Any] | None = None,
                             **kwargs: Any) -> None:
        """Send what :meth:`validate_emit` accepted (so it is validated once)."""
        if callback is not None:
            callback = self._checked_callback(outgoing, event, kwargs.get("namespace"), callback,
                                              on_invalid_ack)
        elif self.recovery is not None:
            stamped = await self.recovery.stamp(event, data, **kwargs)
            data = stamped.data
            if stamped.logged and self.recovery.fans_out:  # the others read it in the log
                kwargs["ignore_queue"] = True
        await super().emit(event, data, callback=callback, **kwargs)

    async def call(self, event: str, data: Any = None, to: Any = None, sid: Any = None,
                   namespace: str | None = None, timeout: float = 60,
                   ignore_queue: bool = False) -> Any:
        """python-socketio's ``call``, with the client's ack validated: an invalid one
        raises :class:`AckValidationError` here instead of being returned."""
        if to is None and sid is None:
            raise ValueError("Cannot use call() to broadcast.")
        outgoing = self.validate_emit(event, data, namespace)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def settle(outcome: Any, failed: bool = False) -> None:
            if not answer.done():
                (answer.set_exception if failed else answer.set_result)(outcome)

        await self.emit_validated(outgoing, event, data, to=to or sid, namespace=namespace,
                                  callback=lambda *args: settle(args),
                                  on_invalid_ack=lambda exc: settle(exc, failed=True),
                                  ignore_queue=ignore_queue)
        try:
            args = await asyncio.wait_for(answer, timeout)
        except TimeoutError:
            raise socketio.exceptions.TimeoutError() from None
        return args if len(args) > 1 else args[0] if args else None

    def _checked_callback(self, outgoing: OutgoingEvent, event: str, namespace: str | None,
                          callback: Callable[..., Any],
                          on_invalid: Callable[[AckValidationError], Any] | None,
                          ) -> Callable[..., Any]:
        if not self.validation or outgoing.ack is None:
            return callback
        ack = outgoing.ack

        def checked(*args: Any) -> Any:
            try:
                ack.validate(args)
            except AckValidationError as exc:
                client_logger.warning("a client's ack for %r in %s is invalid: %s", event,
                                      namespace_name(namespace), exc)
                return on_invalid(exc) if on_invalid is not None else None
            return callback(*args)

        return checked

    # A connection's rooms and data: in a fleet with recovery, written through ----------

    async def enter_room(self, sid: str, room: Any, namespace: str | None = None) -> None:
        await super().enter_room(sid, room, namespace)
        if self.recovery is not None:
            await self.recovery.changed(self, sid, namespace_name(namespace))

    async def leave_room(self, sid: str, room: Any, namespace: str | None = None) -> None:
        await super().leave_room(sid, room, namespace)
        if self.recovery is not None:
            await self.recovery.changed(self, sid, namespace_name(namespace))

    async def save_session(self, sid: str, session: Any, namespace: str | None = None) -> None:
        await super().save_session(sid, session, namespace)
        if self.recovery is not None:
            await self.recovery.changed(self, sid, namespace_name(namespace))

    # What clients send: checked before it is dispatched -----------------------------

    def _engineio_server_class(self) -> type:
        return EngineServer

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        """Dispatch a client's packet; one that breaks the protocol ends its connection."""
        try:
            pending = self._binary_packet.get(eio_sid)
            if pending is not None:
                check_attachment(pending, data, self.eio.max_http_buffer_size)
                if not pending.add_attachment(data):
                    return
                del self._binary_packet[eio_sid]
                pkt = pending
            else:
                pkt = decode(self.packet_class, data, self.max_attachments)
                if pkt.packet_type in (packet.BINARY_EVENT, packet.BINARY_ACK):
                    if not self.manager.sid_from_eio_sid(eio_sid, namespace_name(pkt.namespace)):
                        raise InvalidPacket("a binary packet for a namespace not connected")
                    self._binary_packet[eio_sid] = pkt
                    return
        except InvalidPacket as exc:
            self._binary_packet.pop(eio_sid, None)
            client_logger.warning("closed a connection that broke the Socket.IO protocol: %s",
                                  exc)
            await self.eio.disconnect(eio_sid)
            return
        kind = pkt.packet_type
        if kind == packet.CONNECT:
            await self._handle_connect(eio_sid, pkt.namespace, pkt.data)
        elif kind == packet.DISCONNECT:
            await self._handle_disconnect(eio_sid, pkt.namespace,
                                          self.reason.CLIENT_DISCONNECT)
        elif kind in (packet.EVENT, packet.BINARY_EVENT):
            await self._handle_event(eio_sid, pkt.namespace, pkt.id, pkt.data)
        else:
            await self._handle_ack(eio_sid, pkt.namespace, pkt.id, pkt.data)

    # A connection that never joins a namespace is closed --------------------------------

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> Any:
        answer = await super()._handle_eio_connect(eio_sid, environ)
        if self.connect_timeout is not None:
            asyncio.get_running_loop().call_later(self.connect_timeout, self._expire, eio_sid)
        return answer

    def _expire(self, eio_sid: str) -> None:
        """Close ``eio_sid`` if it is still open and in no namespace (as Node's connectTimeout)."""
        if eio_sid not in self.eio.sockets or any(
                self.manager.sid_from_eio_sid(eio_sid, namespace)
                for namespace in list(self.manager.get_namespaces())):
            return
        task = asyncio.ensure_future(self.eio.disconnect(eio_sid))
        self._expiring.add(task)
        task.add_done_callback(self._expiring.discard)

    # Backpressure: a connection with too many events in flight is read no further ----

    async def _handle_event(self, eio_sid: str, namespace: str | None, id: Any,
                            data: Any) -> None:
        """Wait for a free slot before the event's task starts.

        python-engineio reads each connection's packets one at a time, so waiting here
        stops reading that connection: a client flooding events slows down itself only,
        and nothing it sent is dropped.
        """
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace_name(namespace))
        if self.max_in_flight is not None and self.manager.is_connected(
                sid, namespace_name(namespace)):
            slots = self._in_flight.get(eio_sid)
            if slots is None:
                slots = self._in_flight[eio_sid] = asyncio.Semaphore(self.max_in_flight)
            await slots.acquire()
        await super()._handle_event(eio_sid, namespace, id, data)

    async def _handle_event_internal(self, server: Any, sid: str, eio_sid: str, data: Any,
                                     namespace: str, id: Any) -> None:
        try:
            await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)
        finally:
            slots = self._in_flight.get(eio_sid)
            if slots is not None:
                slots.release()

    async def _handle_eio_disconnect(self, eio_sid: str, reason: Any) -> None:
        """The transport ended: with recovery on, the client's sessions are kept (a client
        that leaves a namespace on purpose sends DISCONNECT first, and is not)."""
        self._in_flight.pop(eio_sid, None)
        recovery = self.recovery
        kept = await recovery.dropped(self, eio_sid) if recovery is not None else []
        await super()._handle_eio_disconnect(eio_sid, reason)
        if kept and recovery is not None:
            await recovery.keep(kept)

    # Emits made by a connect handler wait for the CONNECT packet ---------------------

    async def _handle_connect(self, eio_sid: str, namespace: str | None, data: Any) -> None:
        namespace = namespace_name(namespace)
        if namespace not in self.spec.namespaces:
            gate = self.unlisted_namespaces.get(namespace)
            refusal = ("Invalid namespace" if gate is None
                       else await gate(self.environ.get(eio_sid, {})))
            if refusal is not None:
                await self._send_packet(eio_sid, self.packet_class(
                    packet.CONNECT_ERROR, data={"message": refusal}, namespace=namespace))
                return
        recovery = self.recovery if namespace in self.spec.namespaces else None
        reused_sid = None  # (the spec's namespaces only: the Admin UI's has no recovery)
        if recovery is not None:
            data, reused_sid = await recovery.claim(self, eio_sid, namespace, data)
        held = self._connecting.setdefault(eio_sid, [])
        marker = (namespace, None, None)
        held.append(marker)
        replayed: set[str] = set()
        sid = None
        try:
            with reusing_id(reused_sid):
                await super()._handle_connect(eio_sid, namespace, data)
            sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
            if sid is not None and recovery is not None:
                replayed = await recovery.started(
                    self, eio_sid, namespace, sid,
                    functools.partial(self._send_replay, eio_sid, namespace))
        finally:
            if recovery is not None:  # a refused connect leaves nothing behind
                recovery.forget(eio_sid, namespace)
            queued = self._release(eio_sid, marker)
        accepted = sid is not None
        for queued_namespace, offset, send in queued:
            if (accepted or queued_namespace != namespace) and offset not in replayed and not (
                    recovery is not None
                    and recovery.has_already(eio_sid, queued_namespace, offset)):
                await send()  # (an emit it had before it dropped may arrive meanwhile)

    async def deliver_logged(self, emit: LoggedEmit) -> None:
        """Deliver another process's emit, read from the log, to this process's clients."""
        event, *args = emit.data
        await self.manager.emit(event, (*args, emit.offset), emit.namespace, room=emit.rooms,
                                skip_sid=emit.skip, ignore_queue=True)

    async def _send_replay(self, eio_sid: str, namespace: str, data: list[Any]) -> None:
        """Send a missed event at once: replays go before whatever is held meanwhile."""
        await super()._send_packet(eio_sid, self.packet_class(packet.EVENT, namespace=namespace,
                                                              data=data))

    def _release(self, eio_sid: str,
                 marker: tuple[str, None, None]) -> list[tuple[str, str | None, Any]]:
        held = self._connecting[eio_sid]
        held.remove(marker)
        if any(send is None for _, _, send in held):
            return []  # another namespace of this client is still connecting: keep holding
        del self._connecting[eio_sid]
        return held

    async def _send_packet(self, eio_sid: str, pkt: Any) -> None:
        if pkt.packet_type == packet.CONNECT and self.recovery is not None:
            pid = self.recovery.connect_pid(eio_sid, namespace_name(pkt.namespace))
            if pid is not None:
                pkt.data = {**pkt.data, "pid": pid}
        held = self._connecting.get(eio_sid)
        if held is not None and pkt.packet_type not in (packet.CONNECT, packet.CONNECT_ERROR):
            send = super()._send_packet
            held.append((namespace_name(pkt.namespace), packet_offset(pkt),
                         lambda: send(eio_sid, pkt)))
            return
        await super()._send_packet(eio_sid, pkt)

    async def _send_eio_packet(self, eio_sid: str, eio_pkt: Any) -> None:
        recovery = self.recovery
        if (recovery is not None and eio_sid in recovery.replayed_upto
                and isinstance(eio_pkt.data, str) and recovery.repeats_replay(
                    eio_sid, self.packet_class(encoded_packet=eio_pkt.data))):
            return  # it was replayed already: each event goes once
        if (recovery is not None and recovery.without_offsets and isinstance(eio_pkt.data, str)
                and eio_sid in recovery.without_offsets):
            eio_pkt = without_offset(self.packet_class, eio_pkt)
        held = self._connecting.get(eio_sid)
        if held is not None:
            send = super()._send_eio_packet
            if isinstance(eio_pkt.data, bytes):  # an attachment follows its packet
                namespace, offset = held[-1][:2]
            else:
                decoded = self.packet_class(encoded_packet=eio_pkt.data)
                namespace, offset = namespace_name(decoded.namespace), packet_offset(decoded)
            held.append((namespace, offset, lambda: send(eio_sid, eio_pkt)))
            return
        await super()._send_eio_packet(eio_sid, eio_pkt)


__all__ = ["AsynctionServer", "OutgoingEvent"]
