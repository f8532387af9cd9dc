"""A handler's signature must take what the spec sends it: checked once, at start-up."""

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


def spec(handler: str, payload: dict | None) -> dict:
    message = {"name": "go", "x-handler": f"tests.test_signatures.{handler}"}
    if payload is not None:
        message["payload"] = payload
    return {"asyncapi": "2.6.0", "info": {"title": "Signatures", "version": "1"},
            "channels": {"/": {"publish": {"message": message}}}}


TUPLE = {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}],
         "items": False, "minItems": 2}
OPEN_TUPLE = {"type": "array", "prefixItems": [{"type": "integer"}], "items": {}}


class SignatureCheckTests(SimpleTestCase):
    def outcome(self, handler: str, payload: dict | None) -> list[tuple[str, str]]:
        with override_settings(ASYNCTION_SPEC=spec(handler, payload)):
            return [(message.id, message.msg) for message in check_spec()]

    def test_handlers_that_take_what_the_spec_sends_pass(self):
        for handler, payload in (("no_payload", None), ("one", {"type": "string"}),
                                 ("pair", TUPLE), ("any_number", OPEN_TUPLE),
                                 ("any_number", None), ("any_number", TUPLE)):
            with self.subTest(handler=handler, payload=payload):
                self.assertEqual(self.outcome(handler, payload), [])

    def test_a_handler_that_would_lose_the_payload_stops_start_up(self):
        for handler, payload in (("no_payload", {"type": "string"}), ("one", TUPLE),
                                 ("pair", OPEN_TUPLE)):
            with self.subTest(handler=handler):
                (found,) = self.outcome(handler, payload)
                self.assertEqual(found[0], "asynction.E002")
                self.assertIn("its payload would be lost", found[1])

    def test_a_handler_requiring_more_than_the_spec_ever_sends_stops_start_up(self):
        (found,) = self.outcome("pair", {"type": "string"})
        self.assertEqual(found[0], "asynction.E002")
        self.assertIn("requires 2 arguments after sid, but the spec never sends more than 1",
                      found[1])

    def test_a_tuple_that_may_arrive_short_is_a_warning(self):
        short = {key: value for key, value in TUPLE.items() if key != "minItems"}
        (found,) = self.outcome("pair", short)
        self.assertEqual(found[0], "asynction.W002")
        self.assertIn("add minItems", found[1])

    def test_a_handler_taking_more_than_the_spec_ever_sends_is_a_warning(self):
        (found,) = self.outcome("pair_or_more", TUPLE)
        self.assertEqual(found[0], "asynction.W002")
        self.assertIn("takes up to 3 arguments after sid", found[1])
