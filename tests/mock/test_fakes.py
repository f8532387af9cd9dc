"""The mock server's fakes: valid against their schema whatever the seed, and realistic
(the spec's examples first, modest numbers, words, Faker's providers)."""

from __future__ import annotations

import math
import sys
from datetime import datetime
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase
from jsonschema import Draft202012Validator

from asynction_django.apidocs.examples import message_examples
from asynction_django.mock.fakes import FakeFactory, MissingExtra
from asynction_django.schemas import to_json_schema
from asynction_django.spec import Arity, load_spec
from asynction_django.validation import compile_schema
from tests.support import ROOT, SPECS

EXAMPLE = ROOT / "example_project" / "asyncapi.yaml"
REALISTIC = SPECS / "mock_realistic.yaml"
REPLIES = SPECS / "mock_replies.yaml"
FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER
SAFE_INTEGER = 2**53 - 1


def checker(schema):
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    return validator.is_valid


class FakeTests(SimpleTestCase):
    factory = FakeFactory(seed=7)

    def pool(self, schema):
        values = self.factory.pool(schema, checker(schema)).values
        for value in values:
            self.assertTrue(checker(schema)(value), value)
        return values

    def test_formats_and_faker_providers_give_realistic_strings(self):
        values = self.pool({"type": "object", "required": ["email", "id", "name", "when"],
                            "properties": {"email": {"type": "string", "format": "email"},
                                           "id": {"type": "string", "format": "uuid"},
                                           "name": {"type": "string", "format": "first_name"},
                                           "when": {"type": "string", "format": "date-time"}}})
        self.assertGreater(len(values), 5)
        for value in values:
            self.assertRegex(value["email"], r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
            self.assertRegex(value["name"], r"^[A-Z][a-z]+$")  # a Faker first name
            self.assertEqual(set(value), {"email", "id", "name", "when"})  # no made-up keys

    def test_plain_strings_are_words_and_constraints_hold(self):
        values = self.pool({"type": "string", "minLength": 2, "maxLength": 12})
        self.assertTrue(all(value.isprintable() for value in values))
        numbers = self.pool({"type": "integer", "minimum": 5, "maximum": 9})
        self.assertTrue(all(5 <= number <= 9 for number in numbers))

    def test_tuples_enums_and_recursive_schemas(self):
        tuples = self.pool({"type": "array", "prefixItems": [{"type": "integer"},
                                                             {"enum": ["up", "down"]}],
                            "items": False, "minItems": 2})
        self.assertTrue(all(len(value) == 2 and value[1] in ("up", "down") for value in tuples))
        tree = {"$defs": {"node": {"type": "object", "required": ["label"], "properties": {
            "label": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
            "$ref": "#/$defs/node"}
        self.assertTrue(self.pool(tree))

    def test_missing_extra_says_what_to_install(self):
        with mock.patch.dict(sys.modules, {"faker": None}):
            with self.assertRaisesMessage(MissingExtra, "pip install 'asynction-django[mock]'"):
                FakeFactory()
            with self.assertRaisesMessage(CommandError, "pip install 'asynction-django[mock]'"):
                call_command("asynction_mock", str(SPECS / "echo.yaml"))

    def test_bad_arguments_are_command_errors(self):
        with self.assertRaisesMessage(CommandError, "--interval must be more than 0"):
            call_command("asynction_mock", str(SPECS / "echo.yaml"), interval=0)
        with self.assertRaisesMessage(CommandError, "no such file"):
            call_command("asynction_mock", "nope.yaml")
        with self.assertRaisesMessage(CommandError, "problem(s) in the AsyncAPI document"):
            call_command("asynction_mock", str(SPECS / "unit" / "broken.yaml"), stderr=_Null())


EMAIL = r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$"
HEADLINES = [{"title": "Rain expected in Lisbon", "score": 3},
             {"title": "Markets close higher", "score": 7}]


def leaves(value):
    """Every number and string in a JSON value."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


class RealisticFakeTests(SimpleTestCase):
    """What fakes look like: the spec's examples first, modest numbers, words (issue #18)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spec = load_spec(REALISTIC, require_handlers=False)
        cls.factory = FakeFactory(seed=11)

    def values(self, event, examples=()):
        payload = self.spec.namespaces["/"].sent[event].payload
        check = compile_schema(payload.schema, self.spec.document)
        schema = to_json_schema(payload.schema, self.spec.document)
        values = self.factory.pool(schema, lambda value: not check(value), examples).values
        for value in values:
            self.assertEqual(check(value), [], value)
        return values

    def test_numbers_are_modest_and_safe_unless_the_schema_says_otherwise(self):
        stats = self.values("stats")
        for value in stats:
            self.assertTrue(0 <= value["numUsers"] <= 1000, value)
            self.assertTrue(0 <= value["value"] <= 1000, value)
        budgets = self.values("budget")
        for budget in budgets:
            self.assertGreaterEqual(budget["amount"], 5000)
            self.assertEqual(budget["amount"] % 500, 0)
            self.assertTrue(-1100 <= budget["debt"] <= -100, budget)
            # A range of ±10^20 allows modest values, so modest they are.
            self.assertTrue(0 <= budget["huge"] <= 1000, budget)
            self.assertTrue(math.isfinite(budget["ratio"]) and abs(budget["ratio"]) <= 1000)
        numbers = [leaf for value in stats + budgets for leaf in leaves(value)
                   if isinstance(leaf, (int, float)) and not isinstance(leaf, bool)]
        self.assertTrue(numbers)
        self.assertTrue(all(abs(number) <= SAFE_INTEGER for number in numbers))

    def test_strings_are_words_unless_a_format_or_pattern_says_otherwise(self):
        values = self.values("stats")
        self.assertGreater(len(values), 5)
        for value in values:
            self.assertRegex(value["email"], EMAIL)  # by the property's name
            self.assertRegex(value["contact"], EMAIL)  # by its format
            self.assertRegex(value["username"], r"^[\w.]+$")
            self.assertRegex(value["name"], r"^[A-Z][\w.'-]*( [A-Z][\w.'-]*)+$")
            datetime.fromisoformat(value["time"])  # not a phone number
            datetime.fromisoformat(value["seen"])
            self.assertRegex(value["url"], r"^https?://")
            self.assertTrue(30 <= len(value["note"]) <= 40 and " " in value["note"], value)
            self.assertRegex(value["id"], r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")
            self.assertRegex(value["host"], r"^\d+\.\d+\.\d+\.\d+$")
            self.assertRegex(value["code"], r"^[A-Z]{3}-[0-9]{4}$")  # whole, not just a part
            self.assertTrue(1 <= len(value["tags"]) <= 5)
            self.assertEqual(len(set(value["tags"])), len(value["tags"]))
            self.assertTrue(1 <= len(value["extra"]) <= 3)  # free-form: words keyed by words
            self.assertTrue(all(word.isalpha() for word in [*value["extra"], *value["tags"]]))
            for leaf in leaves(value):
                self.assertTrue(not isinstance(leaf, str) or leaf.isprintable(), leaf)

    def test_the_schemas_own_examples_const_enum_and_default_at_any_depth(self):
        values = self.values("reading")
        self.assertEqual({value["sensor"] for value in values}, {"thermo-kitchen", "thermo-garage"})
        for value in values:
            self.assertEqual(value["unit"], "celsius")
            self.assertIn(value["level"], ["low", "high"])
            self.assertEqual(value["mode"], "auto")
            self.assertEqual(value["position"], {"lat": 38.72, "lon": -9.14})
            self.assertLessEqual(value["floor"], 10)  # its example (99) breaks its maximum
        self.assertEqual(self.values("move"), [["e2", "e4"]])  # each tuple item's examples

    def test_message_examples_come_first_and_broken_ones_are_left_out(self):
        message = self.spec.namespaces["/"].sent["headline"]
        self.assertEqual(self.values("headline", message_examples(message.document)), HEADLINES)

    def test_recursive_schemas_are_unrolled(self):
        def depth(node):
            return 1 + max((depth(child) for child in node.get("children", [])), default=0)

        values = self.values("tree")
        self.assertGreaterEqual(max(depth(value) for value in values), 2)
        self.assertTrue(all(label.isalpha() for value in values for label in leaves(value)))


class FakeValidityTests(SimpleTestCase):
    """Every fake of every schema of the fixtures is valid, whatever the seed."""

    def test_every_fake_is_valid_against_its_schema_over_many_seeds(self):
        for path in (REALISTIC, REPLIES, EXAMPLE):
            spec = load_spec(path, require_handlers=False)
            messages = [message for namespace in spec.namespaces.values()
                        for message in (*namespace.sent.values(), *namespace.received.values())]
            arguments = [part for message in messages for part in (message.payload, message.ack)
                         if part is not None and part.arity is not Arity.NONE]
            for part in arguments:
                schema = to_json_schema(part.schema, spec.document)
                check = compile_schema(part.schema, spec.document)
                validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
                for seed in range(3):
                    with self.subTest(spec=path.name, at=part.location.pointer, seed=seed):
                        values = FakeFactory(seed, size=8).pool(
                            schema, lambda value, check=check: not check(value)).values
                        self.assertTrue(values)
                        for value in values:
                            validator.validate(value)
                            self.assertEqual(check(value), [])
                            self.assertTrue(all(
                                abs(leaf) <= SAFE_INTEGER for leaf in leaves(value)
                                if isinstance(leaf, int)))


class _Null:
    def write(self, text):
        pass

    def flush(self):
        pass
