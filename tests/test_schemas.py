"""AsyncAPI Schema Objects as JSON Schema 2020-12: every older draft's keyword translated."""

from __future__ import annotations

from django.test import SimpleTestCase

from asynction_django.schemas import to_json_schema
from asynction_django.validation import (
    InvalidSchema,
    compile_schema,
)


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
