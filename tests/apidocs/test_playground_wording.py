"""The playground's own check words a failure as the server does (one wording, one pointer).

The page's Ajv errors go through ``schema-errors.js``; the server's through jsonschema-rs and
its wording. Both run here on the same schemas and values, in headless Chromium and in
Python, and must report the same checks: same pointers (``""`` for the root, RFC 6901),
same messages, same keywords.
"""

from __future__ import annotations

from pathlib import Path

from django.test import SimpleTestCase

from asynction_django.schemas import to_json_schema
from asynction_django.validation import compile_schema
from tests.support import chromium_executable, launch_chromium

STATIC = Path(__file__).resolve().parents[2] / "asynction_django" / "static" / "asynction_django"
DOCUMENT = {"components": {"schemas": {
    "Node": {"type": "object", "required": ["label"],
             "properties": {"label": {"type": "string"},
                            "children": {"type": "array",
                                         "items": {"$ref": "#/components/schemas/Node"}}}},
    "Name": {"type": "string", "minLength": 2},
}}}
LONG = "x" * 300

CASES = [
    ({"type": "string", "maxLength": 5}, "abcdefg"),
    ({"type": "string", "maxLength": 500}, LONG + LONG),
    ({"type": "string", "minLength": 1}, ""),
    ({"type": "string", "minLength": 2}, "a"),
    ({"type": "string", "pattern": "^a"}, "x"),
    ({"type": "string", "pattern": "^" + "a" * 100 + "$"}, "b"),
    ({"enum": ["a", "b", "c"]}, "x"),
    ({"enum": [1, None, {"a": 1}]}, "x"),
    ({"enum": ["a" * 50, "b" * 50]}, "x"),
    ({"const": "a"}, "x"),
    ({"type": "string"}, 5),
    ({"type": "integer"}, 1.5),
    ({"type": ["string", "null"]}, 5),
    ({"type": ["null", "string", "integer"]}, []),
    ({"type": "object", "required": ["text", "b"]}, {}),
    ({"type": "integer", "minimum": 3}, 1),
    ({"type": "integer", "maximum": 10}, 11),
    ({"type": "number", "maximum": 1.5}, 2.25),
    ({"exclusiveMinimum": 3}, 3),
    ({"exclusiveMaximum": 3}, 3),
    ({"multipleOf": 3}, 4),
    ({"type": "array", "minItems": 2}, [1]),
    ({"type": "array", "maxItems": 1}, [1, 2]),
    ({"type": "array", "uniqueItems": True}, [1, 1]),
    ({"type": "object", "minProperties": 1}, {}),
    ({"type": "object", "maxProperties": 1}, {"a": 1, "b": 2}),
    ({"additionalProperties": False, "properties": {"a": {}}}, {"b": 1}),
    ({"additionalProperties": False, "properties": {"a": {}}}, {"b": 1, "c": 2}),
    ({"additionalProperties": False}, {"b": 1, "c": 2}),
    ({"unevaluatedProperties": False, "properties": {"a": {}}}, {"b": 1}),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, []),
    ({"anyOf": [{"type": "object", "required": ["x"]},
                {"type": "object", "required": ["y"]}]}, {}),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1),
    ({"oneOf": [{"type": "string"}, {"type": "boolean"}]}, 1),
    ({"not": {"type": "string"}}, "x"),
    ({"contains": {"type": "string"}}, [1]),
    ({"minContains": 2, "contains": {"type": "string"}}, ["a", 1]),
    ({"maxContains": 1, "contains": {"type": "string"}}, ["a", "b"]),
    ({"prefixItems": [{"type": "string"}], "items": False}, ["a", 1, 2]),
    ({"prefixItems": [{"type": "string"}], "items": {"type": "string"}}, ["a", 1, 2]),
    ({"unevaluatedItems": False, "prefixItems": [{}]}, [1, 2]),
    ({"dependentRequired": {"a": ["b"]}}, {"a": 1}),
    ({"dependentSchemas": {"a": {"required": ["c"]}}}, {"a": 1}),
    ({"propertyNames": {"maxLength": 1}}, {"ab": 1}),
    ({"if": {"type": "string"}, "then": {"minLength": 3}}, "a"),
    (False, 1),
    ({"type": "object", "properties": {"a": {"type": "object",
                                             "properties": {"b": {"type": "string"}}}}},
     {"a": {"b": 1}}),
    ({"type": "object", "properties": {"a/b": {"type": "string"}, "m~n": {"type": "string"}}},
     {"a/b": 1, "m~n": 2}),
    ({"type": "object", "required": ["c"],
      "properties": {"a": {"type": "integer", "minimum": 1},
                     "b": {"anyOf": [{"$ref": "#/components/schemas/Name"}, {"type": "null"}]}}},
     {"a": 0, "b": 1}),
    ({"$ref": "#/components/schemas/Node"}, {"children": [{"label": 5}, {}]}),
    ({"type": "object", "properties": {"x": False}}, {"x": 1}),
    ({"type": "array", "items": {"type": "string"}}, list(range(3000))),  # first failure only
    ({"type": "array", "items": {"type": "string"}}, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ({"type": "object", "properties": {"text": {"type": "string", "minLength": 1,
                                                "maxLength": 500}}, "required": ["text"]},
     {"text": ""}),
]


def server_errors(schema, value):
    return sorted((error.as_dict() for error in compile_schema(schema, DOCUMENT)(value)),
                  key=lambda error: (error["pointer"], error["message"]))


class PlaygroundWordingTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        browser = launch_chromium(cls, chromium_executable("the playground's wording tests"))
        cls.page = browser.new_page()
        cls.page.set_content("<!DOCTYPE html><title>wording</title>")
        cls.page.add_script_tag(path=str(STATIC / "vendor" / "ajv2020.min.js"))
        cls.page.add_script_tag(path=str(STATIC / "schema-errors.js"))

    def page_errors(self, schema, value):
        """What the playground reports, with the schema as the page gets it."""
        standalone = to_json_schema(schema, DOCUMENT)
        errors = self.page.evaluate("""([schema, value]) => {
            const Ajv = window.ajv2020.default || window.ajv2020;
            const ajv = new Ajv({strict: false, allErrors: true, validateFormats: false,
                                 verbose: true});
            const validate = ajv.compile(schema);
            validate(value);
            return window.asynctionSchemaErrors.fromAjv(validate.errors, schema, value);
        }""", [standalone, value])
        return sorted(errors, key=lambda error: (error["pointer"], error["message"]))

    def test_the_page_and_the_server_report_the_same_checks(self):
        for schema, value in CASES:
            with self.subTest(schema=schema, value=value):
                expected = server_errors(schema, value)
                self.assertTrue(expected, "the case must fail on the server")
                self.assertEqual(self.page_errors(schema, value), expected)

    def test_the_root_is_the_empty_pointer_and_limits_are_stated(self):
        self.assertEqual(self.page_errors({"type": "string", "maxLength": 5}, "abcdefg"),
                         [{"pointer": "", "message": '"abcdefg" is longer than 5 characters',
                           "keyword": "maxLength"}])
        (error,) = self.page_errors({"type": "object", "required": ["text"]}, {})
        self.assertEqual(error["pointer"], "")
        self.assertIn('"text"', error["message"])
