"""2.x documents converted to 3.0: the conversion, and the converted documents serving the
same API (the suite's own 2.x tests, run again on them)."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from asynction_django import SpecError
from asynction_django.spec import load_spec
from asynction_django.spec.convert import convert_to_v3
from tests import test_security
from tests.server import test_namespaces, test_namespaces_wire
from tests.support import SPECS

CHAT = SPECS / "v3" / "chat.yaml"


class ConversionTests(SimpleTestCase):
    def test_publish_subscribe_and_x_ack_become_receive_send_and_reply(self):
        document = convert_to_v3(SPECS / "wire.yaml")
        self.assertEqual(document["asyncapi"], "3.0.0")
        operations = document["operations"]
        echo = next(op for op in operations.values()
                    if op["messages"] == [{"$ref": "#/channels/root/messages/Echo"}])
        self.assertEqual(echo["action"], "receive")
        self.assertEqual(echo["reply"], {
            "channel": {"$ref": "#/channels/root"},
            "messages": [{"$ref": "#/channels/root/messages/EchoAck"}],
        })
        self.assertNotIn("x-ack", document["components"]["messages"]["Echo"])
        welcome = operations["rootSendWelcome"]
        self.assertEqual(welcome["action"], "send")
        question = operations["rootSendQuestion"]
        self.assertEqual(document["channels"]["root"]["messages"]["questionAck"],
                         {"payload": {"type": "string", "enum": ["yes", "no"]}})
        self.assertEqual(question["reply"]["messages"],
                         [{"$ref": "#/channels/root/messages/questionAck"}])
        self.assertEqual(load_spec(document).version, "3.0.0")

    def test_servers_and_security(self):
        document = convert_to_v3(SPECS / "docs.yaml")
        self.assertEqual(document["servers"]["production"]["host"], "api.example.com")
        self.assertEqual(document["servers"]["production"]["pathname"], "/realtime/socket.io")
        self.assertEqual(document["servers"]["production"]["security"],
                         [{"$ref": "#/components/securitySchemes/bearer"}])
        scoped = document["operations"]["staffReceivePing"]["security"][0]
        self.assertEqual((scoped["type"], scoped["scopes"]), ("http", ["write"]))

    def test_what_3x_cannot_say_is_an_error_with_its_pointer(self):
        document = {"asyncapi": "2.6.0", "info": {"title": "t", "version": "1"},
                    "servers": {"s": {"url": "x/socket.io", "protocol": "ws",
                                      "security": [{"a": [], "b": []}, {}]}},
                    "channels": {}}
        with self.assertRaises(SpecError) as caught:
            convert_to_v3(document)
        self.assertEqual([p.pointer for p in caught.exception.problems],
                         ["/servers/s/security/0", "/servers/s/security/1"])
        with self.assertRaises(SpecError):
            convert_to_v3(CHAT)


def converted(name: str) -> dict:
    return convert_to_v3(SPECS / name)


@override_settings(ASYNCTION_SPEC=converted("wire.yaml"))
class ConvertedEventSemanticsTests(test_namespaces.EventSemanticsTests):
    """tests/server/test_namespaces.py, on wire.yaml converted to 3.0."""


@override_settings(ASYNCTION_SPEC=converted("security.yaml"))
class ConvertedSecurityTests(test_security.ConnectSecurityTests):
    """tests/test_security.py, on security.yaml converted to 3.0."""


class ConvertedWebsocketEventTests(test_namespaces_wire.WebsocketEventTests):
    """tests/server/test_namespaces_wire.py over a real daphne, on wire.yaml converted to 3.0."""

    overrides = {"ASYNCTION_SPEC": converted("wire.yaml")}
