"""The argument rule and event semantics through the in-process client (the fast path of the suite).

tests/server/test_namespaces_wire.py proves the same over a real daphne on each transport.
"""

from __future__ import annotations

from django.test import override_settings

from asynction_django.testing import ConnectionRefused, SocketIOTestCase
from tests.support import SPECS

WIRE = SPECS / "wire.yaml"


@override_settings(ASYNCTION_SPEC=WIRE)
class EventSemanticsTests(SocketIOTestCase):
    def setUp(self):
        super().setUp()
        self.client = self.socketio_client()

    def error_type(self, event, *args, namespace="/"):
        return self.client.call(event, *args, namespace=namespace)["error"]["type"]

    def test_argument_rule(self):
        self.assertEqual(self.client.call("sum", [1, 2, 3]), 6)
        self.assertEqual(self.client.call("pair", 1, "foo"), (1, "foo"))
        self.assertEqual(self.client.call("legacy pair", 2, "bar"), (2, "bar"))
        self.assertEqual(self.client.call("ping"), "pong")
        # legacy pair has no minItems: its handler's signature refuses the short calls.
        for event, args in [("pair", ("1", "foo")), ("pair", (1, "foo", "x")), ("pair", (1,)),
                            ("legacy pair", (1, "a", 3)), ("legacy pair", (1,)),
                            ("legacy pair", ()), ("ping", ("x",)),
                            ("sum", ([1], [2]))]:
            with self.subTest(event=event, args=args):
                self.assertEqual(self.error_type(event, *args), "PayloadValidationError")

    def test_invalid_payload_never_reaches_the_handler(self):
        before = self.client.call("calls")
        reply = self.client.call("echo", {"txt": "hi"})
        self.assertEqual(self.client.call("calls"), before)
        self.assertEqual(reply["error"]["errors"][0]["keyword"], "required")
        self.assertEqual(self.client.call("echo", {"text": "still works"}), "still works")

    def test_unknown_events_handler_errors_and_invalid_acks(self):
        self.assertEqual(self.error_type("not in the spec"), "UnknownEventError")
        self.assertEqual(self.client.call("boom"), {"error": {
            "type": "InternalServerError", "message": "Internal server error", "errors": []}})
        self.assertEqual(self.error_type("bad ack"), "AckValidationError")

    def test_error_handler_answers(self):
        client = self.socketio_client("/open")
        self.assertEqual(client.call("echo", {"txt": 1}, namespace="/open"),
                         {"handled": "PayloadValidationError"})
        self.assertEqual(client.call("bad ack", namespace="/open"),
                         {"handled": "AckValidationError"})

    def test_refusals(self):
        cases = [("/nowhere", None, {"message": "Invalid namespace"}),
                 ("/", {"refuse": True}, {"message": "Connection rejected by server"}),
                 ("/", {"explode": True}, {"message": "Connection refused by server"}),
                 ("/handled", None, {"message": "Connection rejected by server"})]
        for namespace, auth, data in cases:
            with self.subTest(namespace=namespace, auth=auth):
                with self.assertRaises(ConnectionRefused) as caught:
                    self.socketio_client(namespace, auth=auth)
                self.assertEqual(caught.exception.data, data)

    def test_outgoing_emits_and_client_acks_are_validated(self):
        self.assertEqual(self.client.call("emit invalid"), "PayloadValidationError")
        self.assertEqual(self.client.call("emit unknown"), "UnknownEventError")
        self.client.on("question", lambda question: "maybe")
        self.assertEqual(self.client.call("ask", "ok?"), "AckValidationError")
