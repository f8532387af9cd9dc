"""How failed checks read: what a client (and the playground's log) is told, as a person
says it."""

from __future__ import annotations

from django.test import SimpleTestCase

from asynction_django.validation import compile_schema


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
