"""The README's testing example, run against the example chat."""

import asyncio
import importlib.util
import os
import socket
import tempfile
import time
import unittest
import uuid
from pathlib import Path

import redis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from asynction_django import emit, presence
from asynction_django.testing import (
    ConnectionRefused,
    SocketIOLiveServerTestCase,
    SocketIOTestCase,
    SocketIOTestMixin,
    session_cookie,
)

from .models import Message

REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_CHANNEL = f"example-chat-test-{uuid.uuid4().hex[:8]}"  # its keys, this run's only


class ChatTests(SocketIOTestCase):
    def test_send_message(self):
        alice = get_user_model().objects.create_user("alice")
        client = self.socketio_client("/", user=alice, query={"client": "web"})
        client.call("join room", {"room": "lobby"})
        ack = client.call("send message", {"room": "lobby", "text": "hi"})
        self.assertIn("id", ack)
        self.assertEqual(client.receive("new message").args[0]["text"], "hi")

    def test_invalid_payload(self):
        client = self.socketio_client("/", user=get_user_model().objects.create_user("bob"))
        error = client.call("send message", {"room": "lobby", "text": ""})["error"]
        self.assertEqual(error["type"], "PayloadValidationError")

    def test_anonymous_is_refused(self):
        with self.assertRaises(ConnectionRefused) as refused:
            self.socketio_client("/")
        self.assertEqual(refused.exception.data, {"message": "Unauthorized"})

    def test_emits_from_django_code(self):
        client = self.socketio_client("/", user=get_user_model().objects.create_user("eve"))
        emit("announcement", {"text": "maintenance", "level": "info"})
        self.assertEqual(client.receive("announcement").args, [{"text": "maintenance",
                                                               "level": "info"}])

    async def test_async_style(self):
        staff = await get_user_model().objects.acreate(username="root", is_superuser=True)
        async with await self.asocketio_client("/admin", user=staff) as client:
            self.assertEqual((await client.receive("presence", namespace="/admin")).name,
                             "presence")
            reply = await client.call("broadcast", {"text": "hi", "level": "info"},
                                      namespace="/admin")
            self.assertEqual(reply, {"delivered": True})


PRESENCE = ("presence:join", "presence:leave")


def eventually(condition, what: str, timeout: float = 5.0) -> None:
    """Wait until ``condition()`` holds: the server handles a disconnect after the client
    has sent it, so what it changes is asked until it shows (never a fixed wait)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.02)


def change(event) -> tuple[str, str, str]:
    """A presence event as (join or leave, room, username)."""
    diff = event.args[0]
    return event.name.removeprefix("presence:"), diff["room"], diff["member"]["info"]["username"]


def next_change(client, room="lobby", timeout=2.0) -> tuple[str, str]:
    """The next presence event about ``room`` as (join or leave, username), passing over
    those about other rooms (every connection is also in "@online", the whole chat)."""
    while True:
        event = client.receive(timeout=timeout)
        if event.name not in PRESENCE:
            raise AssertionError(f"expected a presence event, got {event}")
        kind, where, user = change(event)
        if where == room:
            return kind, user


class PresenceAndTypingTests(SocketIOTestCase):
    """Who is in a room (the server's presence, x-presence) and who is typing, over the real
    protocol: what the page shows."""

    def setUp(self):
        users = get_user_model().objects
        self.alice, self.bob = users.create_user("alice"), users.create_user("bob")

    def joined(self, user, room="lobby"):
        client = self.socketio_client("/", user=user)
        return client, client.call("join room", {"room": room})

    def changes(self, client, room="lobby") -> list[tuple[str, str]]:
        """Every presence event about ``room`` that came to ``client`` until now (a call's
        ack comes after what the server sent before it); the others are dropped too."""
        client.call("list rooms")
        events = [change(event) for event in client.async_client.events
                  if event.name in PRESENCE]
        client.async_client.events.clear()
        return [(kind, user) for kind, where, user in events if where == room]

    def present(self, room="lobby") -> dict[str, int]:
        """Who presence counts in ``room``: username -> connections (what presence() says)."""
        return {member.info["username"]: member.connections
                for member in presence(room, namespace="/")}

    def test_the_join_ack_lists_the_members_and_the_room_sees_the_join(self):
        alice, ack = self.joined(self.alice)
        self.assertEqual(ack["members"], ["alice"])
        bob, ack = self.joined(self.bob)
        self.assertEqual(ack["members"], ["alice", "bob"])
        self.assertEqual(self.changes(alice), [("join", "alice"), ("join", "bob")])
        self.assertEqual(self.changes(bob), [("join", "bob")])  # the newcomer is told too
        self.assertEqual(self.present(), {"alice": 1, "bob": 1})

    def test_joining_another_room_leaves_the_first(self):
        alice, _ = self.joined(self.alice)
        bob, _ = self.joined(self.bob)
        self.assertEqual(bob.call("join room", {"room": "design"})["members"], ["bob"])
        self.assertEqual(self.changes(alice), [("join", "alice"), ("join", "bob"),
                                               ("leave", "bob")])
        self.assertEqual(self.changes(bob, "design"), [("join", "bob")])
        self.assertEqual((self.present(), self.present("design")), ({"alice": 1}, {"bob": 1}))
        # bob is in #design only now: #lobby's messages no longer reach him.
        alice.call("send message", {"room": "lobby", "text": "still here?"})
        alice.receive("new message")
        with self.assertRaises(AssertionError):
            bob.receive("new message", timeout=0.3)

    def test_disconnecting_is_leaving(self):
        alice, _ = self.joined(self.alice)
        bob, _ = self.joined(self.bob)
        self.changes(alice)  # the joins, done with
        bob.disconnect()
        self.assertEqual(next_change(alice), ("leave", "bob"))
        self.assertEqual(self.present(), {"alice": 1})
        self.assertEqual(self.joined(self.bob)[1]["members"], ["alice", "bob"])

    def test_two_users_with_several_connections_are_two_members(self):
        """Members appear with their first connection and go with their last; the tabs in
        between change their count, and the room is told nothing."""
        alice_1, _ = self.joined(self.alice)
        alice_2, ack = self.joined(self.alice)
        self.assertEqual(ack["members"], ["alice"])
        bob_1, _ = self.joined(self.bob)
        bob_2, ack = self.joined(self.bob)
        self.assertEqual(ack["members"], ["alice", "bob"])
        self.assertEqual(self.present(), {"alice": 2, "bob": 2})
        self.assertEqual(self.changes(alice_1), [("join", "alice"), ("join", "bob")])
        self.assertEqual(self.changes(alice_2), [("join", "bob")])  # alice was already there

        bob_1.disconnect()  # bob is still here in his second tab
        eventually(lambda: self.present() == {"alice": 2, "bob": 1}, "bob's first tab gone")
        bob_3, _ = self.joined(self.bob)  # and a third one comes
        self.assertEqual(self.present(), {"alice": 2, "bob": 2})
        self.assertEqual(self.changes(alice_1), [])  # neither was news to the room
        bob_2.disconnect()
        bob_3.call("join room", {"room": "design"})  # his last connection in #lobby goes
        self.assertEqual([next_change(tab) for tab in (alice_1, alice_2)],
                         [("leave", "bob")] * 2)
        self.assertEqual(self.present(), {"alice": 2})
        alice_1.call("join room", {"room": "design"})
        self.assertEqual(self.present(), {"alice": 1})
        self.assertEqual(self.present("design"), {"alice": 1, "bob": 1})
        self.assertEqual(self.changes(alice_2), [])  # alice is still in #lobby from here

    def test_typing_reaches_the_others_in_the_room_only(self):
        alice, _ = self.joined(self.alice)
        bob, _ = self.joined(self.bob)
        carol, _ = self.joined(get_user_model().objects.create_user("carol"), "design")
        bob.call("typing", "design", True)  # bob is not in #design: ignored
        bob.call("typing", "lobby", True)
        self.assertEqual(alice.receive("typing").args,
                         [{"room": "lobby", "user": "bob", "typing": True}])
        bob.call("typing", "lobby", False)
        self.assertEqual(alice.receive("typing").args,
                         [{"room": "lobby", "user": "bob", "typing": False}])
        for client in (bob, carol):  # not to the typist, not to another room
            with self.assertRaises(AssertionError):
                client.receive("typing", timeout=0.3)

    def test_a_typing_event_the_spec_refuses_is_answered_with_an_error(self):
        bob, _ = self.joined(self.bob)
        error = bob.call("typing", "lobby", "yes")["error"]
        self.assertEqual((error["type"], error["errors"][0]["pointer"]),
                         ("PayloadValidationError", "/1"))

    def test_a_long_message_is_refused_with_the_check_the_page_words(self):
        bob, _ = self.joined(self.bob)
        error = bob.call("send message", {"room": "lobby", "text": "x" * 600})["error"]
        self.assertEqual(error["type"], "PayloadValidationError")
        self.assertEqual([(check["pointer"], check["keyword"]) for check in error["errors"]],
                         [("/text", "maxLength")])

    async def test_the_admin_count_is_of_users_and_drops_when_they_leave(self):
        staff = await get_user_model().objects.acreate(username="root", is_superuser=True)
        async with await self.asocketio_client("/admin", user=staff) as admin:
            async def online():
                return (await admin.receive("presence")).args[0]["online"]

            self.assertEqual(await online(), 0)
            async with await self.asocketio_client("/", user=self.alice):
                self.assertEqual(await online(), 1)
                async with await self.asocketio_client("/", user=self.alice):
                    self.assertEqual(await online(), 1)  # a second tab is not a second user
                    async with await self.asocketio_client("/", user=self.bob):
                        self.assertEqual(await online(), 2)
                    self.assertEqual(await online(), 1)
                self.assertEqual(await online(), 1)
            self.assertEqual(await online(), 0)


class RateLimitTests(SocketIOTestCase):
    """The spec's x-rate-limit on `send message`: a burst of 5, then 5 a second, from each
    connection (and 300 an hour from each user)."""

    async def test_a_flood_is_refused_with_retry_after_and_the_connection_keeps_working(self):
        alice = await get_user_model().objects.acreate(username="alice")
        async with await self.asocketio_client("/", user=alice) as client:
            await client.call("join room", {"room": "lobby"})
            acks = await asyncio.gather(*(
                client.call("send message", {"room": "lobby", "text": f"flood {n}"})
                for n in range(20)))
            stored = [ack for ack in acks if "id" in ack]
            refusals = [ack["error"] for ack in acks if "error" in ack]
            self.assertGreaterEqual(len(stored), 5)  # the burst
            self.assertTrue(refusals)
            self.assertEqual(len(stored) + len(refusals), 20)
            for error in refusals:  # the next token comes within 1 s / 5
                self.assertEqual(error["type"], "RateLimited")
                self.assertGreater(error["retry_after"], 0)
                self.assertLessEqual(error["retry_after"], 0.2)
            # Refused events were never handled: nothing stored, nothing sent to the room.
            self.assertEqual(await Message.objects.acount(), len(stored))
            # The connection stays, its other events are not this limit's business...
            self.assertIn("lobby", await client.call("list rooms"))
            # ...and a message sent after the server's own retry_after goes through.
            await asyncio.sleep(max(error["retry_after"] for error in refusals))
            ack = await client.call("send message", {"room": "lobby", "text": "calmer now"})
            self.assertIn("id", ack)
            self.assertEqual(await Message.objects.acount(), len(stored) + 1)

    def test_each_connection_has_its_own_burst(self):
        alice = get_user_model().objects.create_user("alice")
        first_tab = self.socketio_client("/", user=alice)
        second_tab = self.socketio_client("/", user=alice)
        for _ in range(10):
            first_tab.emit("send message", {"room": "lobby", "text": "flood"})
        error = first_tab.call("send message", {"room": "lobby", "text": "one more"})["error"]
        self.assertEqual(error["type"], "RateLimited")
        self.assertIn("id", second_tab.call("send message", {"room": "lobby", "text": "hi"}))


class OnRedis:
    """For live-server test classes: the message queue on this machine's Redis, as
    `./dev cluster` runs it, under a channel (a key prefix) of this run's own. Without
    Redis on 127.0.0.1:6379 the class skips loudly (fails in CI)."""

    @classmethod
    def setUpClass(cls):
        try:
            socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
        except OSError as exc:
            message = f"NO REDIS: {cls.__name__} did not run ({exc})"
            if os.environ.get("CI") == "true":
                raise RuntimeError(message) from exc
            raise unittest.SkipTest(message) from exc
        cls._on_redis = override_settings(
            ASYNCTION_MESSAGE_QUEUE=REDIS_URL,
            ASYNCTION_MESSAGE_QUEUE_OPTIONS={"channel": REDIS_CHANNEL})
        cls._on_redis.enable()  # before the daphne child starts: it serves with these
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()  # the daphne child is gone: its keys can go too
        cls._on_redis.disable()
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{REDIS_CHANNEL}:*"))
        if keys:
            client.delete(*keys)
        client.close()


class AcrossProcessesTests(OnRedis, SocketIOTestMixin, SocketIOLiveServerTestCase):
    """Two processes sharing Redis, one chat: a daphne child and this test's in-process
    server. Presence and the staff count are the same in both."""

    def test_members_and_the_staff_count_are_the_same_in_every_process(self):
        users = get_user_model().objects
        staff = users.create_user("root", is_superuser=True)
        alice, bob = users.create_user("alice"), users.create_user("bob")
        admin = self.socketio_client("/admin", user=staff)  # here
        self.assertEqual(admin.receive("presence").args, [{"online": 0}])
        on_daphne = self.socketio_connect("/", headers={"Cookie": session_cookie(alice)})
        self.assertEqual(admin.receive("presence", timeout=5).args, [{"online": 1}])
        on_daphne.call("join room", {"room": "lobby"}, timeout=5)
        here = self.socketio_client("/", user=bob)
        self.assertEqual(admin.receive("presence").args, [{"online": 2}])
        self.assertEqual(here.call("join room", {"room": "lobby"})["members"], ["alice", "bob"])
        self.assertEqual(next_change(here), ("join", "bob"))
        self.assertEqual({member.info["username"]: member.connections
                          for member in presence("lobby", namespace="/")},
                         {"alice": 1, "bob": 1})
        on_daphne.disconnect()  # what daphne's process tells the room reaches this one
        self.assertEqual(next_change(here, timeout=5), ("leave", "alice"))
        self.assertEqual(admin.receive("presence", timeout=5).args, [{"online": 1}])


class TypedPythonClientTests(SocketIOLiveServerTestCase):
    """The Python client generated from the spec (asynction_export --format python), used
    against the chat served by a real daphne."""

    def test_the_generated_client_sends_a_message_and_gets_the_typed_ack(self):
        cookie = session_cookie(get_user_model().objects.create_user("typed"))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "chat_client.py"
            call_command("asynction_export", "--format", "python", "--output", str(path),
                         verbosity=0)
            spec = importlib.util.spec_from_file_location("chat_client", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)

        async def flow():
            chat = module.ExampleChatClient()
            arrived = asyncio.get_running_loop().create_future()
            chat.on_new_message(lambda message: arrived.done() or arrived.set_result(message))
            await chat.connect(self.live_server_url, headers={"Cookie": cookie},
                               transports=["websocket"], wait_timeout=5)
            try:
                joined = await chat.join_room({"room": "typed"}, timeout=5)
                ack = await chat.send_message({"room": "typed", "text": "hello, types"},
                                              timeout=5)
                message = await asyncio.wait_for(arrived, 5)
                with self.assertRaises(module.ServerError) as refused:
                    await chat.send_message({"room": "typed", "text": ""}, timeout=5)
                return joined, ack, message, refused.exception
            finally:
                await chat.disconnect()

        joined, ack, message, error = asyncio.run(flow())
        self.assertEqual(joined, {"room": "typed", "history": [], "members": ["typed"]})
        self.assertEqual(set(ack), {"id", "created"})
        self.assertIsInstance(ack["id"], int)
        self.assertEqual((message["id"], message["text"], message["author"]),
                         (ack["id"], "hello, types", "typed"))
        self.assertEqual(error.kind, "PayloadValidationError")
        self.assertEqual(error.errors[0]["pointer"], "/text")
