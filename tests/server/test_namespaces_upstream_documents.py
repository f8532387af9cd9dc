"""Documents written for asynction run unchanged: its array-vs-tuple example, 2.3.0 and 3.0.

asynction writes a tuple as ``prefixItems`` and nothing else: no ``minItems``, ``maxItems``
or ``items: false``. As JSON Schema that lets any number of arguments through, while the
handler (``tuple_message(sid, num, word)``) takes exactly two, one per item. The server
must start (a warning at most: here none, the handler agrees with the items), a call the
handler can take must reach it, and a call it cannot take must get the error ack of an
invalid payload, never a TypeError.
"""

from __future__ import annotations

from io import StringIO
from unittest import mock

import yaml
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

from asynction_django.asgi import get_asgi_application
from asynction_django.checks import check_spec
from asynction_django.runtime import get_server
from asynction_django.testing import SocketIOTestCase
from tests.support import SPECS, LiveSocketIOTestCase

DOCUMENTS = {"2.3.0": SPECS / "upstream.yaml", "3.0.0": SPECS / "v3" / "upstream.yaml"}
TUPLE_HANDLER = "tests.upstream_handlers.tuple_message (event 'tuple')"


def arity_error(got: int, keyword: str) -> dict:
    """The ack of a tuple call with ``got`` arguments: a PayloadValidationError."""
    return {"error": {
        "type": "PayloadValidationError",
        "message": f"event 'tuple' takes exactly 2 arguments, got {got}",
        "errors": [{"pointer": "", "message": f"expected exactly 2 arguments, got {got}",
                    "keyword": keyword}],
    }}


class StartUpTests(SimpleTestCase):
    def test_the_server_starts_and_the_checks_find_nothing(self):
        for version, document in DOCUMENTS.items():
            with self.subTest(version=version), override_settings(ASYNCTION_SPEC=document):
                self.assertEqual(check_spec(), [])
                call_command("check", "--fail-level", "WARNING",
                             stdout=StringIO(), stderr=StringIO())
                get_asgi_application()
                self.assertEqual(get_server().spec.version, version)
                route = get_server().namespace_handlers["/"].routes["tuple"]
                self.assertEqual((route.takes.fewest, route.takes.most), (2, 2))

    def test_a_handler_that_cannot_take_what_the_tuple_requires_still_stops_start_up(self):
        # The same document with minItems 3: no call the spec allows fits tuple_message.
        document = yaml.safe_load(DOCUMENTS["2.3.0"].read_text())
        document["components"]["messages"]["Tuple"]["payload"]["minItems"] = 3
        with override_settings(ASYNCTION_SPEC=document):
            (error,) = check_spec()
        self.assertEqual(error.id, "asynction.E002")
        self.assertEqual(error.msg, f"{TUPLE_HANDLER} takes exactly 2 arguments after sid, "
                                    "but the spec sends it 3 or more arguments: every call "
                                    "would be refused")


@override_settings(ASYNCTION_SPEC=DOCUMENTS["2.3.0"])
class EventTests(SocketIOTestCase):
    """The argument rule, and the handler's signature as the last word on the count."""

    def setUp(self):
        super().setUp()
        self.client = self.socketio_client()

    def test_an_array_is_one_argument(self):
        self.assertEqual(self.client.call("array", [1, 2, 3]), {"payload": [1, 2, 3]})
        reply = self.client.call("array", 1, 2)
        self.assertEqual(reply["error"]["type"], "PayloadValidationError")

    def test_a_valid_tuple_reaches_the_handler_with_both_values(self):
        self.assertEqual(self.client.call("tuple", 3, "north"), {"num": 3, "word": "north"})

    def test_the_tuple_items_are_still_validated(self):
        reply = self.client.call("tuple", "3", "north")
        self.assertEqual(reply["error"]["type"], "PayloadValidationError")
        self.assertEqual(reply["error"]["errors"][0]["pointer"], "/0")

    def test_too_few_or_too_many_arguments_get_an_error_ack_and_the_connection_goes_on(self):
        read_per_message = mock.patch("asynction_django.handlers.positional_range",
                                      side_effect=AssertionError("signature read per message"))
        # No TypeError from calling the handler, and its signature is not read again.
        with self.assertNoLogs(level="ERROR"), read_per_message:
            for args, keyword in (((), "minItems"), ((3,), "minItems"),
                                  ((3, "north", "extra"), "maxItems")):
                with self.subTest(args=args):
                    self.assertEqual(self.client.call("tuple", *args),
                                     arity_error(len(args), keyword))
            self.assertEqual(self.client.call("tuple", 4, "south"), {"num": 4, "word": "south"})

    @override_settings(ASYNCTION_VALIDATION=False)
    def test_the_count_is_checked_even_with_validation_off(self):
        client = self.socketio_client()
        with self.assertNoLogs(level="ERROR"):
            self.assertEqual(client.call("tuple", 3, "north", "extra"),
                             arity_error(3, "maxItems"))
            reply = client.call("array", [1], [2])
            self.assertEqual(reply["error"]["message"],
                             "event 'array' takes exactly 1 argument, got 2")
        self.assertEqual(client.call("tuple", 3, "north"), {"num": 3, "word": "north"})

    @override_settings(ASYNCTION_DEFAULT_ERROR_HANDLER="tests.handlers.handled")
    def test_an_error_handler_gets_the_typed_exception(self):
        client = self.socketio_client()
        self.assertEqual(client.call("tuple", 3), {"handled": "PayloadValidationError"})


@override_settings(ASYNCTION_SPEC=DOCUMENTS["3.0.0"])
class AsyncAPI3EventTests(EventTests):
    """The same calls on the 3.0 document."""


class WireTests(LiveSocketIOTestCase):
    """The document as the issue met it: served by a real daphne."""

    overrides = {"ASYNCTION_SPEC": str(DOCUMENTS["2.3.0"])}

    def test_daphne_serves_the_document_and_refuses_wrong_counts_with_an_ack(self):
        client = self.connect()
        self.assertEqual(client.call("tuple", (3, "north"), timeout=5), {"num": 3, "word": "north"})
        self.assertEqual(client.call("tuple", 3, timeout=5), arity_error(1, "minItems"))
        self.assertEqual(client.call("tuple", (3, "north", "x"), timeout=5),
                         arity_error(3, "maxItems"))
        self.assertEqual(client.call("array", [1, 2], timeout=5), {"payload": [1, 2]})
        self.assertNotIn("TypeError", self.server.log())


class AsynctionStyleDocumentTests(LiveSocketIOTestCase):
    overrides = {"ASYNCTION_SPEC": str(SPECS / "asynction_style.yaml")}

    def test_document_runs_unchanged(self):
        client = self.connect()
        self.assertEqual(client.call("shout", "hello there", timeout=5), "HELLO THERE")
        self.assertEqual(client.call("count", "one two three", timeout=5), {"words": 3})
        self.assertEqual(client.call("shout", 3, timeout=5),
                         {"handled": "PayloadValidationError"})
