"""The mock's fakes for schemas that compose (tests/specs/composed.yaml): every
alternative and every case of a condition or dependency gets fakes, each showing every
field its alternative allows and none it forbids, and each valid as the server says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import SimpleTestCase

from asynction_django.mock.fakes import FakeFactory
from asynction_django.schemas import to_json_schema
from asynction_django.spec import load_spec
from asynction_django.validation import compile_schema
from tests.support import SPECS

COMPOSED = SPECS / "composed.yaml"


class ComposedFakeTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spec = load_spec(COMPOSED, require_handlers=False)
        cls.messages = {message.event: message for namespace in cls.spec.namespaces.values()
                        for message in (*namespace.received.values(), *namespace.sent.values())}

    def fakes(self, event: str) -> list[Any]:
        schema = self.messages[event].payload.schema
        check = compile_schema(schema, self.spec.document)
        values = FakeFactory(seed=11).values(to_json_schema(schema, self.spec.document),
                                             lambda value: not check(value))
        for value in values:
            self.assertEqual(check(value), [], value)
        return values

    def shapes(self, values: list[Any], key: Callable[[Any], Any]) -> dict[Any, set[Any]]:
        """The key sets of ``values``, grouped by ``key`` (the alternative they are of)."""
        found: dict[Any, set[Any]] = {}
        for value in values:
            found.setdefault(key(value), set()).add(tuple(sorted(value)))
        return found

    def test_each_branch_gets_fakes_with_every_field_it_allows(self):
        order = self.shapes(self.fakes("place order"), lambda value: value["type"])
        self.assertEqual(order, {
            "market": {("firmware", "quantity", "symbol", "type")},
            "limit": {("firmware", "limitPrice", "quantity", "symbol", "type")},
        })
        contact = self.shapes(self.fakes("update contact"), lambda value: "email" in value)
        self.assertEqual(contact, {True: {("email", "name")}, False: {("name", "phone")}})

    def test_each_case_of_a_condition_and_a_dependency_gets_fakes(self):
        values = self.fakes("ship")
        self.assertEqual({value["country"] for value in values}, {"US", "FR"})
        self.assertTrue(all(("zip" in value) == (value["country"] == "US") for value in values))
        self.assertEqual({"giftWrap" in value for value in values}, {True, False})
        self.assertTrue(all("giftMessage" in value for value in values if "giftWrap" in value))

    def test_all_of_parts_recursion_and_a_branch_the_parent_forbids(self):
        categories = self.shapes(self.fakes("save category"), lambda value: "leaf" in value)
        self.assertEqual(categories, {False: {("children", "createdBy", "name")},
                                      True: {("children", "createdBy", "leaf", "name")}})
        configured = self.fakes("configure")
        self.assertEqual({(value["kind"], tuple(sorted(value))) for value in configured},
                         {("a", ("kind", "size"))})

    def test_keywords_beside_a_ref_apply_too(self):
        schema = {"$defs": {"base": {"type": "object", "required": ["id"],
                                     "properties": {"id": {"type": "integer", "minimum": 1}}}},
                  "$ref": "#/$defs/base", "required": ["tag"],
                  "properties": {"tag": {"const": "new"}}}
        check = compile_schema(schema, schema)
        values = FakeFactory(seed=5).values(to_json_schema(schema, schema),
                                            lambda value: not check(value))
        self.assertTrue(values)
        for value in values:
            self.assertEqual(check(value), [], value)
            self.assertEqual(value.get("tag"), "new")
