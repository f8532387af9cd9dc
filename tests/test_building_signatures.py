"""A handler's signature against what the spec sends it: checked once, at start-up.

No count the spec allows can reach the handler: an error. A handler that disagrees with
the tuple's items: a warning. A tuple whose schema also lets shorter or longer calls
through (asynction's style) starts silently: the handler's signature refuses those
counts at run time (tests/server/test_namespaces_upstream_documents.py).
"""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from asynction_django.checks import check_spec


def no_payload(sid):
    return None


def one(sid, payload):
    return None


def pair(sid, number, text):
    return None


def pair_or_more(sid, number, text, extra=None):
    return None


def any_number(sid, *arguments):
    return None


def one_to_three(sid, first, second=None, third=None):
    return None


def two_or_more(sid, first, second, *rest):
    return None


def no_sid():
    return None


def spec(handler: str, payload: dict | None) -> dict:
    message = {"name": "go", "x-handler": f"{__name__}.{handler}"}
    if payload is not None:
        message["payload"] = payload
    return {"asyncapi": "2.6.0", "info": {"title": "Signatures", "version": "1"},
            "channels": {"/": {"publish": {"message": message}}}}


TUPLE = {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}],
         "items": False, "minItems": 2}
OPEN_TUPLE = {"type": "array", "prefixItems": [{"type": "integer"}], "items": {}}
UPSTREAM_TUPLE = {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]}


class SignatureCheckTests(SimpleTestCase):
    def outcome(self, handler: str, payload: dict | None) -> list[tuple[str, str]]:
        with override_settings(ASYNCTION_SPEC=spec(handler, payload)):
            return [(message.id, message.msg) for message in check_spec()]

    def test_handlers_that_take_what_the_spec_sends_pass(self):
        short = {key: value for key, value in TUPLE.items() if key != "minItems"}
        for handler, payload in (("no_payload", None), ("one", {"type": "string"}),
                                 ("pair", TUPLE), ("any_number", OPEN_TUPLE),
                                 ("any_number", None), ("any_number", TUPLE),
                                 ("pair", UPSTREAM_TUPLE), ("pair", short),
                                 ("pair", {**OPEN_TUPLE, "minItems": 2}),
                                 ("one_to_three", OPEN_TUPLE)):
            with self.subTest(handler=handler, payload=payload):
                self.assertEqual(self.outcome(handler, payload), [])

    def test_a_handler_no_call_could_reach_stops_start_up(self):
        cases = [
            ("no_payload", {"type": "string"},
             "takes no arguments after sid, but the spec sends it exactly 1 argument"),
            ("one", TUPLE, "takes exactly 1 argument after sid, but the spec sends it exactly "
                           "2 arguments"),
            ("one", None, "takes exactly 1 argument after sid, but the spec sends it no "
                          "arguments"),
            ("pair", {**OPEN_TUPLE, "minItems": 3},
             "takes exactly 2 arguments after sid, but the spec sends it 3 or more arguments"),
            ("pair", {"type": "string"},
             "takes exactly 2 arguments after sid, but the spec sends it exactly 1 argument"),
            ("two_or_more", {"type": "string"},
             "takes 2 or more arguments after sid, but the spec sends it exactly 1 argument"),
        ]
        for handler, payload, reason in cases:
            with self.subTest(handler=handler, payload=payload):
                (found,) = self.outcome(handler, payload)
                self.assertEqual(found, ("asynction.E002", f"{__name__}.{handler} "
                                         f"(event 'go') {reason}: every call would be refused"))

    def test_a_handler_that_cannot_take_sid_stops_start_up(self):
        (found,) = self.outcome("no_sid", None)
        self.assertEqual(found, ("asynction.E002", f"{__name__}.no_sid (event 'go') "
                                 "takes no arguments, but every event handler is called with "
                                 "sid first"))

    def test_a_handler_disagreeing_with_the_tuple_items_is_a_warning(self):
        four = {"type": "array", "prefixItems": [{"type": "integer"}] * 4}
        rest = {"type": "array", "prefixItems": [], "items": {"type": "string"}}
        cases = [
            ("pair", OPEN_TUPLE, "takes exactly 2 arguments", "exactly 1 argument"),
            ("two_or_more", OPEN_TUPLE, "takes 2 or more arguments", "exactly 1 argument"),
            ("one_to_three", four, "takes 1 to 3 arguments", "exactly 4 arguments"),
            ("pair", rest, "takes exactly 2 arguments", "no arguments"),
        ]
        for handler, payload, takes, items in cases:
            with self.subTest(handler=handler, payload=payload):
                (found,) = self.outcome(handler, payload)
                self.assertEqual(found, (
                    "asynction.W002",
                    f"{__name__}.{handler} (event 'go') {takes} after sid, but the "
                    f"payload's tuple describes {items}: a call that sends just the tuple's "
                    "items gets a PayloadValidationError ack",
                ))

    def test_a_handler_taking_more_than_the_spec_ever_sends_is_a_warning(self):
        (found,) = self.outcome("pair_or_more", TUPLE)
        self.assertEqual(found[0], "asynction.W002")
        self.assertIn("takes 2 to 3 arguments after sid, but the spec never sends more than 2",
                      found[1])
