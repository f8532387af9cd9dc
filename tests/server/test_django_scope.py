"""The Django session and user of a connection: loaded once, at the handshake; a session a
handler changes is saved; handlers see the session cookie's user on both transports."""

from __future__ import annotations

from importlib import import_module
from unittest import mock

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.test import SimpleTestCase, override_settings

from asynction_django.server import django_scope as connection_scope
from asynction_django.testing import SocketIOTestCase
from tests.support import SPECS, LiveSocketIOTestCase

WIRE = SPECS / "wire.yaml"
HANDSHAKE = {"ASYNCTION_SPEC": str(SPECS / "handshake.yaml"), "ASYNCTION_SERVER": "internal"}


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


class DjangoUserTests(LiveSocketIOTestCase):
    """Handlers see the Django user of the session cookie (Channels' auth middleware)."""

    overrides = HANDSHAKE
    database = True

    def test_handlers_see_the_logged_in_user_on_both_transports(self):
        cookie = self.login("carol")
        for transport in ("websocket", "polling"):
            with self.subTest(transport=transport):
                client = self.connect(transport=transport, headers={"Cookie": cookie})
                self.assertEqual(client.call("whoami", timeout=5), "carol")
                client.disconnect()
        anonymous = self.connect()
        self.assertEqual(anonymous.call("whoami", timeout=5), "")

    def login(self, username: str) -> str:
        """Create a user and a session in the live server's database; return the cookie."""
        script = (
            "from django.contrib.auth import get_user_model\n"
            "from django.contrib.sessions.backends.db import SessionStore\n"
            f"user = get_user_model().objects.create_user({username!r}, password='pw-123456')\n"
            "session = SessionStore()\n"
            f"session[{SESSION_KEY!r}] = str(user.pk)\n"
            f"session[{BACKEND_SESSION_KEY!r}] = 'django.contrib.auth.backends.ModelBackend'\n"
            f"session[{HASH_SESSION_KEY!r}] = user.get_session_auth_hash()\n"
            "session.save()\n"
            "print(session.session_key)\n"
        )
        key = self.server.run_python(script).strip()
        return f"sessionid={key}"
