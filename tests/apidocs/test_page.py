"""What the docs page computes: which server is this page's."""

from __future__ import annotations

from django.test import SimpleTestCase

from asynction_django.apidocs.page import ServerDoc, _server
from asynction_django.spec.model import Server


class ServerOriginTests(SimpleTestCase):
    """``ServerDoc.serves``: is a page from this scheme and Host header this server's?"""

    def server(self, url: str, protocol: str) -> ServerDoc:
        spec_server = Server("s", url, protocol, "socket.io", None)
        return _server(spec_server, None, {"variables": {"port": {"default": "8443"}}})

    def test_scheme_host_and_port(self):
        cases = [
            ("wss://api.example.com/socket.io", "wss", True, "api.example.com", True),
            ("wss://api.example.com/socket.io", "wss", True, "API.example.com:443", True),
            ("wss://api.example.com/socket.io", "wss", False, "api.example.com", False),
            ("api.example.com:{port}/socket.io", "wss", True, "api.example.com:8443", True),
            ("api.example.com:{port}/socket.io", "wss", True, "api.example.com", False),
            ("localhost:8000/socket.io", "ws", False, "127.0.0.1:8000", True),
            ("localhost:8000/socket.io", "ws", False, "[::1]:8000", True),
            ("localhost:8000/socket.io", "ws", False, "127.0.0.1:8001", False),
            ("localhost:8000/socket.io", "ws", False, "example.com:8000", False),
            ("example.com/socket.io", "socketio", True, "example.com", True),  # any scheme
            ("/socket.io", "ws", False, "localhost", False),  # names no host
        ]
        for url, protocol, secure, host, expected in cases:
            with self.subTest(url=url, secure=secure, host=host):
                self.assertIs(self.server(url, protocol).serves(secure, host), expected)
