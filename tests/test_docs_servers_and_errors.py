"""What the docs page computes: which server is this page's, and how errors read."""

from __future__ import annotations

from django.test import SimpleTestCase

from asynction_django.apidocs.page import ServerDoc, _server
from asynction_django.spec.model import Server
from asynction_django.validation import compile_schema


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


class ErrorWordingTests(SimpleTestCase):
    """The failed checks a client (and the playground's log) reads, as a person says them."""

    def messages(self, schema, value) -> list[str]:
        return [error.message for error in compile_schema(schema, {})(value)]

    def test_messages(self):
        cases = [
            ({"type": "string", "format": "email"}, "nope", '"nope" is not a valid email'),
            ({"type": "string", "format": "date-time"}, "x", '"x" is not a valid date-time'),
            ({"type": "string"}, 5, "5 is not a string"),
            ({"type": ["null", "integer"]}, "x", '"x" is not an integer or null'),
            ({"required": ["text"]}, {}, '"text" is a required property'),
            ({"pattern": "^a+$"}, "b", '"b" does not match the pattern "^a+$"'),
            ({"exclusiveMinimum": 3}, 3, "3 is not more than 3"),
            ({"minItems": 3}, [1], "[1] has fewer than 3 items"),
            ({"uniqueItems": True}, [1, 1], "[1,1] has repeated items"),
            ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, None,
             "null matches none of the allowed schemas (anyOf)"),
            ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2},
             'property "b" is not allowed'),
            ({"not": {"type": "string"}}, "x", '"x" must not match {"type":"string"}'),
            ({"maxLength": 2}, "abc", '"abc" is longer than 2 characters'),  # already fine
        ]
        for schema, value, expected in cases:
            with self.subTest(expected=expected):
                self.assertEqual(self.messages(schema, value), [expected])

    def test_a_long_value_is_cut_so_the_reason_stays(self):
        [message] = self.messages({"type": "string", "format": "email"}, "x" * 1000)
        self.assertTrue(message.endswith("… is not a valid email"), message)
        self.assertLessEqual(len(message), 200)
        [message] = self.messages({"type": "string"}, list(range(100_000)))
        self.assertTrue(message.endswith("… is not a string"), message)
