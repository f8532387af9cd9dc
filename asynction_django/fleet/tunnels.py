"""The WebSockets of a fleet: one accepted by a process that does not own its session is
tunnelled, frame by frame, to the owner's engine through Redis (see :mod:`.forwarding`).

Both ends are here. The relaying process (:meth:`Tunnels.forward_websocket`) passes the
client's frames to the owner and the owner's to the client; the owner
(:meth:`Tunnels._serve_websocket`) runs the WebSocket through its own Engine.IO server as if
the client had come to it. Either end learns at once when the other is gone: a frame nobody
receives ends the tunnel, so a session is never left open on a transport that died.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from ..logs import broker_logger
from .messages import Inbox, frame, query_sid, scope_from_json, scope_to_json
from .nodes import HEARTBEAT_TTL

# Frames one tunnel may hold for its reader, in messages of the largest size allowed: a
# client flooding an engine that stopped reading it (backpressure), or a client too slow to
# take what its owner sends, ends its tunnel instead of filling this process's memory.
TUNNEL_BACKLOG = 4
RELAY_END_TIMEOUT = 5.0  # seconds a relay waits for its owner to end the session it hands back
# Seconds between two looks at the nodes at the other end of this node's tunnels: a tunnel
# whose other end died is ended within this (one probe per node, not per tunnel).
WATCH_EVERY = 1.0


class Tunnels:
    """Both ends of the fleet's WebSocket tunnels (a part of :class:`.Forwarder`)."""

    node_id: str
    max_body: int
    handler: Callable[[dict[str, Any], Any, Any], Awaitable[Any]]
    _tunnels: dict[str, Inbox]
    _relayed: dict[str, str]  # tunnels this node relays: id -> owner node
    _served_through: dict[str, str]  # sids served here through another node: sid -> node
    _serving: dict[str, str]  # tunnels served here: id -> the node relaying it

    async def _publish(self, node_id: str, header: dict[str, Any], body: bytes = b"") -> bool:
        raise NotImplementedError

    async def alive(self, node_id: str) -> bool:
        raise NotImplementedError

    # The process that received the WebSocket ---------------------------------------

    async def forward_websocket(self, scope: dict[str, Any], receive: Any, send: Any,
                                owner: str) -> None:
        await receive()  # websocket.connect
        tunnel = secrets.token_hex(8)
        inbox = Inbox(TUNNEL_BACKLOG * self.max_body)
        self._tunnels[tunnel] = inbox
        self._relayed[tunnel] = owner
        try:
            if not await self._publish(owner, {"k": "ws-open", "id": tunnel,
                                               "r": self.node_id, "s": scope_to_json(scope)}):
                await send({"type": "websocket.close", "code": 1000})
                return
            client = asyncio.ensure_future(self._client_to_owner(receive, owner, tunnel, inbox))
            try:
                await self._owner_to_client(inbox, send, owner)
            finally:
                client.cancel()
        finally:
            self._tunnels.pop(tunnel, None)
            self._relayed.pop(tunnel, None)

    def relayed(self) -> list[str]:
        """The WebSockets this node relays to other nodes (their tunnel ids)."""
        return list(self._relayed)

    async def end_relay(self, tunnel: str) -> None:
        """Hand a relayed WebSocket back: its owner ends the session first (and keeps it,
        with recovery on), then its client is closed here, and reconnects elsewhere."""
        owner, inbox = self._relayed.get(tunnel), self._tunnels.get(tunnel)
        if owner is None or inbox is None:
            return
        await self._publish(owner, {"k": "ws-end", "id": tunnel})
        # The owner's close comes back through the tunnel once the session has ended there
        # (and is kept): only then may the client come back, or its claim would find it
        # still open. Closed from here if that close is slow to come.
        deadline = asyncio.get_running_loop().time() + RELAY_END_TIMEOUT
        while tunnel in self._relayed and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        inbox.put({"k": "ws-close", "id": tunnel, "code": 1001}, b"")

    async def _client_to_owner(self, receive: Any, owner: str, tunnel: str,
                               inbox: Inbox) -> None:
        while True:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                await self._publish(owner, {"k": "ws-end", "id": tunnel})
                return
            text = event.get("text")
            if text is not None:
                heard = await self._publish(owner, {"k": "ws-in", "id": tunnel, "t": 1},
                                            text.encode())
            else:
                heard = await self._publish(owner, {"k": "ws-in", "id": tunnel},
                                            event.get("bytes") or b"")
            if not heard:  # the owner died: the client learns it now, not at its next ping
                inbox.put({"k": "ws-close", "id": tunnel, "code": 1001}, b"")
                return

    async def _owner_to_client(self, inbox: Inbox,
                               send: Any, owner: str) -> None:
        while True:
            try:
                header, body = await asyncio.wait_for(inbox.get(), HEARTBEAT_TTL)
            except TimeoutError:
                if await self.alive(owner):
                    continue
                await send({"type": "websocket.close", "code": 1001})
                return
            kind = header["k"]
            if kind == "ws-accept":
                await send({"type": "websocket.accept"})
            elif kind == "ws-out":
                await send({"type": "websocket.send", **frame(header, body)})
            else:  # ws-close
                await send({"type": "websocket.close", "code": header.get("code", 1000)})
                return

    async def _watch_tunnels(self) -> None:
        """End the tunnels whose other end died without a word (SIGKILL, a lost machine):
        nothing else would tell this end before the client's ping timeout. Its client's
        connection is gone with that node; ending the tunnel now ends (and, with recovery,
        keeps) the session at once, or closes the client's WebSocket so it reconnects."""
        while True:
            await asyncio.sleep(WATCH_EVERY)
            ends = {**{tunnel: (node, "ws-close") for tunnel, node in self._relayed.items()},
                    **{tunnel: (node, "ws-end") for tunnel, node in self._serving.items()}}
            nodes = {node for node, _ in ends.values()}
            try:
                dead = {node for node in nodes
                        if not await self._publish(node, {"k": "probe", "id": ""})}
            except Exception:  # noqa: BLE001 - Redis is down: looked at again next time
                continue
            for tunnel, (node, end) in ends.items():
                inbox = self._tunnels.get(tunnel)
                if node in dead and inbox is not None:
                    inbox.put({"k": end, "id": tunnel, "code": 1001}, b"")

    # The process that owns the session ----------------------------------------------

    async def relay_gone(self, eio_sid: str) -> bool:
        """Whether ``eio_sid``'s WebSocket comes through a node that is gone (killed without
        a word): its client has lost it, though nothing told this node yet."""
        through = self._served_through.get(eio_sid)
        return through is not None and not await self._publish(through,
                                                                {"k": "probe", "id": ""})

    async def _serve_websocket(self, header: dict[str, Any]) -> None:
        tunnel, forwarder = header["id"], header["r"]
        inbox = self._tunnels[tunnel]
        self._serving[tunnel] = forwarder
        connected = False
        eio_sid = query_sid(header["s"]["query_string"])
        if eio_sid is not None:  # an upgrade; a WebSocket-only client's sid is in its OPEN
            self._served_through[eio_sid] = forwarder

        async def publish(header: dict[str, Any], body: bytes = b"") -> None:
            nonlocal eio_sid
            if eio_sid is None and body[:1] == b"0":  # Engine.IO OPEN: {"sid": ...}
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    eio_sid = json.loads(body[1:])["sid"]
                    self._served_through[eio_sid] = forwarder
            if not await self._publish(forwarder, header, body):
                # The node relaying this WebSocket died: so did its client's connection.
                inbox.put({"k": "ws-end", "id": tunnel, "code": 1001}, b"")

        async def receive() -> dict[str, Any]:
            nonlocal connected
            if not connected:
                connected = True
                return {"type": "websocket.connect"}
            arrived, body = await inbox.get()
            if arrived["k"] == "ws-end":
                return {"type": "websocket.disconnect", "code": arrived.get("code", 1000)}
            return {"type": "websocket.receive", **frame(arrived, body)}

        async def send(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind == "websocket.accept":
                await publish({"k": "ws-accept", "id": tunnel})
            elif kind == "websocket.send":
                text = message.get("text")
                if text is not None:
                    await publish({"k": "ws-out", "id": tunnel, "t": 1}, text.encode())
                else:
                    await publish({"k": "ws-out", "id": tunnel}, message.get("bytes") or b"")
            elif kind == "websocket.close":
                await publish({"k": "ws-close", "id": tunnel,
                               "code": message.get("code", 1000)})

        try:
            await self.handler(scope_from_json(header["s"]), receive, send)
        except Exception:  # noqa: BLE001 - the tunnel ends; the client reconnects
            broker_logger.exception("a forwarded WebSocket failed")
        finally:
            self._tunnels.pop(tunnel, None)
            self._serving.pop(tunnel, None)
            if eio_sid is not None:
                self._served_through.pop(eio_sid, None)
            with contextlib.suppress(Exception):
                await self._publish(forwarder, {"k": "ws-close", "id": tunnel, "code": 1000})
