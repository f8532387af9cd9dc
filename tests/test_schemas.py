"""AsyncAPI schemas are enforced in full: translation to 2020-12 and the argument rule."""

from __future__ import annotations

from django.test import SimpleTestCase

from asynction_django.exceptions import HandshakeValidationError, PayloadValidationError
from asynction_django.schemas import to_json_schema
from asynction_django.spec import Arguments, Handshake, Location
from asynction_django.validation import (
    ArgumentsValidator,
    HandshakeValidator,
    InvalidSchema,
    compile_schema,
)

HERE = Location("test")


def validator(schema):
    return ArgumentsValidator(Arguments(schema, HERE), {}, PayloadValidationError, "event 'e'")


class TranslationTests(SimpleTestCase):
    def errors(self, schema, instance):
        return compile_schema(schema, {})(instance)

    def test_prefix_items_are_enforced_with_items_after_the_prefix(self):
        schema = {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}],
                  "items": False}
        self.assertEqual(self.errors(schema, [1, "a"]), [])
        self.assertTrue(self.errors(schema, ["1", "a"]))
        self.assertTrue(self.errors(schema, [1, "a", None]))
        not_anything = {**schema, "items": {"not": {}}}
        self.assertEqual(self.errors(not_anything, [1, "a"]), [])
        self.assertTrue(self.errors(not_anything, [1, "a", 3]))

    def test_empty_prefix_items_mean_no_positional_items(self):
        schema = {"type": "array", "prefixItems": [], "items": {"type": "string"}}
        self.assertEqual(to_json_schema(schema, {}), {"type": "array",
                                                      "items": {"type": "string"}})
        self.assertEqual(self.errors(schema, ["a", "b"]), [])
        self.assertTrue(self.errors(schema, ["a", 1]))

    def test_draft7_array_items_and_additional_items(self):
        schema = {"items": [{"type": "integer"}], "additionalItems": {"type": "string"}}
        self.assertEqual(to_json_schema(schema, {}),
                         {"prefixItems": [{"type": "integer"}], "items": {"type": "string"}})
        self.assertEqual(self.errors(schema, [1, "a", "b"]), [])
        self.assertTrue(self.errors(schema, [1, 2]))

    def test_draft7_dependencies_both_forms(self):
        schema = {"dependencies": {"a": ["b"], "c": {"required": ["d"]}}}
        self.assertTrue(self.errors(schema, {"a": 1}))
        self.assertTrue(self.errors(schema, {"c": 1}))
        self.assertEqual(self.errors(schema, {"a": 1, "b": 1, "c": 1, "d": 1}), [])

    def test_draft4_boolean_exclusive_bounds(self):
        schema = {"minimum": 1, "exclusiveMinimum": True}
        self.assertTrue(self.errors(schema, 1))
        self.assertEqual(self.errors(schema, 2), [])

    def test_formats_known_are_checked_unknown_are_allowed(self):
        self.assertTrue(self.errors({"type": "string", "format": "ipv4"}, "nope"))
        self.assertEqual(self.errors({"type": "string", "format": "first_name"}, "Ann"), [])

    def test_data_keywords_are_left_alone(self):
        schema = {"enum": [{"items": [1]}], "default": {"items": [2]}, "const": {"items": [1]}}
        self.assertEqual(to_json_schema(schema, {}), schema)

    def test_recursive_markers_are_bundled(self):
        document = {"node": {"type": "object", "properties": {"next": {"$ref": "#/node"}}}}
        bundled = to_json_schema(document["node"], document)
        self.assertEqual(bundled["properties"]["next"], {"$ref": "#/$defs/asynction0"})
        check = compile_schema(document["node"], document)
        self.assertEqual(check({"next": {"next": {}}}), [])
        self.assertTrue(check({"next": {"next": 1}}))

    def test_invalid_schema_is_reported(self):
        with self.assertRaisesMessage(InvalidSchema, "invalid schema at /type"):
            compile_schema({"type": 12}, {})


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
