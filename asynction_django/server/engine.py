"""python-engineio's server, held to the Engine.IO protocol and to its limits.

Where python-engineio 4 diverges from the protocol (and from Node's reference server,
which the official test suites check), this subclass answers as the protocol says:

- a request without ``transport``, or with a method other than GET, POST or OPTIONS, is
  a 400; a POST is answered ``ok``;
- a long-polling POST larger than ``max_http_buffer_size`` is answered 413 at once, and a
  POST whose payload cannot be decoded is a 400 that ends the session (closing a
  long-polling session never waits for a poll that may not come);
- a second long-poll while one is pending, or a poll after the ping timeout, ends the
  session (400);
- a WebSocket frame that is not an Engine.IO packet ends that connection at once (close
  code 1000, which every ASGI server can send), without a traceback;
- a CLOSE packet, or a server-side disconnect, ends a WebSocket at once;
- a WebSocket's frames are read without a task and a timer each (the ping check still
  drops a silent client);
- ``pingInterval`` in the handshake keeps its milliseconds (``0.3`` s is ``300``, not
  ``0``), and no NOOP is sent over a WebSocket after an upgrade;
- a WebSocket opened for a session that has already upgraded is accepted, then closed.

And where python-engineio's defaults are unsafe for a server that trusts cookies:

- JSONP (a ``j`` query parameter) is refused (400, a WebSocket is closed): a ``<script
  src>`` sends the victim's cookies and no ``Origin``, so the origin check cannot stop it,
  and the script would hand the authenticated session's sid to the page that loaded it.
  Socket.IO clients have not used JSONP since v3;
- every long-polling answer says ``X-Content-Type-Options: nosniff``, so a browser never
  runs or renders a payload a client chose as a script, a style sheet or HTML.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qs

import engineio
from engineio import exceptions, packet
from engineio.async_drivers.asgi import WebSocket
from engineio.async_socket import AsyncSocket

from ..logs import client_logger

METHODS = ("GET", "POST", "OPTIONS")
NOSNIFF = ("X-Content-Type-Options", "nosniff")
PACKET_TYPES = frozenset("0123456")
# The id that the connection handled by this task must get (connection state recovery):
# a context variable, so that no other connection, whatever runs meanwhile, can be handed
# it; a list, so that the first id asked for takes it and later ones are new.
_reused_id: ContextVar[list[str] | None] = ContextVar("asynction_reused_id", default=None)


@contextmanager
def reusing_id(sid: str | None) -> Iterator[None]:
    """Within this block, this task's next :meth:`EngineServer.generate_id` is ``sid``."""
    if sid is None:
        yield
        return
    token = _reused_id.set([sid])
    try:
        yield
    finally:
        _reused_id.reset(token)


class GuardedWebSocket(WebSocket):
    """python-engineio's ASGI WebSocket, ending the connection on a frame it cannot decode."""

    async def wait(self) -> Any:
        data = await super().wait()
        if isinstance(data, str) and (not data or data[0] not in PACKET_TYPES):
            client_logger.warning("closed a WebSocket that sent a frame that is not an "
                                  "Engine.IO packet")
            await self.close()
            return None  # python-engineio then ends the session, as for a closed socket
        return data


class GuardedSocket(AsyncSocket):
    """One Engine.IO session, with the protocol fixes that live at the socket level
    (python-engineio's ``AsyncSocket``; named apart from its ``Socket`` classes)."""

    connected: bool  # python-engineio's attributes this class sets (for the type checker)
    upgraded: bool
    # Set by EngineServer.lose: an answer with this session's packets never reached its
    # client, so no later packet may reach it either (it would skip the lost ones).
    lost = False

    async def poll(self) -> list[Any]:
        while True:
            packets: list[Any] = await super().poll()
            if self.lost:
                raise exceptions.QueueEmpty  # the poll is refused: the session is over
            if not packets:
                return packets
            for pkt in packets:
                if pkt.packet_type == packet.OPEN:
                    pkt.data = {**pkt.data, "pingInterval": self.server.ping_interval_ms}
            if self.upgraded:  # the NOOP that ends a pending poll has no place on a WebSocket
                packets = [pkt for pkt in packets if pkt.packet_type != packet.NOOP]
            if packets:
                return packets

    async def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        was_open = not self.closed and not self.closing
        # A long-polling client may never poll again to take the CLOSE packet: waiting for
        # it would hang whoever closes (python-engineio's disconnect() waits forever).
        await super().close(wait=wait and self.upgraded, abort=abort, reason=reason)
        if not was_open:
            return
        if self.upgraded:
            self.queue.put_nowait(None)  # the writer stops and closes the WebSocket
        elif abort:
            self.queue.put_nowait(packet.Packet(packet.NOOP))  # answers a pending poll

    async def handle_post_request(self, environ: dict[str, Any]) -> None:
        try:
            await super().handle_post_request(environ)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            client_logger.warning("ended a long-polling session that sent a payload that "
                                  "is not Engine.IO")
            raise exceptions.EngineIOError("undecodable payload") from exc

    async def _websocket_handler(self, ws: Any) -> None:
        """One WebSocket: the upgrade handshake if polling came first, a writer, a reader.

        python-engineio's reader starts a task and a timer for every frame it waits for;
        this one just waits. A client that goes silent is still dropped: the server's ping
        check closes the session, which stops the writer, which closes the WebSocket.
        """
        if self.connected and not await self._upgrade(ws):
            return
        if not self.connected:
            self.connected = True
            self.upgraded = True
        writer = asyncio.ensure_future(self._write(ws))
        try:
            while True:
                try:
                    data = await ws.wait()
                except Exception:  # noqa: BLE001 - the connection ended (or broke)
                    break
                if data is None:
                    break
                try:
                    await self.receive(packet.Packet(encoded_packet=data))
                except exceptions.UnknownPacketError:
                    continue
                except Exception:  # noqa: BLE001 - closed meanwhile, or a packet it cannot use
                    break
        finally:
            self.queue.put_nowait(None)  # the writer ends after what is queued
            await writer
            await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)

    async def _upgrade(self, ws: Any) -> bool:
        """The polling → WebSocket upgrade: probe, pending poll ended, then UPGRADE."""
        self.upgrading = True
        try:
            probe = packet.Packet(encoded_packet=await ws.wait())
            if probe.packet_type != packet.PING or probe.data != "probe":
                return False
            await ws.send(packet.Packet(packet.PONG, data="probe").encode())
            await self.queue.put(packet.Packet(packet.NOOP))  # answers the pending poll
            upgrade = packet.Packet(encoded_packet=await ws.wait())
            if upgrade.packet_type != packet.UPGRADE:
                return False
        except Exception:  # noqa: BLE001 - a broken or closed upgrade: the poll goes on
            return False
        finally:
            self.upgrading = False
        self.upgraded = True
        return True

    async def _write(self, ws: Any) -> None:
        while True:
            try:
                packets = await self.poll()
            except exceptions.QueueEmpty:
                break
            if not packets:
                break
            try:
                for pkt in packets:
                    await ws.send(pkt.encode())
            except Exception:  # noqa: BLE001 - the client went away mid-write
                break
        await ws.close()

    def timed_out(self) -> bool:
        return bool(self.last_ping) and time.time() - self.last_ping > self.server.ping_timeout


class EngineServer(engineio.AsyncServer):
    """The Engine.IO server under :class:`~asynction_django.server.AsynctionServer`."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._async: dict[str, Any] = {**self._async, "websocket": GuardedWebSocket}
        self._polling: set[str] = set()  # sessions with a long-poll GET pending
        # With a fleet (fleet/): the Forwarder that serves requests of other processes'
        # sessions; every id this engine issues then begins with its node id.
        self.forwarder: Any = None
        # With a drain window (fleet/drain.py): SIGTERM hands the clients over gradually.
        self.drain: Any = None

    def generate_id(self) -> str:
        """A new id, or the id a returning connection must get (python-socketio asks its
        engine for a namespace connection's sid): the one task that handles that CONNECT
        sees it, once, and nobody else (see :func:`reusing_id`)."""
        reused = _reused_id.get()
        if reused:
            return reused.pop()
        node = self.forwarder.node_id if self.forwarder is not None else ""
        return node + str(super().generate_id())

    async def lose(self, sid: str) -> None:
        """A long-poll's answer for ``sid`` was lost on its way (the process that forwarded
        it died): the session ends at once, and no later packet goes out after the lost
        ones. Its client reconnects; with connection state recovery it gets them back."""
        socket = self.sockets.get(sid)
        if isinstance(socket, GuardedSocket) and not socket.upgraded:
            socket.lost = True
            await socket.close(wait=False, abort=True, reason=self.reason.TRANSPORT_ERROR)

    def answer_poll(self, sid: str) -> None:
        """Answer ``sid``'s pending long-poll now (with a NOOP, or what is queued): the
        process it came through is leaving, and the client polls again elsewhere."""
        socket = self.sockets.get(sid)
        if sid in self._polling and isinstance(socket, GuardedSocket) and not socket.upgraded:
            socket.queue.put_nowait(packet.Packet(packet.NOOP))

    @property
    def ping_interval_ms(self) -> int:
        seconds: float = self.ping_interval + self.ping_interval_grace_period
        return round(seconds * 1000)

    async def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "connect":
            adopted = self.sockets.get(args[0])
            if adopted is not None and type(adopted) is AsyncSocket:
                adopted.__class__ = GuardedSocket  # same state, this module's protocol fixes
        elif event == "disconnect" and self.forwarder is not None:
            self.forwarder.forget(args[0])  # nothing of an ended session stays behind
        return await super()._trigger_event(event, *args, **kwargs)

    def _method_not_found(self) -> dict[str, Any]:
        answer: dict[str, Any] = self._bad_request("Method not allowed")
        return answer

    def _ok(self, packets: Any = None, headers: Any = None,
            jsonp_index: Any = None) -> dict[str, Any]:
        answer: dict[str, Any] = super()._ok(packets, headers, jsonp_index)
        if packets is None:
            answer["response"] = b"ok"  # a POST's answer, as the protocol writes it
        return answer

    async def _make_response(self, response_dict: dict[str, Any],
                             environ: dict[str, Any]) -> Any:
        if environ.get("asgi.scope", {}).get("type") == "http":  # not a WebSocket's accept
            response_dict = {**response_dict, "headers": [*response_dict["headers"], NOSNIFF]}
        return await super()._make_response(response_dict, environ)

    async def handle_request(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"),
                         keep_blank_values=True)
        transport = query.get("transport", [None])[0]
        sid = query.get("sid", [None])[0]
        socket = self.sockets.get(sid) if sid else None
        if "j" in query:  # JSONP, even with a blank or invalid index
            client_logger.warning("refused a JSONP request")
            if scope["type"] == "websocket":
                return await send({"type": "websocket.close", "code": 1000})
            return await _respond(send, 400, b"Bad Request")
        drain = self.drain
        if drain is not None:
            drain.install()  # on the loop, in the main thread: the first request's
            if drain.draining and (not sid or socket is None):  # another process takes it
                if scope["type"] == "websocket":
                    return await send({"type": "websocket.close", "code": 1013})
                return await _respond(send, 503, b"Service Unavailable")
        if self.forwarder is not None:
            await self.forwarder.start()  # subscribed before this node issues any id
            owner = self.forwarder.owner_elsewhere(sid) if sid and socket is None else None
            if owner is not None:  # another process's session: served there
                if scope["type"] == "websocket":
                    return await self.forwarder.forward_websocket(scope, receive, send, owner)
                return await self.forwarder.forward_http(scope, receive, send, owner)
        if scope["type"] == "websocket":
            if transport != "websocket":
                return await send({"type": "websocket.close", "code": 1000})
            if isinstance(socket, GuardedSocket) and socket.upgraded:
                await send({"type": "websocket.accept"})
                return await send({"type": "websocket.close", "code": 1000})
            return await super().handle_request(scope, receive, send)
        method = scope.get("method", "GET")
        if transport not in self.transports or method not in METHODS:
            return await _respond(send, 400, b"Bad Request")
        if method == "POST" and _content_length(scope) > self.max_http_buffer_size:
            if socket is not None:
                await self.disconnect(sid)
            return await _respond(send, 413, b"Payload Too Large")
        if method != "GET" or not isinstance(socket, GuardedSocket) or socket.upgraded:
            return await super().handle_request(scope, receive, send)
        if sid in self._polling:  # a second poll: the session ends, the first gets CLOSE
            await socket.close(wait=False, reason=self.reason.TRANSPORT_ERROR)
            return await _respond(send, 400, b"Bad Request")
        if socket.timed_out():
            await socket.close(wait=False, abort=True, reason=self.reason.PING_TIMEOUT)
            self.sockets.pop(sid, None)
            return await _respond(send, 400, b"Bad Request")
        if self.forwarder is not None and not await self.forwarder.confirmed(sid):
            await self.lose(sid)  # its last answer died with the process it went through
            return await _respond(send, 400, b"Bad Request")
        self._polling.add(sid)
        try:
            return await super().handle_request(scope, receive, send)
        finally:
            self._polling.discard(sid)


def _content_length(scope: dict[str, Any]) -> int:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _respond(send: Any, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain"),
                            (NOSNIFF[0].encode(), NOSNIFF[1].encode())]})
    await send({"type": "http.response.body", "body": body})
