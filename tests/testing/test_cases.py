"""asynction_django.testing's test cases: a spec per test, and a live server with real
clients over both transports."""

from __future__ import annotations

from unittest import mock

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.test import SimpleTestCase, override_settings

from asynction_django.testing import (
    SocketIOLiveServerTestCase,
    SocketIOTestCase,
    session_cookie,
)
from tests.support import SPECS

WIRE = SPECS / "wire.yaml"


class SpecPerTestTests(SocketIOTestCase):
    def test_default_spec(self):
        self.assertEqual(self.socketio_client().call("echo", {"text": "e"}), "e")

    @override_settings(ASYNCTION_SPEC=SPECS / "asynction_style.yaml")
    def test_overridden_spec(self):
        self.assertEqual(self.socketio_client().call("shout", "e"), "E")


@override_settings(ASYNCTION_SPEC=WIRE)
class LiveServerTests(SocketIOLiveServerTestCase):
    def test_real_clients_over_both_transports(self):
        user = get_user_model().objects.create_user("fay", password="pw-123456")
        for transport in ("websocket", "polling"):
            with self.subTest(transport=transport):
                client = self.socketio_connect(transport=transport,
                                               headers={"Cookie": session_cookie(user)})
                self.assertEqual(client.call("whoami", timeout=5), "fay")
                self.assertGreater(client.call("add user", f"u-{transport}", timeout=5), 1)
                client.disconnect()


class InMemoryDatabaseTests(SimpleTestCase):
    def test_live_server_refuses_an_in_memory_database_clearly(self):
        in_memory = mock.patch.object(connections["default"], "is_in_memory_db",
                                      return_value=True)
        with in_memory, self.assertRaisesMessage(ImproperlyConfigured,
                                                 "['TEST']['NAME'] to a file"):
            SocketIOLiveServerTestCase.setUpClass()
