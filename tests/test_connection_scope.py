"""The Django session and user of a connection: loaded once, at the handshake; a session a
handler changes is saved."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import SimpleTestCase, override_settings

from asynction_django.server import django_scope as connection_scope
from asynction_django.testing import SocketIOTestCase

WIRE = Path(__file__).resolve().parent / "specs" / "wire.yaml"


@override_settings(ASYNCTION_SPEC=WIRE)
class ConnectionScopeTests(SocketIOTestCase):
    def setUp(self):
        super().setUp()
        self.user = get_user_model().objects.create_user("ines", password="scope-test-1")

    def test_the_user_is_loaded_once_per_connection_not_per_event(self):
        with mock.patch.object(connection_scope, "get_user",
                               side_effect=connection_scope.get_user) as loads:
            client = self.socketio_client(user=self.user)
            for _ in range(3):
                self.assertEqual(client.call("whoami"), "ines")
        self.assertEqual(loads.call_count, 1)

    def test_a_session_a_handler_changes_is_saved(self):
        client = self.socketio_client(user=self.user)
        session_key = client.call("remember", "blue")
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        self.assertEqual(store.load()["remembered"], "blue")
        self.assertEqual(client.call("whoami"), "ines")  # still logged in: nothing else lost

    def test_anonymous_connections_get_an_anonymous_user(self):
        client = self.socketio_client()
        self.assertEqual(client.call("whoami"), "")


class HandshakeDetectionTests(SimpleTestCase):
    def test_only_requests_without_an_engineio_sid_open_a_connection(self):
        opens = connection_scope._opens_a_connection
        self.assertTrue(opens({"query_string": b"EIO=4&transport=polling"}))
        self.assertTrue(opens({"query_string": b"EIO=4&transport=polling&xsid=1"}))
        self.assertFalse(opens({"query_string": b"EIO=4&transport=polling&sid=abc"}))
        self.assertFalse(opens({"query_string": b"sid=abc&EIO=4&transport=websocket"}))
