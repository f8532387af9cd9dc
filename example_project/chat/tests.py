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
        self.assertEqual(joined, {"room": "typed", "history": []})
        self.assertEqual(set(ack), {"id", "created"})
        self.assertIsInstance(ack["id"], int)
        self.assertEqual((message["id"], message["text"], message["author"]),
                         (ack["id"], "hello, types", "typed"))
        self.assertEqual(error.kind, "PayloadValidationError")
        self.assertEqual(error.errors[0]["pointer"], "/text")
