"""One reading of a schema for every consumer, proven against the validator.

Property tests: hypothesis writes object schemas from the parts real documents compose
(shared fields beside ``oneOf``/``anyOf`` branches, ``allOf``, ``not``, ``if``/``then``/
``else``, ``dependentRequired``, ``$ref`` with keywords beside it, recursion, closed
objects, patterns and formats), and each consumer's values are checked with the package's
validator: the docs' example (also the playground's payload) and the mock's fakes are
valid, the docs find an example whenever the mock finds a value, and the docs' table lists
every field a valid value may have. The typed clients and scaffolded TypedDicts are proven
with their compilers on tests/specs/composed.yaml (tests/clients/test_composed_types.py,
tests/test_scaffold_composed.py), as are the docs (tests/apidocs/test_composed_schemas.py)
and the mock (tests/mock/test_fake_schema.py).
"""

from __future__ import annotations

from typing import Any

from django.test import SimpleTestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asynction_django.apidocs.examples import example_of
from asynction_django.apidocs.schema_rows import SchemaRows
from asynction_django.mock.fakes import FakeFactory
from asynction_django.schemas import to_json_schema
from asynction_django.validation import compile_schema

FIELDS = {
    "code": {"type": "string", "pattern": r"^[A-Z]{3}-\d{2}$"},
    "count": {"type": "integer", "minimum": 1, "maximum": 9},
    "kind": {"enum": ["a", "b", "c"]},
    "email": {"type": "string", "format": "email"},
    "flag": {"type": "boolean"},
    "note": {"type": "string", "minLength": 2},
}
PARTS = ("oneOf", "anyOf", "allOf", "not", "if", "dependentRequired", "ref", "recursion",
         "closed")


@st.composite
def composed_schemas(draw: st.DrawFn) -> dict[str, Any]:
    """An object schema with shared fields and some of PARTS (standalone 2020-12)."""
    names = ["kind", *draw(st.lists(st.sampled_from([n for n in FIELDS if n != "kind"]),
                                    min_size=1, max_size=4, unique=True))]
    names_of = st.sampled_from(names)
    schema: dict[str, Any] = {
        "type": "object", "properties": {name: FIELDS[name] for name in names},
        "required": draw(st.lists(names_of, max_size=2, unique=True))}
    parts = draw(st.sets(st.sampled_from(PARTS), min_size=1, max_size=4))
    if "oneOf" in parts:
        kinds = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=2, max_size=3,
                              unique=True))
        schema["oneOf"] = [{
            "title": f"{kind} branch",
            "properties": {"kind": {"const": kind}},
            "required": list(dict.fromkeys(["kind", *draw(st.lists(names_of, max_size=1))])),
            **({"not": {"required": [draw(names_of)]}} if draw(st.booleans()) else {}),
        } for kind in kinds]
    if "anyOf" in parts:
        schema["anyOf"] = [{"required": [name]} for name in draw(
            st.lists(names_of, min_size=1, max_size=2, unique=True))]
    if "allOf" in parts:
        schema["allOf"] = [{"required": [draw(names_of)]},
                           {"properties": {"count": {"maximum": 5}, "extra": {"type": "string"}}}]
    if "not" in parts:
        schema["not"] = {"required": [draw(names_of)]}
    if "if" in parts:
        needed = draw(names_of)
        schema.update({"if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]},
                       "then": {"required": [needed]},
                       "else": {"not": {"required": [needed]}}})
    if "dependentRequired" in parts:
        first, second = draw(st.lists(names_of, min_size=2, max_size=2, unique=True)) \
            if len(names) > 1 else (names[0], names[0])
        schema["dependentRequired"] = {first: [second]}
    if "closed" in parts:
        schema["additionalProperties"] = False
    if "recursion" in parts:
        schema["properties"]["next"] = {"$ref": "#/$defs/base"}
    if "ref" in parts or "recursion" in parts:
        siblings = {"required": ["tag"], "properties": {"tag": {"const": "t"}}} \
            if "ref" in parts else {}
        return {"$defs": {"base": schema}, "$ref": "#/$defs/base", **siblings}
    return schema


class EveryConsumerAgreesWithTheValidatorTests(SimpleTestCase):
    @settings(max_examples=30, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.nested_given, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(composed_schemas())
    def test_docs_examples_mock_fakes_and_docs_rows(self, schema):
        check = compile_schema(schema, schema)
        standalone = to_json_schema(schema, schema)

        def valid(value: Any) -> bool:
            return not check(value)

        fakes = FakeFactory(seed=1, size=6).values(standalone, valid)
        for fake in fakes:
            self.assertEqual(check(fake), [], fake)
        example = example_of(standalone)  # the docs' example and the playground's payload
        if fakes:
            self.assertTrue(example is not None and valid(example),
                            f"the docs show {example!r}: {check(example)}")
        else:  # no value is valid: the docs show none either
            self.assertIsNone(example)
        names = {row.name for row in SchemaRows().walk(schema, "argument", 0, True)}
        for fake in fakes:
            self.assertLessEqual(set(fake), names, "the docs leave out a field a value has")


class ReadingTests(SimpleTestCase):
    """The reading itself, on the forms the consumers rely on."""

    def test_branches_merge_with_their_siblings_and_the_other_branches_are_ruled_out(self):
        from asynction_django.schema_shapes import Reading

        schema = {"type": "object", "required": ["name"],
                  "properties": {"name": {"type": "string"}, "email": {"type": "string"},
                                 "phone": {"type": "string"}},
                  "oneOf": [{"title": "by mail", "required": ["email"]},
                            {"required": ["phone"]}]}
        shapes = Reading(schema).shapes(schema)
        self.assertEqual([shape.label for shape in shapes], ["one of #1: by mail", "one of #2"])
        self.assertEqual([shape.required for shape in shapes],
                         [("name", "email"), ("name", "phone")])
        # A value matching both branches is refused by oneOf: each forbids the other's field.
        text = {"type": "string"}
        self.assertEqual([shape.properties["phone"] for shape in shapes], [False, text])
        self.assertEqual([shape.properties["email"] for shape in shapes], [text, False])
        self.assertEqual([(shape.nots, shape.exclusive) for shape in shapes], [((), ())] * 2)

    def test_keywords_beside_a_ref_and_all_of_parts_are_merged(self):
        from asynction_django.schema_shapes import Reading

        schema = {"$defs": {"base": {"type": "object", "required": ["id"],
                                     "properties": {"id": {"type": "integer"}}}},
                  "$ref": "#/$defs/base", "required": ["tag"],
                  "allOf": [{"properties": {"tag": {"enum": ["a", "b"]}}},
                            {"properties": {"tag": {"not": {"const": "b"}}}}]}
        reading = Reading(schema)
        [shape] = reading.shapes(schema)
        self.assertEqual(shape.required, ("tag", "id"))
        [tag] = reading.shapes(shape.properties["tag"])
        self.assertEqual(tag.keywords, {"enum": ["a"]})

    def test_conditions_and_dependencies_split_into_cases(self):
        from asynction_django.schema_shapes import Reading

        schema = {"type": "object", "required": ["country"],
                  "properties": {"country": {"enum": ["US", "FR"]}, "zip": {"type": "string"}},
                  "if": {"properties": {"country": {"const": "US"}}},
                  "then": {"required": ["zip"]}, "else": {"not": {"required": ["zip"]}},
                  "dependentRequired": {"zip": ["country"]}}
        reading = Reading(schema)
        [shape] = reading.shapes(schema)
        self.assertEqual(len(shape.conditions), 1)  # kept, for the docs to say
        cases = reading.cases(schema)
        countries = [reading.shapes(case.properties["country"])[0].keywords for case in cases]
        self.assertEqual(countries, [{"const": "US"}, {"enum": ["FR"]}])
        self.assertEqual([case.properties["zip"] for case in cases], [{"type": "string"}, False])
        self.assertEqual([case.required for case in cases], [("country", "zip"), ("country",)])

    def test_contradictions_leave_no_alternative(self):
        from asynction_django.schema_shapes import Reading

        for schema in ({"type": "string", "allOf": [{"type": "integer"}]},
                       {"type": "object", "required": ["a"], "not": {"required": ["a"]}},
                       {"enum": [1, 2], "allOf": [{"not": {"enum": [1, 2]}}]},
                       {"type": "object", "additionalProperties": False,
                        "oneOf": [{"required": ["x"]}]},
                       {"minLength": 3, "maxLength": 2, "type": "string"}):
            with self.subTest(schema=schema):
                self.assertEqual(Reading(schema).shapes(schema), [])

    def test_too_many_alternatives_are_read_as_one_open_shape_and_cycles_end(self):
        from asynction_django.schema_shapes import MAX_SHAPES, Reading

        many = {"type": "object", "allOf": [{"anyOf": [{"required": [f"a{index}"]},
                                                       {"required": [f"b{index}"]}]}
                                            for index in range(7)]}
        self.assertGreater(2 ** 7, MAX_SHAPES)
        [shape] = Reading(many).shapes(many)
        self.assertTrue(shape.open)
        self.assertEqual(shape.extra, ({"allOf": many["allOf"]},))
        cycle = {"$defs": {"a": {"allOf": [{"$ref": "#/$defs/a"}], "type": "object"}},
                 "$ref": "#/$defs/a"}
        [shape] = Reading(cycle).shapes(cycle)
        self.assertEqual(shape.keywords, {"type": "object"})
        self.assertEqual(shape.extra, ({"$ref": "#/$defs/a"},))
