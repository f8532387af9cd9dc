"""The README's testing example, run against the example chat."""

import asyncio
import importlib.util
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command

from asynction_django import emit
from asynction_django.testing import (
    ConnectionRefused,
    SocketIOLiveServerTestCase,
    SocketIOTestCase,
    session_cookie,
)


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


class PresenceAndTypingTests(SocketIOTestCase):
    """Who is in a room and who is typing, over the real protocol: what the page shows."""

    def setUp(self):
        users = get_user_model().objects
        self.alice, self.bob = users.create_user("alice"), users.create_user("bob")

    def joined(self, user, room="lobby"):
        client = self.socketio_client("/", user=user)
        return client, client.call("join room", {"room": room})

    def test_the_join_ack_lists_the_members_and_the_others_see_the_join(self):
        alice, ack = self.joined(self.alice)
        self.assertEqual(ack["members"], ["alice"])
        bob, ack = self.joined(self.bob)
        self.assertEqual(ack["members"], ["alice", "bob"])
        self.assertEqual(alice.receive("user joined").args, [{"room": "lobby", "user": "bob"}])
        with self.assertRaises(AssertionError):  # nobody tells you that you joined
            bob.receive("user joined", timeout=0.3)

    def test_joining_another_room_leaves_the_first(self):
        alice, _ = self.joined(self.alice)
        bob, _ = self.joined(self.bob)
        self.assertEqual(bob.call("join room", {"room": "design"})["members"], ["bob"])
        self.assertEqual(alice.receive("user left").args, [{"room": "lobby", "user": "bob"}])
        # bob is in #design only now: #lobby's messages no longer reach him.
        alice.call("send message", {"room": "lobby", "text": "still here?"})
        alice.receive("new message")
        with self.assertRaises(AssertionError):
            bob.receive("new message", timeout=0.3)

    def test_disconnecting_is_leaving(self):
        alice, _ = self.joined(self.alice)
        bob, _ = self.joined(self.bob)
        bob.disconnect()
        self.assertEqual(alice.receive("user left").args, [{"room": "lobby", "user": "bob"}])
        self.assertEqual(self.joined(self.bob)[1]["members"], ["alice", "bob"])

    def test_a_second_tab_is_not_a_second_person(self):
        alice, _ = self.joined(self.alice)
        first_tab, _ = self.joined(self.bob)
        alice.receive("user joined")
        second_tab, ack = self.joined(self.bob)
        self.assertEqual(ack["members"], ["alice", "bob"])
        first_tab.disconnect()  # bob is still there in his second tab
        alice.call("list rooms")  # its ack comes after anything sent to alice before
        self.assertEqual([event.name for event in alice.async_client.events], [])
        second_tab.disconnect()
        self.assertEqual(alice.receive("user left").args, [{"room": "lobby", "user": "bob"}])

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

    async def test_the_admin_count_drops_when_someone_leaves(self):
        staff = await get_user_model().objects.acreate(username="root", is_superuser=True)
        async with await self.asocketio_client("/admin", user=staff) as admin:
            self.assertEqual((await admin.receive("presence")).args, [{"online": 0}])
            async with await self.asocketio_client("/", user=self.alice):
                self.assertEqual((await admin.receive("presence")).args, [{"online": 1}])
            self.assertEqual((await admin.receive("presence")).args, [{"online": 0}])


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
