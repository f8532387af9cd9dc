"""Requests for a session another process owns, served by that process through Redis.

Behind a round-robin balancer (or ``uvicorn --workers N``, whose workers share one port),
every request of a long-polling session — and its WebSocket upgrade — may reach any
process. The one that receives a request for a session it does not hold forwards it to the
owner (:mod:`.nodes` tells which): a long-poll GET or a POST travels as one message and its
answer as another; a WebSocket is accepted here and tunnelled, frame by frame, to the
owner's engine. The owner runs the request through its own Engine.IO server exactly as if
it had arrived there, so every protocol rule and limit applies unchanged.

Each process subscribes to one Redis channel of its own; every message names what it
belongs to (a request id, a tunnel id). Payloads are bytes after a JSON header line.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from ..logs import broker_logger
from ..redis_client import open_redis
from .messages import Inbox, decode, encode, query_sid, scope_from_json, scope_to_json
from .nodes import HEARTBEAT_EVERY, HEARTBEAT_TTL, owner_of
from .tunnels import TUNNEL_BACKLOG, Tunnels

Handler = Callable[[dict[str, Any], Any, Any], Awaitable[Any]]
TAKEOVER_TIMEOUT = 5.0  # seconds a node may take to close a connection another node claims
# Seconds a session's next long-poll waits for word that the answer to its last forwarded
# one reached its client (it normally comes first: it leaves as that answer is written).
CONFIRM_WAIT = 2.0
class Forwarder(Tunnels):
    """This process's end of the fleet: forwards what is not its own, serves what is."""

    def __init__(self, url: str, prefix: str, node_id: str, handler: Handler,
                 reply_timeout: float, max_body: int,
                 lost: Callable[[str], Awaitable[None]] | None = None,
                 answer_poll: Callable[[str], None] | None = None, **redis_options: Any):
        self.redis: Any = open_redis(url, **redis_options)
        self.prefix = prefix
        self.node_id = node_id
        self.handler = handler  # the engine's handle_request(scope, receive, send)
        self.lost = lost  # the engine's lose(sid): a long-poll's answer went nowhere
        self.answer_poll = answer_poll  # the engine's answer_poll(sid): see finish()
        self._forwarded: dict[str, tuple[str, str | None]] = {}  # request -> (owner, sid)
        # Sessions whose last forwarded long-poll answer is not confirmed written yet
        self._unconfirmed: dict[str, asyncio.Event] = {}
        self.reply_timeout = reply_timeout
        self.max_body = max_body
        self._replies: dict[str, asyncio.Future[tuple[dict[str, Any], bytes]]] = {}
        self._tunnels: dict[str, Inbox] = {}
        self._relayed: dict[str, str] = {}  # tunnels this node relays: id -> owner node
        # Engine.IO sids whose WebSocket reaches this node through another: sid -> that node
        self._served_through: dict[str, str] = {}
        self._serving: dict[str, str] = {}  # tunnels served here: id -> relaying node
        self.leaving = False  # set as a draining process's last phase begins (see finish)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started: asyncio.Future[None] | None = None
        # Set by building when recovery keeps connected clients in Redis: (namespace, pid,
        # user) -> whether this node closed that connection (and kept it) for another.
        self.on_takeover: Callable[[str, str, str | None], Awaitable[bool]] | None = None

    def owner_elsewhere(self, sid: str) -> str | None:
        """The node that owns ``sid`` when it is another process (None: ours, or no node's)."""
        owner = owner_of(sid)
        return owner if owner is not None and owner != self.node_id else None

    def channel(self, node_id: str) -> str:
        return f"{self.prefix}:fleet:{node_id}"

    def _alive_key(self, node_id: str) -> str:
        return f"{self.prefix}:fleet:node:{node_id}"

    # Starting -----------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe and announce this node (once; later calls wait for the first)."""
        if self._started is None:
            self._started = asyncio.get_running_loop().create_future()
            pubsub = self.redis.pubsub()
            await pubsub.subscribe(self.channel(self.node_id))
            await self.redis.set(self._alive_key(self.node_id), "1", ex=HEARTBEAT_TTL)
            self._spawn(self._listen(pubsub))
            self._spawn(self._heartbeat())
            self._spawn(self._watch_tunnels())
            self._started.set_result(None)
        await self._started

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_EVERY)
            try:
                await self.redis.set(self._alive_key(self.node_id), "1", ex=HEARTBEAT_TTL)
            except Exception:  # noqa: BLE001 - Redis is down: retried at the next beat
                broker_logger.warning("the fleet heartbeat could not reach Redis",
                                      exc_info=True)

    async def alive(self, node_id: str) -> bool:
        return bool(await self.redis.exists(self._alive_key(node_id)))

    async def _publish(self, node_id: str, header: dict[str, Any], body: bytes = b"") -> bool:
        """Whether a process was listening (a node killed without a word has no listener,
        even while its heartbeat key lasts)."""
        return bool(await self.redis.publish(self.channel(node_id), encode(header, body)))

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                   timeout=None)
            except Exception:  # noqa: BLE001 - Redis went away: reconnect and go on
                broker_logger.warning("the fleet channel lost Redis; resubscribing",
                                      exc_info=True)
                await asyncio.sleep(1)
                with contextlib.suppress(Exception):
                    await pubsub.subscribe(self.channel(self.node_id))
                continue
            if message is None:
                continue
            header, body = decode(message["data"])
            kind = header["k"]
            if kind == "http":
                self._spawn(self._serve_http(header, body))
            elif kind == "reply":
                waiting = self._replies.pop(header["id"], None)
                if waiting is not None and not waiting.done():
                    waiting.set_result((header, body))
            elif kind == "confirm":
                written = self._unconfirmed.pop(header["sid"], None)
                if written is not None:
                    written.set()
            elif kind == "answer-poll":
                if self.answer_poll is not None:
                    self.answer_poll(header["sid"])
            elif kind == "takeover":
                self._spawn(self._hand_over(header))
            elif kind == "ws-open":
                self._tunnels[header["id"]] = Inbox(TUNNEL_BACKLOG * self.max_body)
                self._spawn(self._serve_websocket(header))
            elif kind == "probe":
                continue  # only asks whether anybody listens here
            else:  # a frame or the end of a tunnel, on either side
                tunnel = self._tunnels.get(header["id"])
                if tunnel is not None:
                    tunnel.put(header, body)

    # The process that received the request ------------------------------------------

    async def forward_http(self, scope: dict[str, Any], receive: Any, send: Any,
                           owner: str) -> None:
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if len(body) > self.max_body:
                return await _respond(send, 413, b"Payload Too Large")
            if not event.get("more_body"):
                break
        request = secrets.token_hex(8)
        answer = asyncio.get_running_loop().create_future()
        self._replies[request] = answer
        sent = scope_to_json(scope)
        self._forwarded[request] = (owner, query_sid(sent["query_string"]))
        try:
            if not await self._publish(owner, {"k": "http", "id": request, "r": self.node_id,
                                               "s": sent}, body):
                return await _respond(send, 400, b"Bad Request")  # nobody there any more
            sid = query_sid(sent["query_string"])
            if self.leaving and sid is not None and scope.get("method") == "GET":
                # This process is stopping (and its server waits for open requests): the
                # poll comes back now, and the client's next one goes to another process.
                await self._publish(owner, {"k": "answer-poll", "sid": sid})
            header, content = await asyncio.wait_for(answer, self.reply_timeout)
        except TimeoutError:
            return await _respond(send, 400, b"Bad Request")
        finally:
            self._replies.pop(request, None)
            self._forwarded.pop(request, None)
        await send({"type": "http.response.start", "status": header["status"],
                    "headers": [(n.encode("latin-1"), v.encode("latin-1"))
                                for n, v in header["headers"]]})
        await send({"type": "http.response.body", "body": content})
        sid = query_sid(sent["query_string"])
        if header.get("confirm") and sid is not None:
            await self._publish(owner, {"k": "confirm", "sid": sid})

    def forget(self, sid: str) -> None:
        """A session ended: its last forwarded poll will never be asked about again."""
        self._unconfirmed.pop(sid, None)

    async def confirmed(self, sid: str) -> bool:
        """Whether the answer to ``sid``'s last forwarded long-poll reached its client (or
        none is outstanding): a process that died holding it has lost its packets, and
        the next poll must not carry later ones past them (see EngineServer.lose)."""
        written = self._unconfirmed.get(sid)
        if written is None:
            return True
        try:
            await asyncio.wait_for(written.wait(), CONFIRM_WAIT)
        except TimeoutError:
            self._unconfirmed.pop(sid, None)
            return False
        return True

    async def finish(self, timeout: float) -> None:
        """Have every request this node forwarded answered (a pending long-poll, even one
        that arrives meanwhile, is answered by its owner at once), for up to ``timeout``
        seconds."""
        self.leaving = True  # from now on, a long-poll it forwards is answered at once
        loop = asyncio.get_running_loop()
        deadline, asked = loop.time() + timeout, set()
        while self._forwarded and loop.time() < deadline:
            for request, (owner, sid) in list(self._forwarded.items()):
                if sid is not None and request not in asked:
                    asked.add(request)
                    await self._publish(owner, {"k": "answer-poll", "sid": sid})
            await asyncio.sleep(0.05)  # looks again; each answer takes milliseconds

    async def take_over(self, node: str, namespace: str, pid: str,
                        user: str | None) -> bool | None:
        """Ask ``node`` to close the connection ``pid`` names and keep it: True if it did,
        False if it refused or did not answer in time, None if nobody listens there (a
        node killed without a word)."""
        request = secrets.token_hex(8)
        answer = asyncio.get_running_loop().create_future()
        self._replies[request] = answer
        try:
            if not await self._publish(node, {"k": "takeover", "id": request,
                                              "r": self.node_id, "ns": namespace, "pid": pid,
                                              "user": user}):
                return None
            header, _ = await asyncio.wait_for(answer, TAKEOVER_TIMEOUT)
        except TimeoutError:
            return False
        finally:
            self._replies.pop(request, None)
        return bool(header.get("ok"))

    # The process that owns the session ----------------------------------------------

    async def _hand_over(self, header: dict[str, Any]) -> None:
        handed = False
        if self.on_takeover is not None:
            try:
                handed = await self.on_takeover(header["ns"], header["pid"], header["user"])
            except Exception:  # noqa: BLE001 - not handed over: the claim starts anew
                broker_logger.exception("a connection could not be handed to another node")
        await self._publish(header["r"], {"k": "reply", "id": header["id"], "ok": handed})

    async def _serve_http(self, header: dict[str, Any], body: bytes) -> None:
        response: dict[str, Any] = {"status": 500, "headers": []}
        content = bytearray()
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}  # the engine reads the body only

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["headers"] = [[n.decode("latin-1"), v.decode("latin-1")]
                                       for n, v in message.get("headers", ())]
            elif message["type"] == "http.response.body":
                content.extend(message.get("body", b""))

        scope = scope_from_json(header["s"])
        try:
            await self.handler(scope, receive, send)
        except Exception:  # noqa: BLE001 - answered as the engine would answer a crash
            broker_logger.exception("a forwarded request failed")
        sid = query_sid(header["s"]["query_string"])
        polled = sid is not None and scope.get("method") == "GET" and response["status"] == 200
        if polled and sid is not None:  # its packets count once the forwarder wrote them
            self._unconfirmed[sid] = asyncio.Event()
        if await self._publish(header["r"], {"k": "reply", "id": header["id"],
                                             "confirm": polled, **response}, bytes(content)):
            return
        if polled and sid is not None:
            self._unconfirmed.pop(sid, None)
        # The process that forwarded it died with the request: what the answer carried is
        # lost, and its client must not go on as if it was not (see EngineServer.lose); a
        # POST retried by the balancer elsewhere finds the session gone, not run twice.
        if sid is not None and self.lost is not None:
            await self.lost(sid)  # a POST's too: a balancer retrying it must not repeat it

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            await self.redis.delete(self._alive_key(self.node_id))
        await self.redis.aclose()


async def _respond(send: Any, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain"),
                            (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})
