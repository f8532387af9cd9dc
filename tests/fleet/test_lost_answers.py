"""What a fleet does with an answer that dies on its way, a tunnel whose other end died, and a
burst of Redis commands.

A long-poll answered by the session's owner for a process that forwarded the request and then
died carries packets its client never sees. If the session went on, the client's next poll
would bring the packets after them, and the lost ones would be skipped for good (recovery
replays only what comes after the client's offset). So a reply nobody receives ends the
session, and a forwarded poll's packets count as delivered only once the forwarding process
confirms it wrote them: the session's next poll waits for that word, and without it the
session ends. The client reconnects and, with recovery, gets the lost packets back.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from unittest import mock

import redis.asyncio
from django.test import SimpleTestCase
from redis.exceptions import MaxConnectionsError

from asynction_django.fleet import forwarding, tunnels
from asynction_django.fleet.forwarding import Forwarder
from asynction_django.fleet.messages import Inbox, scope_to_json
from asynction_django.redis_client import open_redis
from asynction_django.server.engine import EngineServer
from tests.support import require_service, unique

REDIS = "redis://127.0.0.1:6379/0"
POLLING = "EIO=4&transport=polling"


def http_scope(query: str, method: str = "GET") -> dict[str, Any]:
    return {"type": "http", "method": method, "path": "/socket.io/", "root_path": "",
            "query_string": query.encode(), "headers": [], "scheme": "http",
            "http_version": "1.1", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}


async def call(handler: Any, scope: dict[str, Any], body: bytes = b"") -> tuple[int, bytes]:
    """One HTTP request through an ASGI ``handler``: its status and body."""
    sent: list[dict[str, Any]] = []
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await handler(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent
                            if m["type"] == "http.response.body")


class Unconfirmed:
    """A forwarder whose last answer for every session was never confirmed written."""

    node_id = "n0000000"

    async def start(self) -> None:
        pass

    def owner_elsewhere(self, sid: str) -> None:
        return None

    def __init__(self) -> None:
        self.forgotten: list[str] = []

    async def confirmed(self, sid: str) -> bool:
        return False

    def forget(self, sid: str) -> None:
        self.forgotten.append(sid)


class LostAnswerEngineTests(SimpleTestCase):
    """The owner's side: a session whose answer was lost ends, and says so at once."""

    async def handshake(self, engine: EngineServer) -> str:
        status, body = await call(engine.handle_request, http_scope(POLLING))
        self.assertEqual(status, 200)
        return str(json.loads(body[1:])["sid"])

    def test_a_lost_answer_ends_the_session_at_once(self):
        async def scenario() -> tuple[int, bool]:
            engine = EngineServer(async_mode="asgi")
            sid = await self.handshake(engine)
            await engine.lose(sid)
            status, _ = await call(engine.handle_request, http_scope(f"{POLLING}&sid={sid}"))
            return status, sid in engine.sockets

        with self.assertLogs("engineio.server", "INFO"):  # python-engineio: no such session
            self.assertEqual(asyncio.run(scenario()), (400, False))

    def test_a_poll_after_an_unconfirmed_answer_is_refused_and_ends_the_session(self):
        async def scenario() -> list[int]:
            engine = EngineServer(async_mode="asgi")
            sid = await self.handshake(engine)
            engine.forwarder = Unconfirmed()
            first = await call(engine.handle_request, http_scope(f"{POLLING}&sid={sid}"))
            engine.forwarder = None  # the session is over, whatever comes next
            again = await call(engine.handle_request, http_scope(f"{POLLING}&sid={sid}"))
            return [first[0], again[0]]

        with self.assertLogs("engineio.server", "INFO"):
            self.assertEqual(asyncio.run(scenario()), [400, 400])

    def test_an_ended_session_is_forgotten_by_the_forwarder(self):
        async def scenario() -> tuple[str, list[str]]:
            engine = EngineServer(async_mode="asgi")
            sid = await self.handshake(engine)
            engine.forwarder = forwarder = Unconfirmed()
            await engine.lose(sid)
            return sid, forwarder.forgotten

        sid, forgotten = asyncio.run(scenario())
        self.assertEqual(forgotten, [sid])  # no unconfirmed poll of it kept for ever

    def test_a_confirmed_session_polls_on(self):
        async def scenario() -> tuple[int, bytes]:
            engine = EngineServer(async_mode="asgi", ping_interval=0.2)
            sid = await self.handshake(engine)
            return await call(engine.handle_request, http_scope(f"{POLLING}&sid={sid}"))

        self.assertEqual(asyncio.run(scenario()), (200, b"2"))  # the next packet: a PING


class ForwarderAnswerTests(SimpleTestCase):
    """Both sides through a real Redis: a reply nobody receives, one nobody confirms, and
    the whole round (forwarded, answered, written, confirmed)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        require_service("Redis", ("127.0.0.1", 6379), "the fleet's answers")

    def forwarder(self, prefix: str, node: str, lost: list[str]) -> Forwarder:
        async def handler(scope: dict[str, Any], receive: Any, send: Any) -> None:
            await receive()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"4hello"})

        async def record(sid: str) -> None:
            lost.append(sid)

        return Forwarder(REDIS, prefix, node, handler, reply_timeout=2, max_body=1000,
                         lost=record)

    def test_a_reply_nobody_receives_is_reported_lost(self):
        async def scenario() -> list[str]:
            lost: list[str] = []
            owner = self.forwarder(unique("fleet"), "owner000", lost)
            try:
                for method in ("GET", "POST"):
                    await owner._serve_http({"k": "http", "id": "r1", "r": "gone0000", "s":
                                             scope_to_json(http_scope(f"{POLLING}&sid=s-{method}",
                                                                      method))}, b"")
            finally:
                await owner.close()
            return lost

        self.assertEqual(asyncio.run(scenario()), ["s-GET", "s-POST"])

    def test_a_poll_answer_nobody_confirms_is_not_delivered(self):
        async def scenario() -> tuple[list[str], bool]:
            lost: list[str] = []
            prefix = unique("fleet")
            owner = self.forwarder(prefix, "owner000", lost)
            silent = self.forwarder(prefix, "silent00", lost)  # listens, never confirms
            await silent.start()
            try:
                await owner._serve_http({"k": "http", "id": "r1", "r": "silent00", "s":
                                         scope_to_json(http_scope(f"{POLLING}&sid=s1"))}, b"")
                with mock.patch.object(forwarding, "CONFIRM_WAIT", 0.2):
                    unconfirmed = await owner.confirmed("s1")
                await owner._serve_http({"k": "http", "id": "r2", "r": "silent00", "s":
                                         scope_to_json(http_scope(f"{POLLING}&sid=s2"))}, b"")
                owner.forget("s2")  # the session ended: nothing is kept of it
                self.assertEqual(owner._unconfirmed, {})
                return lost, unconfirmed
            finally:
                await owner.close()
                await silent.close()

        self.assertEqual(asyncio.run(scenario()), ([], False))

    def test_a_forwarded_poll_is_answered_written_and_confirmed(self):
        async def scenario() -> tuple[tuple[int, bytes], list[str], bool]:
            lost: list[str] = []
            prefix = unique("fleet")
            owner = self.forwarder(prefix, "owner000", lost)
            relay = self.forwarder(prefix, "relay000", lost)
            await owner.start()
            await relay.start()
            try:
                answer = await call(
                    lambda scope, receive, send: relay.forward_http(scope, receive, send,
                                                                    "owner000"),
                    http_scope(f"{POLLING}&sid=s1"))
                with mock.patch.object(forwarding, "CONFIRM_WAIT", 5.0):
                    return answer, lost, await owner.confirmed("s1")
            finally:
                await owner.close()
                await relay.close()

        self.assertEqual(asyncio.run(scenario()), ((200, b"4hello"), [], True))


class LeavingAndDeadRelayTests(SimpleTestCase):
    """A relaying process that leaves has its pending long-polls answered by their owners;
    an owner can tell a WebSocket relayed through a process that died."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        require_service("Redis", ("127.0.0.1", 6379), "the fleet's relays")

    def test_a_leaving_relay_has_its_pending_polls_answered_at_once(self):
        async def scenario() -> tuple[bool, tuple[int, bytes], list[str]]:
            prefix, asked = unique("fleet"), []
            answered = asyncio.Event()

            async def long_poll(scope: dict[str, Any], receive: Any, send: Any) -> None:
                await receive()
                await answered.wait()  # the engine holds the poll until it has something
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": b"6"})  # a NOOP

            def answer_poll(sid: str) -> None:
                asked.append(sid)
                answered.set()

            owner = Forwarder(REDIS, prefix, "owner000", long_poll, reply_timeout=30,
                              max_body=1000, answer_poll=answer_poll)
            relay = Forwarder(REDIS, prefix, "relay000", long_poll, reply_timeout=30,
                              max_body=1000)
            await owner.start()
            await relay.start()
            try:
                pending = asyncio.ensure_future(call(
                    lambda scope, receive, send: relay.forward_http(scope, receive, send,
                                                                    "owner000"),
                    http_scope(f"{POLLING}&sid=s1")))
                while not relay._forwarded:  # forwarded: the owner holds the poll
                    await asyncio.sleep(0.01)
                await relay.finish(10)
                finished = not relay._forwarded  # it returned once the poll was answered
                return finished, await pending, asked
            finally:
                await owner.close()
                await relay.close()

        self.assertEqual(asyncio.run(scenario()), (True, (200, b"6"), ["s1"]))

    def test_an_owner_tells_a_websocket_relayed_through_a_dead_process(self):
        async def scenario() -> list[bool]:
            prefix = unique("fleet")
            owner = self.owner(prefix)
            living = self.owner(prefix, "living00")
            await living.start()
            try:
                owner._served_through.update({"via-dead": "gone0000", "via-living": "living00"})
                return [await owner.relay_gone("via-dead"), await owner.relay_gone("via-living"),
                        await owner.relay_gone("direct")]
            finally:
                await owner.close()
                await living.close()

        self.assertEqual(asyncio.run(scenario()), [True, False, False])

    def test_tunnels_whose_other_end_died_are_ended_at_once(self):
        async def scenario() -> dict[str, str]:
            prefix = unique("fleet")
            node = self.owner(prefix)
            living = self.owner(prefix, "living00")
            await living.start()
            ends = {}
            for tunnel in ("served-dead", "relayed-dead", "served-living"):
                node._tunnels[tunnel] = Inbox(1000)
            node._serving.update({"served-dead": "gone0000", "served-living": "living00"})
            node._relayed["relayed-dead"] = "gone0000"
            try:
                with mock.patch.object(tunnels, "WATCH_EVERY", 0.05):
                    await node.start()
                    for tunnel in ("served-dead", "relayed-dead"):
                        header, _ = await asyncio.wait_for(node._tunnels[tunnel].get(), 5)
                        ends[tunnel] = header["k"]
                ends["served-living"] = str(len(node._tunnels["served-living"]))
            finally:
                await node.close()
                await living.close()
            return ends

        # the owner's engine is told its client left; the relayed client's WebSocket closes
        self.assertEqual(asyncio.run(scenario()), {"served-dead": "ws-end",
                                                   "relayed-dead": "ws-close",
                                                   "served-living": "0"})

    @staticmethod
    def owner(prefix: str, node: str = "owner000") -> Forwarder:
        async def handler(scope: dict[str, Any], receive: Any, send: Any) -> None:
            raise AssertionError("no request is served here")

        return Forwarder(REDIS, prefix, node, handler, reply_timeout=2, max_body=1000)


class RedisPoolTests(SimpleTestCase):
    """A burst of commands beyond the pool waits its turn instead of failing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        require_service("Redis", ("127.0.0.1", 6379), "the Redis pool")

    @staticmethod
    async def burst(client: Any, commands: int) -> list[Any]:
        key = unique("empty")
        try:
            return await asyncio.gather(*(client.blpop([key], timeout=0.05)
                                          for _ in range(commands)))
        finally:
            await client.aclose()

    def test_a_burst_beyond_the_pool_waits_its_turn(self):
        answers = asyncio.run(self.burst(open_redis(REDIS, max_connections=3), 20))
        self.assertEqual(answers, [None] * 20)

    def test_redis_pys_own_pool_would_refuse_it(self):  # the test above can fail
        with self.assertRaises(MaxConnectionsError):
            asyncio.run(self.burst(redis.asyncio.Redis.from_url(REDIS, max_connections=3), 20))
