"""The README's testing example, run against the example chat."""

from django.contrib.auth import get_user_model

from asynction_django import emit
from asynction_django.testing import ConnectionRefused, SocketIOTestCase


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
