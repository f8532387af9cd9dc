"""Connection state recovery attacked: ids, offsets and memory a client must not reach.

Each test is a finding of a security review that the code before it failed: a returning
client's sid handed to other users' connections, an invented offset replaying a room's
past, a malformed one raising a false alarm, a burst of emits pinning memory, a pid holder
closing or using up someone's live connection (one project's log read by another:
test_redis_store.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.contrib.auth.models import User
from django.test import override_settings

from asynction_django import get_server
from asynction_django.recovery.records import LoggedEmit, encode_emit
from asynction_django.testing import AsyncSocketIOClient, SocketIOTestCase
from tests import recovery_handlers
from tests.support import REDIS, SPECS, require_service, unique, wait_until

SPEC = SPECS / "recovery.yaml"
REDIS_URL = "redis://127.0.0.1:6379/15"


class IdsAreNeverSharedMixin:
    """A returning client's CONNECT, handled while many other users' connections arrive.

    Its connect handler awaits (``skip_middlewares`` off) or its security check runs a sync
    info function in a worker thread: either way other connections run meanwhile, and
    none may be handed the returning client's sid.
    """

    rounds = 4
    others = 30

    def run_on_loop(self, coroutine: Any) -> Any:
        return self._socketio_loop.run(coroutine, 60)

    def exercise(self, namespace: str, auth: dict[str, Any] | None,
                 query: dict[str, str] | None) -> None:
        alice = self.socketio_client(namespace, auth=auth, query=query,
                                     user=User.objects.create_user(unique("alice")))
        sid = alice.call("whoami", namespace=namespace)["sid"]
        if namespace == "/":
            alice.emit("join", "alice-only")
            alice.call("whoami")
        bob = User.objects.create_user(unique("bob"))
        for round_ in range(self.rounds):
            with self.subTest(round=round_):
                alice.drop()
                others = [AsyncSocketIOClient(query=query, user=bob)
                          for _ in range(self.others)]
                self.addCleanup(self.run_on_loop, self._close_all(others))
                sids = self.run_on_loop(self._connect_all(alice.async_client, others,
                                                          namespace, auth))
                self.assertEqual(sids[0], sid)
                self.assertTrue(alice.recovered[namespace])
                self.assertNotIn(sid, sids[1:])
                self.assertEqual(len(set(sids)), len(sids), "an id was handed out twice")
                self.run_on_loop(self._nothing_crosses(alice.async_client, others, sid,
                                                       namespace))
                self.run_on_loop(self._close_all(others))

    @staticmethod
    async def _connect_all(alice: AsyncSocketIOClient, others: list[AsyncSocketIOClient],
                           namespace: str, auth: dict[str, Any] | None) -> list[str]:
        return list(await asyncio.gather(
            alice.connect(namespace, auth=auth, timeout=30),
            *(other.connect(namespace, auth=auth, timeout=30) for other in others)))

    @staticmethod
    async def _nothing_crosses(alice: AsyncSocketIOClient, others: list[AsyncSocketIOClient],
                               sid: str, namespace: str) -> None:
        server = get_server()
        await server.emit("news", "for alice", to=sid, namespace=namespace)
        if namespace == "/":
            await server.emit("news", "for alice's room", to="alice-only", namespace=namespace)
        for other in others:  # each other client's first news must be its own
            other_sid = (await other.call("whoami", namespace=namespace))["sid"]
            await server.emit("news", f"for {other_sid}", to=other_sid, namespace=namespace)
            received = await other.receive("news", namespace=namespace)
            assert received.args == [f"for {other_sid}"], (other_sid, received.args)
        assert (await alice.receive("news", namespace=namespace)).args == ["for alice"]
        if namespace == "/":
            received = await alice.receive("news", namespace=namespace)
            assert received.args == ["for alice's room"], received.args
        assert not [event for event in alice.events if event.name == "news"], alice.events

    @staticmethod
    async def _close_all(clients: list[AsyncSocketIOClient]) -> None:
        await asyncio.gather(*(client.disconnect() for client in clients))

    def test_a_connect_handler_that_awaits(self):
        self.exercise("/", {"slow": True}, None)

    def test_a_sync_info_function(self):
        self.exercise("/secure", None, {"key": "key-1"})


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_CONNECTION_STATE_RECOVERY={
    "skip_middlewares": False})
class IdsAreNeverSharedInMemoryTests(IdsAreNeverSharedMixin, SocketIOTestCase):
    pass


class IdsAreNeverSharedOnRedisTests(IdsAreNeverSharedMixin, SocketIOTestCase):
    def setUp(self):
        require_service("Redis", REDIS, "the tests of recovery on Redis")
        channel = unique("asynction-test")
        overrides = override_settings(
            ASYNCTION_SPEC=SPEC, ASYNCTION_MESSAGE_QUEUE=REDIS_URL,
            ASYNCTION_MESSAGE_QUEUE_OPTIONS={"channel": channel},
            ASYNCTION_CONNECTION_STATE_RECOVERY={"skip_middlewares": False})
        overrides.enable()
        self.addCleanup(overrides.disable)
        super().setUp()


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_CONNECTION_STATE_RECOVERY=True)
class ClaimsTests(SocketIOTestCase):
    def test_an_offset_before_the_connection_started_replays_nothing_older(self):
        other = self.socketio_client()
        other.emit("shout", {"room": "room-past", "text": "before you came"})
        other.call("whoami")
        client = self.socketio_client()
        sid = client.call("whoami")["sid"]
        client.emit("join", "room-past")
        client.call("whoami")
        client.drop()
        other.emit("shout", {"room": "room-past", "text": "while you were away"})
        other.call("whoami")
        client.async_client.offsets["/"] = "0"  # invented: the log's very beginning
        self.assertEqual(client.connect(), sid)
        self.assertEqual(client.receive("news").args, ["while you were away"])
        client.call("whoami")
        self.assertEqual([e.args for e in client.async_client.events if e.name == "news"], [])

    def test_malformed_offsets_are_new_connections_without_an_alarm(self):
        client = self.socketio_client()
        sid = client.call("whoami")["sid"]
        client.receive("welcome")  # with an offset
        pid = client.async_client.pids["/"]
        client.drop()
        for offset in ["²", "١", "١-0", "0x1", " 1", "1 ", "+1", "1.0", "", "9" * 21]:
            with self.subTest(offset=offset), self.assertNoLogs("asynction_django", "ERROR"):
                stranger = self.socketio_client(auth={"pid": pid, "offset": offset})
                self.assertNotEqual(stranger.call("whoami")["sid"], sid)
                self.assertFalse(stranger.recovered["/"])
        # none of them used the connection up: with its real offset it comes back
        self.assertEqual(client.connect(), sid)
        self.assertTrue(client.recovered["/"])

    def test_a_pid_holder_cannot_close_an_anonymous_live_connection(self):
        client = self.socketio_client()
        sid = client.call("whoami")["sid"]
        pid = client.async_client.pids["/"]
        thief = self.socketio_client(auth={"pid": pid})
        self.assertNotEqual(thief.call("whoami")["sid"], sid)
        self.assertFalse(thief.recovered["/"])
        self.assertEqual(client.call("whoami")["sid"], sid)  # still connected, untouched
        self.assertNotIn((sid, "transport close"), recovery_handlers.disconnects)

    def test_a_pid_holder_may_take_a_connection_whose_transport_is_known_dead(self):
        # In a fleet: a WebSocket tunnelled through a process that was killed is dead, though
        # its owner has not noticed; the client comes back as it would after a drop.
        client = self.socketio_client()
        sid = client.call("whoami")["sid"]
        client.emit("join", "room-dead")
        client.call("whoami")
        dead: list[str] = []

        async def transport_gone(eio_sid: str) -> bool:
            dead.append(eio_sid)
            return True

        recovery = get_server().recovery
        recovery.transport_gone = transport_gone
        self.addCleanup(setattr, recovery, "transport_gone", None)
        returning = self.socketio_client(auth={"pid": client.async_client.pids["/"],
                                               "offset": client.async_client.offsets["/"]})
        answer = returning.call("whoami")
        self.assertEqual((answer["sid"], answer["recovered"], answer["rooms"]),
                         (sid, True, ["room-dead"]))
        self.assertEqual(len(dead), 1)
        self.assertIn((sid, "server disconnect"), recovery_handlers.disconnects)

    def test_a_late_delivery_of_what_a_recovered_client_has_is_not_sent_again(self):
        # A process whose fanout lags behind may deliver an emit the client already had
        # before it dropped: the offset it presented says it has it.
        other = self.socketio_client()
        client = self.socketio_client()
        client.emit("join", "room-late")
        client.call("whoami")
        other.emit("shout", {"room": "room-late", "text": "had it"})
        self.assertEqual(client.receive("news").args, ["had it"])
        offset = client.async_client.offsets["/"]
        client.drop()
        client.connect()
        self.assertTrue(client.recovered["/"])
        late = LoggedEmit(offset, "/", ["room-late"], [], encode_emit("/", ["news", "had it"]))
        self._socketio_loop.run(get_server().deliver_logged(late), 10)
        other.emit("shout", {"room": "room-late", "text": "new"})
        self.assertEqual(client.receive("news").args, ["new"])  # and nothing before it

    def test_another_user_cannot_close_a_live_connection(self):
        client = self.socketio_client(user=User.objects.create_user("dora"))
        sid = client.call("whoami")["sid"]
        thief = self.socketio_client(user=User.objects.create_user("eve"),
                                     auth={"pid": client.async_client.pids["/"]})
        self.assertNotEqual(thief.call("whoami")["sid"], sid)
        self.assertEqual(client.call("whoami")["sid"], sid)

    def test_a_claim_on_another_namespace_does_not_use_the_connection_up(self):
        client = self.socketio_client()
        sid = client.call("whoami")["sid"]
        pid = client.async_client.pids["/"]
        client.drop()
        wrong = self.socketio_client("/secure", query={"key": "key-1"}, auth={"pid": pid})
        self.assertFalse(wrong.recovered["/secure"])
        self.assertEqual(client.connect(), sid)
        self.assertTrue(client.recovered["/"])


@override_settings(ASYNCTION_SPEC=SPEC)
class MemoryBoundsTests(SocketIOTestCase):
    @override_settings(ASYNCTION_CONNECTION_STATE_RECOVERY={"max_bytes": 10_000})
    def test_the_log_never_holds_more_than_max_bytes(self):
        client = self.socketio_client()
        sid = client.call("whoami")["sid"]
        client.drop()
        other = self.socketio_client()
        for number in range(10):
            other.emit("tell", {"sid": sid, "text": f"{number}" * 3_000})
        other.call("whoami")
        packets, size, _ = get_server().recovery.store.size
        self.assertLessEqual(size, 10_000)
        self.assertLess(packets, 10)
        self.assertNotEqual(client.connect(), sid)  # it missed what the cap dropped: anew

    @override_settings(ASYNCTION_CONNECTION_STATE_RECOVERY={"max_disconnection_duration": 0.2},
                       ASYNCTION_SOCKETIO={"ping_interval": 0.2, "ping_timeout": 0.2})
    def test_expired_emits_and_connections_go_without_another_emit(self):
        client = self.socketio_client()
        client.call("whoami")
        client.drop()
        other = self.socketio_client()
        for number in range(20):
            other.emit("announce", f"burst {number}")
        other.call("whoami")
        store = get_server().recovery.store
        self.assertNotEqual(store.size, (0, 0, 0))
        wait_until(lambda: store.size == (0, 0, 0), "the purge of expired recovery data", 10)
