"""asynction_django.testing's in-process client: it proves the same things as the wire."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.test import override_settings

from asynction_django import emit, get_server
from asynction_django.testing import (
    ConnectionRefused,
    SocketIOTestCase,
)
from tests.support import SPECS, eventually

WIRE = SPECS / "wire.yaml"


@override_settings(ASYNCTION_SPEC=WIRE)
class InProcessClientTests(SocketIOTestCase):
    def test_call_emit_and_acks(self):
        client = self.socketio_client()
        self.assertEqual(client.call("echo", {"text": "hi"}), "hi")
        self.assertEqual(client.call("pair", 1, "a"), (1, "a"))
        self.assertEqual(client.call("echo", {"txt": 1})["error"]["type"],
                         "PayloadValidationError")

    def test_connect_auth_and_events_from_the_connect_handler(self):
        client = self.socketio_client(auth={"token": "x"})
        event = client.receive("welcome")
        self.assertEqual(event.args, [{"text": "auth=['token']"}])

    def test_refusals_raise_with_the_servers_data(self):
        with self.assertRaises(ConnectionRefused) as caught:
            self.socketio_client("/nowhere")
        self.assertEqual(caught.exception.data, {"message": "Invalid namespace"})
        with self.assertRaisesMessage(ConnectionRefused, "Connection rejected by server"):
            self.socketio_client(auth={"refuse": True})

    def test_broadcasts_reach_other_clients(self):
        first, second = self.socketio_client(), self.socketio_client()
        self.assertTrue(first.call("broadcast", "all"))
        self.assertEqual(second.receive("news").args, [{"text": "all"}])

    def test_server_calls_are_answered_by_responders(self):
        client = self.socketio_client()
        client.on("question", lambda question: "yes")
        self.assertEqual(client.call("ask", "ok?"), "yes")

    def test_logged_in_user_reaches_handlers_and_the_orm_is_shared(self):
        user = get_user_model().objects.create_user("dora", password="pw-123456")
        client = self.socketio_client(user=user)
        self.assertEqual(client.call("whoami"), "dora")
        self.assertEqual(client.call("add user", "eve"), 2)

    def test_sync_emit_from_the_test_thread_reaches_clients(self):
        client = self.socketio_client()
        emit("news", {"text": "from the test"})
        self.assertEqual(client.receive("news").args, [{"text": "from the test"}])

    def test_failure_messages_say_what_was_expected_and_what_came(self):
        client = self.socketio_client(auth={"a": 1})
        with self.assertRaisesMessage(AssertionError, "expected event 'news' in '/' within "
                                                      "0.05s; received: [('/', 'welcome'"):
            client.receive("news", timeout=0.05)

    def test_server_side_disconnects_are_recorded(self):
        client = self.socketio_client()
        client.emit("kick")
        client.receive("welcome")  # drain: the disconnect arrives after it
        with self.assertRaisesMessage(AssertionError, "expected an ack for 'ping' within"):
            client.call("ping", timeout=0.2)
        self.assertEqual(client.disconnected, {"/": "server disconnect"})

    def test_rooms(self):
        inside, outside = self.socketio_client(), self.socketio_client()
        self.assertTrue(inside.call("join", "blue"))
        outside.call("tell room", "blue", "for blue")
        self.assertEqual(inside.receive("news").args, [{"text": "for blue"}])
        with self.assertRaisesMessage(AssertionError, "expected event 'news'"):
            outside.receive("news", timeout=0.05)

    def test_ack_timeouts_say_what_was_expected(self):
        client = self.socketio_client()
        with self.assertRaisesMessage(AssertionError, "expected an ack for 'slow' within 0.05s"):
            client.call("slow", timeout=0.05)

    def test_query_headers_and_cookies_reach_the_handshake(self):
        client = self.socketio_client(query={"q": "1"}, headers={"X-Extra": "yes"},
                                      cookies={"flavour": "oat"})
        environ = get_server().get_environ(client.call("my sid"), "/")
        self.assertIn("q=1", environ["QUERY_STRING"])
        self.assertEqual(environ["HTTP_X_EXTRA"], "yes")
        self.assertEqual(environ["HTTP_COOKIE"], "flavour=oat")

    async def test_async_tests_use_the_async_client(self):
        async with await self.asocketio_client() as client:
            self.assertEqual(await client.call("async echo", {"text": "a"}), "a")


@override_settings(ASYNCTION_SPEC=SPECS / "notifications.yaml")
class DefaultNamespaceTests(SocketIOTestCase):
    def test_the_only_connected_namespace_is_the_default(self):
        client = self.socketio_client("/notifications")
        self.assertEqual(client.call("echo", {"text": "hi"}), "hi")
        client.emit("notify", {"text": "no ack"})
        event = client.receive("notice")
        self.assertEqual((event.namespace, event.args), ("/notifications", [{"text": "no ack"}]))

    async def test_the_async_client_too(self):
        async with await self.asocketio_client("/notifications") as client:
            self.assertEqual(await client.call("echo", {"text": "a"}), "a")
            await client.emit("notify", {"text": "b"})
            self.assertEqual((await client.receive()).args, [{"text": "b"}])

    def test_a_namespace_not_connected_fails_at_once(self):
        client = self.socketio_client("/notifications")
        started = time.monotonic()
        for send in (lambda: client.call("echo", {"text": "x"}, namespace="/"),
                     lambda: client.emit("notify", {"text": "x"}, namespace="/"),
                     lambda: client.receive("notice", namespace="/")):
            with self.assertRaisesMessage(AssertionError, "not connected to '/'; connected: "
                                                          "['/notifications']"):
                send()
        self.assertLess(time.monotonic() - started, 1)

    @override_settings(ASYNCTION_SPEC=WIRE)
    def test_several_connected_namespaces_need_one_named(self):
        client = self.socketio_client()
        client.connect("/open")
        message = "the client is connected to ['/', '/open']: pass namespace="
        for send in (lambda: client.call("echo", {"text": "x"}),
                     lambda: client.emit("echo", {"text": "x"}),
                     lambda: client.receive("welcome")):
            with self.assertRaisesMessage(ValueError, message):
                send()
        self.assertEqual(client.call("echo", {"text": "o"}, namespace="/open"), "o")
        self.assertEqual(client.receive("welcome", namespace="/").name, "welcome")

    @override_settings(ASYNCTION_SPEC=WIRE)
    def test_events_that_came_before_a_server_disconnect_can_still_be_received(self):
        client = self.socketio_client()
        client.emit("kick")
        eventually(lambda: "/" in client.disconnected, 2)
        self.assertEqual(client.receive("welcome", namespace="/").name, "welcome")
        with self.assertRaisesMessage(AssertionError, "not connected to '/' (server "
                                                      "disconnect); connected: []"):
            client.receive("news", namespace="/")
