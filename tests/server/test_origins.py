"""The cross-origin check: scheme, host and port, by the rules of Django's CSRF protection.

A Socket.IO connection authenticated by the session cookie is worth what a POST is, so a
page may open one only from the site's own origin or from ``CSRF_TRUSTED_ORIGINS``; a
host that ``ALLOWED_HOSTS`` lets in is not enough (``http://localhost:6666`` is another
site than ``http://localhost:8000``)."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import requests
import websocket
from asgiref.sync import async_to_sync
from django.test import SimpleTestCase, override_settings
from engineio.async_drivers.asgi import translate_request

from asynction_django.server.origins import origin_allowed
from tests.support import SPECS, LiveSocketIOTestCase

WIRE = {"ASYNCTION_SPEC": str(SPECS / "wire.yaml")}
HANDSHAKE = {"ASYNCTION_SPEC": str(SPECS / "handshake.yaml"), "ASYNCTION_SERVER": "internal"}


def environ(host: str, scheme: str = "http", headers: dict[str, str] | None = None) -> dict:
    """The environ python-engineio hands the check, made by python-engineio itself from
    the ASGI scope a server would build (``ws``/``wss`` schemes make a WebSocket's)."""
    kind = "websocket" if scheme in ("ws", "wss") else "http"
    scope = {"type": kind, "scheme": scheme, "path": "/socket.io/", "method": "GET",
             "query_string": b"EIO=4&transport=polling",
             "headers": [(b"host", host.encode()),
                         *((name.encode(), value.encode())
                           for name, value in (headers or {}).items())]}

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect" if kind == "websocket" else "http.request"}

    return async_to_sync(translate_request)(scope, receive, None)


@override_settings(ALLOWED_HOSTS=["localhost", "api.example.com"], CSRF_TRUSTED_ORIGINS=[],
                   SECURE_PROXY_SSL_HEADER=None, USE_X_FORWARDED_HOST=False)
class OriginRuleTests(SimpleTestCase):
    def test_the_port_must_be_the_requests_own(self):
        page = environ("localhost:8000")
        self.assertTrue(origin_allowed("http://localhost:8000", page))
        self.assertFalse(origin_allowed("http://localhost:6666", page))
        self.assertFalse(origin_allowed("http://localhost", page))
        self.assertTrue(origin_allowed("http://localhost:8000", environ("localhost:8000", "ws")))
        self.assertFalse(origin_allowed("http://localhost:6666", environ("localhost:8000", "ws")))
        self.assertFalse(origin_allowed("http://evil.example", environ("evil.example")))
        self.assertTrue(origin_allowed(None, page))  # not a browser page: python-socketio's client

    def test_the_scheme_must_be_the_requests_own(self):
        self.assertFalse(origin_allowed("https://localhost", environ("localhost")))
        self.assertTrue(origin_allowed("https://localhost", environ("localhost", "https")))
        self.assertFalse(origin_allowed("http://localhost", environ("localhost", "https")))
        self.assertTrue(origin_allowed("https://localhost", environ("localhost", "wss")))
        self.assertFalse(origin_allowed("https://localhost", environ("localhost", "ws")))

    def test_default_ports_are_the_same_origin_written_out(self):
        self.assertTrue(origin_allowed("https://localhost", environ("localhost:443", "https")))
        self.assertTrue(origin_allowed("https://localhost:443", environ("localhost", "wss")))
        self.assertTrue(origin_allowed("http://localhost:80", environ("localhost")))
        self.assertFalse(origin_allowed("http://localhost:443", environ("localhost", "https")))

    def test_x_forwarded_proto_counts_only_when_secure_proxy_ssl_header_says_so(self):
        forwarded = environ("localhost", headers={"x-forwarded-proto": "https"})
        self.assertFalse(origin_allowed("https://localhost", forwarded))  # anyone can send it
        with self.settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
            self.assertTrue(origin_allowed("https://localhost", forwarded))
            self.assertFalse(origin_allowed("http://localhost", forwarded))

    @override_settings(CSRF_TRUSTED_ORIGINS=["https://app.example.com", "https://*.example.org"])
    def test_csrf_trusted_origins_are_read_as_django_reads_them(self):
        api = environ("api.example.com", "https")
        for origin, allowed in [
            ("https://app.example.com", True),
            ("http://app.example.com", False),  # an exact entry: scheme and port included
            ("https://app.example.com:8443", False),
            ("https://example.org", True),  # a wildcard: the domain and its subdomains
            ("https://a.b.example.org", True),
            ("http://a.example.org", False),
            ("https://a.example.org:8443", False),
            ("https://evilexample.org", False),
            ("https://example.org.evil.example", False),
        ]:
            with self.subTest(origin):
                self.assertIs(origin_allowed(origin, api), allowed)

    def test_what_is_not_an_http_origin_is_refused(self):
        page = environ("localhost")
        for origin in ("null", "file://", "http://localhost/path", "http://localhost:99999",
                       "http://user@localhost", "ftp://localhost", "localhost"):
            with self.subTest(origin):
                self.assertFalse(origin_allowed(origin, page))
        self.assertFalse(origin_allowed("http://localhost"))  # no request: no own origin


class OriginWireTests(LiveSocketIOTestCase):
    """Both transports, against daphne, with the Host header a browser sends
    (``127.0.0.1:<port>``; ``localhost`` is in the test settings' ``ALLOWED_HOSTS`` too)."""

    overrides = {**WIRE, "CSRF_TRUSTED_ORIGINS": ["https://*.example.com"]}

    def polling(self, origin: str, headers: dict[str, str] | None = None) -> requests.Response:
        return requests.get(f"{self.server.url}/socket.io/?EIO=4&transport=polling",
                            headers={"Origin": origin, **(headers or {})}, timeout=5)

    def websocket_opens(self, origin: str, headers: dict[str, str] | None = None) -> bool:
        try:
            ws = websocket.create_connection(
                f"ws://127.0.0.1:{self.server.port}/socket.io/?EIO=4&transport=websocket",
                origin=origin, header=headers or {}, timeout=5)
        except websocket.WebSocketBadStatusException:
            return False
        with closing(ws):
            return ws.recv().startswith("0{")

    def test_only_the_sites_own_origin_and_trusted_origins_connect(self):
        port = self.server.port
        for origin, allowed in [
            (f"http://127.0.0.1:{port}", True),
            ("https://chat.example.com", True),  # CSRF_TRUSTED_ORIGINS, though not a host
            (f"http://127.0.0.1:{port + 1}", False),
            ("http://127.0.0.1", False),
            (f"https://127.0.0.1:{port}", False),
            (f"http://localhost:{port}", False),  # in ALLOWED_HOSTS, but another origin
            ("http://chat.example.com", False),
        ]:
            with self.subTest(origin=origin, transport="polling"):
                answer = self.polling(origin)
                self.assertEqual(answer.status_code, 200 if allowed else 400)
                self.assertEqual(answer.headers.get("Access-Control-Allow-Origin"),
                                 origin if allowed else None)
                self.assertEqual(answer.text.startswith("0{"), allowed)
            with self.subTest(origin=origin, transport="websocket"):
                self.assertIs(self.websocket_opens(origin), allowed)

    def test_a_forwarded_scheme_is_not_taken_from_the_client(self):
        origin = f"https://127.0.0.1:{self.server.port}"
        forwarded = {"X-Forwarded-Proto": "https"}  # SECURE_PROXY_SSL_HEADER is not set
        self.assertEqual(self.polling(origin, forwarded).status_code, 400)
        self.assertFalse(self.websocket_opens(origin, forwarded))


class OriginTests(LiveSocketIOTestCase):
    """Cross-origin handshakes follow Django's CSRF origin rules on both transports (raw
    requests, so the Origin header is exactly the one a browser would send); the cases are
    in OriginRuleTests above."""

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
