"""Bindings and settings that change what the wire does, against a real daphne."""

from __future__ import annotations

import base64
import json
from contextlib import closing
from pathlib import Path

import requests
import websocket
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from .live import LiveSocketIOTestCase

SPECS = Path(__file__).resolve().parent / "specs"
HANDSHAKE = {"ASYNCTION_SPEC": str(SPECS / "handshake.yaml"), "ASYNCTION_SERVER": "internal"}
VERSION = {"X-Client-Version": "12"}


class HandshakeTests:
    overrides = HANDSHAKE

    def test_valid_query_and_headers_connect_despite_engineio_parameters(self):
        client = self.connect(["/strict"], query="token=abcd", headers={"x-client-version": "1"})
        self.assertEqual(client.call("whoami", namespace="/strict", timeout=5), "")

    def test_missing_query_parameter_refuses_with_details(self):
        data = self.refusal("/strict", headers=VERSION)
        self.assertEqual(data["message"], "the handshake does not match the channel bindings")
        self.assertEqual(data["data"]["type"], "HandshakeValidationError")
        error = data["data"]["errors"][0]
        self.assertEqual(error["pointer"], "/query")
        self.assertIn('"token" is a required property', error["message"])

    def test_unexpected_query_parameter_refuses(self):
        data = self.refusal("/strict", query="token=abcd&extra=1", headers=VERSION)
        self.assertEqual(data["data"]["errors"][0]["keyword"], "additionalProperties")

    def test_headers_are_checked_case_insensitively(self):
        data = self.refusal("/strict", query="token=abcd", headers={"X-CLIENT-VERSION": "v1"})
        self.assertEqual(data["data"]["errors"][0]["pointer"], "/headers/x-client-version")

    def test_emit_from_a_sync_view_is_validated_before_sending(self):
        news = []
        client = self.connect()
        client.on("news", news.append)
        ok = requests.get(f"{self.server.url}/emit/",
                          params={"event": "news", "data": json.dumps({"text": "from a view"})},
                          timeout=5)
        self.assertEqual(ok.json(), {"sent": True})
        bad = requests.get(f"{self.server.url}/emit/",
                           params={"event": "news", "data": json.dumps({"text": 1})}, timeout=5)
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["error"]["type"], "PayloadValidationError")
        unknown = requests.get(f"{self.server.url}/emit/",
                               params={"event": "nope", "data": "{}"}, timeout=5)
        self.assertEqual(unknown.json()["error"]["type"], "UnknownEventError")
        client.call("raw", 1, timeout=5)  # any event sent after the view emitted lands later
        self.assertEqual(news, [{"text": "from a view"}])


class WebsocketHandshakeTests(HandshakeTests, LiveSocketIOTestCase):
    transport = "websocket"


class PollingHandshakeTests(HandshakeTests, LiveSocketIOTestCase):
    transport = "polling"


class ServerPathTests(LiveSocketIOTestCase):
    """ASYNCTION_SERVER picks the spec server whose url gives the Socket.IO path."""

    overrides = {**HANDSHAKE, "ASYNCTION_SERVER": "public"}
    socketio_path = "api/socket.io"

    def test_socketio_is_served_at_the_servers_path_only(self):
        self.assertEqual(self.connect().call("raw", 5, timeout=5), 5)
        default = requests.get(f"{self.server.url}/socket.io/?EIO=4&transport=polling", timeout=5)
        self.assertEqual(default.status_code, 404)


class RootPathTests(LiveSocketIOTestCase):
    """Mounted under daphne's --root-path, as behind a proxy that strips a prefix."""

    overrides = HANDSHAKE
    root_path = "/prefix"

    def test_connects_under_the_root_path_on_both_transports(self):
        for transport in ("websocket", "polling"):
            with self.subTest(transport=transport):
                client = self.connect(transport=transport)
                self.assertEqual(client.call("raw", 7, timeout=5), 7)
                client.disconnect()


class OriginTests(LiveSocketIOTestCase):
    """Cross-origin handshakes follow Django's CSRF origin rules on both transports (raw
    requests, so the Origin header is exactly the one a browser would send); the cases are
    in tests/test_origins.py."""

    overrides = {**HANDSHAKE, "CSRF_TRUSTED_ORIGINS": ["http://localhost:8000"]}

    def handshake(self, transport: str, origin: str) -> bool:
        path = f"/socket.io/?EIO=4&transport={transport}"
        if transport == "polling":
            response = requests.get(self.server.url + path, headers={"Origin": origin}, timeout=5)
            return response.status_code == 200 and response.text.startswith("0{")
        try:
            ws = websocket.create_connection(f"ws://127.0.0.1:{self.server.port}{path}",
                                             origin=origin, timeout=5)
        except websocket.WebSocketException:
            return False
        with closing(ws):
            return ws.recv().startswith("0{")

    def test_cross_origin_handshakes(self):
        for transport in ("websocket", "polling"):
            with self.subTest(transport=transport):
                self.assertTrue(self.handshake(transport, f"http://127.0.0.1:{self.server.port}"))
                self.assertTrue(self.handshake(transport, "http://localhost:8000"))  # trusted
                self.assertFalse(self.handshake(transport, "https://127.0.0.1"))  # not its own
                self.assertFalse(self.handshake(transport, "http://evil.example"))


class OpenCorsTests(OriginTests):
    overrides = {**HANDSHAKE, "ASYNCTION_SOCKETIO": {"cors_allowed_origins": "*"}}

    def test_cross_origin_handshakes(self):
        for transport in ("websocket", "polling"):
            with self.subTest(transport=transport):
                self.assertTrue(self.handshake(transport, "http://evil.example"))


class ValidationOffTests(LiveSocketIOTestCase):
    overrides = {**HANDSHAKE, "ASYNCTION_VALIDATION": False}

    def test_invalid_payloads_reach_handlers_and_handshakes_pass(self):
        client = self.connect(["/", "/strict"])
        self.assertEqual(client.call("raw", "not an integer", timeout=5), "not an integer")
        self.assertEqual(client.call("whoami", namespace="/strict", timeout=5), "")


class DefaultErrorHandlerTests(LiveSocketIOTestCase):
    overrides = {**HANDSHAKE, "ASYNCTION_DEFAULT_ERROR_HANDLER": "tests.handlers.default_error"}

    def test_namespaces_without_their_own_error_handler_use_it(self):
        client = self.connect()
        self.assertEqual(client.call("raw", "x", timeout=5),
                         {"default handler": "PayloadValidationError"})


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


class AsynctionStyleDocumentTests(LiveSocketIOTestCase):
    overrides = {"ASYNCTION_SPEC": str(SPECS / "asynction_style.yaml")}

    def test_document_runs_unchanged(self):
        client = self.connect()
        self.assertEqual(client.call("shout", "hello there", timeout=5), "HELLO THERE")
        self.assertEqual(client.call("count", "one two three", timeout=5), {"words": 3})
        self.assertEqual(client.call("shout", 3, timeout=5),
                         {"handled": "PayloadValidationError"})


class SecurityTests:
    """Security over each real transport (tests/test_security.py has every case)."""

    overrides = {"ASYNCTION_SPEC": str(SPECS / "security.yaml")}

    def test_credentials_from_auth_payload_and_headers(self):
        by_token = self.connect(auth={"token": "tok-1"})
        self.assertEqual(by_token.call("security", timeout=5), {"user": "bea", "via": "bearer"})
        by_key = self.connect(headers={"X-API-Key": "key-123"})
        self.assertEqual(by_key.call("security", timeout=5)["via"], "api key")

    def test_every_source_of_credentials(self):
        basic = "Basic " + base64.b64encode(b"ann:s3cret").decode()
        sources = {
            "basic header": {"headers": {"Authorization": basic}},
            "basic auth payload": {"auth": {"username": "ann", "password": "s3cret"}},
            "bearer header": {"headers": {"Authorization": "Bearer tok-1"}},
            "query": {"query": "api_key=key-123"},
            "cookie": {"headers": {"Cookie": "api_cookie=key-123"}},
            "api key in auth payload": {"auth": {"api_key": "key-123"}},
        }
        for source, kwargs in sources.items():
            with self.subTest(source):
                client = self.connect(**kwargs)
                self.assertIn("via", client.call("security", timeout=5))
                client.disconnect()

    def test_and_optional_override_and_per_event_security(self):
        both = self.connect(["/both"], auth={"token": "tok-1"},
                            headers={"X-API-Key": "key-123"})
        self.assertEqual(both.call("security", namespace="/both", timeout=5)["via"], "api key")
        both.disconnect()
        self.assertEqual(self.refusal("/both", auth={"token": "tok-1"}),
                         {"message": "Unauthorized"})
        self.assertEqual(self.refusal("/both", auth={"username": "ann", "password": "s3cret"}),
                         {"message": "Unauthorized"})
        anonymous = self.connect(["/events"])
        self.assertEqual(anonymous.call("security", namespace="/events", timeout=5)["error"]
                         ["type"], "Unauthorized")
        self.assertEqual(anonymous.call("security", namespace="/events", timeout=5)["error"]
                         ["type"], "Unauthorized")

    def test_malformed_credentials_and_the_error_handler_cannot_accept(self):
        for header in ("Token tok-1", "Basic !!!", "Basic " + base64.b64encode(b"ann:").decode()):
            with self.subTest(header):
                self.assertEqual(self.refusal(headers={"Authorization": header}),
                                 {"message": "Unauthorized"})
        # "/" has an error handler that returns a truthy value: still refused.
        self.assertEqual(self.refusal(), {"message": "Unauthorized"})

    def test_refusal_says_only_unauthorized(self):
        self.assertEqual(self.refusal(auth={"token": "wrong"}), {"message": "Unauthorized"})
        self.assertEqual(self.refusal("/scoped", auth={"token": "partial"}),
                         {"message": "Forbidden"})


class WebsocketSecurityTests(SecurityTests, LiveSocketIOTestCase):
    transport = "websocket"


class PollingSecurityTests(SecurityTests, LiveSocketIOTestCase):
    transport = "polling"
