"""The validators compiled at start-up: the argument rule for payloads and acks, and the
handshake's query and headers."""

from __future__ import annotations

from django.test import SimpleTestCase

from asynction_django.exceptions import HandshakeValidationError, PayloadValidationError
from asynction_django.spec import Arguments, Handshake, Location
from asynction_django.validation import (
    MAX_PARTS_FOR_ALL_ERRORS,
    ArgumentsValidator,
    HandshakeValidator,
    has_more_parts,
)

HERE = Location("test")


def validator(schema):
    return ArgumentsValidator(Arguments(schema, HERE), {}, PayloadValidationError, "event 'e'")


class ArgumentRuleTests(SimpleTestCase):
    def test_no_schema_means_no_argument(self):
        check = validator(None)
        check.validate(())
        with self.assertRaisesMessage(PayloadValidationError,
                                      "event 'e' takes no arguments, got 1"):
            check.validate((1,))

    def test_plain_schema_means_exactly_one_argument(self):
        check = validator({"type": "array"})
        check.validate(([1, 2, 3],))
        with self.assertRaisesMessage(PayloadValidationError,
                                      "event 'e' takes exactly one argument, got 3"):
            check.validate((1, 2, 3))

    def test_tuple_schema_means_one_argument_per_item(self):
        check = validator({"prefixItems": [{"type": "integer"}, {"type": "string"}],
                           "items": False})
        check.validate((1, "foo"))
        with self.assertRaises(PayloadValidationError) as caught:
            check.validate((1, 2))
        detail = caught.exception.errors[0]
        self.assertEqual((detail.pointer, detail.keyword), ("/1", "type"))

    def test_error_details_point_into_the_argument(self):
        check = validator({"type": "object", "properties": {"room": {"type": "string"}}})
        with self.assertRaises(PayloadValidationError) as caught:
            check.validate(({"room": 1},))
        self.assertEqual(caught.exception.as_wire()["error"]["errors"][0]["pointer"], "/room")


class LargeFailingValuesTests(SimpleTestCase):
    """jsonschema-rs lists every failure of a value before the first is handed over: a
    client's 200,000-item array of wrong types would hold the event loop for seconds."""

    def test_a_small_value_lists_up_to_ten_failures(self):
        with self.assertRaises(PayloadValidationError) as caught:
            validator({"type": "array", "items": {"type": "integer"}}).validate((["x"] * 50,))
        self.assertEqual(len(caught.exception.errors), 10)

    def test_a_large_value_reports_its_first_failure_only(self):
        check = validator({"type": "array", "items": {"type": "integer"}})
        with self.assertRaises(PayloadValidationError) as caught:
            check.validate((["x"] * 200_000,))
        [detail] = caught.exception.errors
        self.assertEqual((detail.pointer, detail.keyword), ("/0", "type"))

    def test_the_count_stops_at_the_limit(self):
        nested = {"a": [[1] * 10] * (MAX_PARTS_FOR_ALL_ERRORS // 10)}
        self.assertTrue(has_more_parts(nested, MAX_PARTS_FOR_ALL_ERRORS))
        self.assertFalse(has_more_parts([1] * (MAX_PARTS_FOR_ALL_ERRORS - 1),
                                         MAX_PARTS_FOR_ALL_ERRORS))


class HandshakeTests(SimpleTestCase):
    def check(self, environ, **handshake):
        arguments = {key: Arguments(value, HERE) for key, value in handshake.items()
                     if key != "method"}
        HandshakeValidator(Handshake(method=handshake.get("method"), **arguments),
                           {}).validate(environ)

    def test_engineio_parameters_never_reach_the_query_schema(self):
        query = {"type": "object", "additionalProperties": False,
                 "properties": {"token": {"type": "string"}}}
        self.check({"QUERY_STRING": "EIO=4&transport=polling&t=1&sid=x&j=1&b64=1&token=a"},
                   query=query)

    def test_repeated_query_parameters_become_lists(self):
        query = {"properties": {"tag": {"type": "array", "items": {"type": "string"}}}}
        self.check({"QUERY_STRING": "tag=a&tag=b"}, query=query)
        with self.assertRaises(HandshakeValidationError):
            self.check({"QUERY_STRING": "tag=a"}, query=query)

    def test_header_names_are_case_insensitive(self):
        headers = {"required": ["X-Token"], "properties": {"X-Token": {"minLength": 2}}}
        self.check({"HTTP_X_TOKEN": "ab"}, headers=headers)
        with self.assertRaises(HandshakeValidationError) as caught:
            self.check({"HTTP_X_TOKEN": "a"}, headers=headers)
        self.assertEqual(caught.exception.errors[0].pointer, "/headers/x-token")

    def test_method(self):
        self.check({"REQUEST_METHOD": "GET"}, method="GET")
        with self.assertRaises(HandshakeValidationError) as caught:
            self.check({"REQUEST_METHOD": "GET"}, method="POST")
        self.assertEqual(caught.exception.errors[0].keyword, "method")
