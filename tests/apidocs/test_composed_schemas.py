"""The docs of schemas that compose (tests/specs/composed.yaml): shared fields beside
``oneOf``/``anyOf`` branches, ``allOf``, ``not``, ``if``/``then``/``else``,
``dependentRequired``, recursion and patterns.

The table shows what each alternative requires and forbids, and every example the page
shows (and the playground pre-fills) is valid against the schema, as the server's own
validator says; when none can be found, the page says so instead of showing one.
"""

from __future__ import annotations

import re
import sys
from typing import Any
from unittest import mock

from django.template.loader import render_to_string
from django.test import SimpleTestCase

from asynction_django.apidocs import examples
from asynction_django.apidocs.page import ApiDocs, build_docs
from asynction_django.spec import load_spec
from asynction_django.validation import compile_schema
from tests.support import SPECS

COMPOSED = SPECS / "composed.yaml"
FIRMWARE = re.compile(r"^\d+\.\d+\.\d+$")


def composed_docs() -> tuple[Any, ApiDocs]:
    spec = load_spec(COMPOSED, require_handlers=False)
    return spec, build_docs(spec, "/socket.io/", None)


def table(rows: Any) -> list[str]:
    """Rows as ``name | * | type | facts`` lines, indented by depth."""
    return ["  " * row.depth + " | ".join([row.name, "*" if row.required else "", row.type,
                                          *row.facts]) for row in rows]


class ComposedRowsTests(SimpleTestCase):
    def setUp(self):
        _, docs = composed_docs()
        self.events = {event.event: event for namespace in docs.namespaces
                       for event in namespace.received + namespace.sent}

    def rows(self, event: str) -> list[str]:
        return table(self.events[event].payload.rows)

    def test_each_branch_shows_what_it_requires_and_forbids_after_the_shared_fields(self):
        self.assertEqual(self.rows("place order"), [
            "argument | * | object",
            "  symbol | * | string | length ≥ 1",
            "  quantity | * | integer | ≥ 1",
            r"  firmware |  | string | pattern: ^\d+\.\d+\.\d+$",
            "  one of #1: Market order |  | object",
            '    type | * | const | always "market"',
            "    limitPrice |  | — | must not be present",
            "  one of #2: Limit order |  | object",
            '    type | * | const | always "limit"',
            "    limitPrice | * | number | > 0",
        ])
        self.assertEqual(self.rows("update contact")[2:], [
            "  one of #1 |  | object",
            "    email | * | string | format: email",
            "    phone |  | — | must not be present",
            "  one of #2 |  | object",
            "    email |  | — | must not be present",
            r"    phone | * | string | pattern: ^\+\d{6,12}$",
        ])

    def test_conditions_and_dependencies_are_facts(self):
        self.assertEqual(self.rows("ship")[0],
                         'argument | * | object | if country is "US": zip present; otherwise: '
                         "no zip | with giftWrap: giftMessage required")

    def test_all_of_parts_are_merged_and_recursion_is_marked(self):
        self.assertEqual(self.rows("save category"), [
            "argument | * | object",
            "  name | * | string | length ≥ 1",
            "  createdBy | * | string | length ≥ 1",
            "  any of #1 |  | object",
            "    children | * | array of ↻ recursive",
            "      [items] |  | ↻ recursive | repeats an enclosing schema",
            "  any of #2 |  | object",
            "    children |  | array of ↻ recursive",
            "      [items] |  | ↻ recursive | repeats an enclosing schema",
            "    leaf | * | const | always true",
        ])

    def test_an_alternative_the_parent_rules_out_is_not_listed(self):
        # additionalProperties: false on the parent forbids the second branch's colour.
        self.assertEqual(self.rows("configure"), [
            "argument | * | object | no other properties",
            '  kind | * | const | always "a"',
            "  size | * | integer | ≥ 1",
        ])


class ComposedExampleTests(SimpleTestCase):
    def test_every_example_and_playground_payload_is_valid(self):
        spec, docs = composed_docs()
        for namespace, documented in zip(spec.namespaces.values(), docs.namespaces,
                                         strict=True):
            playground = docs.playground[namespace.name]["events"]
            messages = {**namespace.received, **namespace.sent}
            for event in documented.received + documented.sent:
                message = messages[event.event]
                for arguments, written in ((event.payload, message.payload),
                                           (event.ack, message.ack)):
                    if arguments is None or written is None or written.schema is None:
                        continue
                    with self.subTest(event=event.event, example=arguments.example):
                        self.assertTrue(getattr(arguments, "example_found", True))
                        check = compile_schema(written.schema, spec.document)
                        self.assertEqual(check(arguments.example), [])
                if event in documented.received:
                    self.assertEqual(playground[event.event]["example"], event.payload.example)

    def test_a_pattern_gets_a_string_that_matches_it(self):
        _, docs = composed_docs()
        flash = next(event for event in docs.namespaces[0].received if event.event == "flash")
        self.assertRegex(flash.payload.example["firmware"], FIRMWARE)
        self.assertFalse(flash.payload.example_given)

    def test_a_message_example_the_schema_refuses_is_not_shown(self):
        _, docs = composed_docs()
        placed = next(event for event in docs.namespaces[0].sent
                      if event.event == "order placed")
        self.assertEqual(placed.payload.example, {"symbol": "ACME", "type": "limit",
                                                  "quantity": 5, "limitPrice": 12.5})
        self.assertTrue(placed.payload.example_given)

    def test_without_hypothesis_a_pattern_it_cannot_meet_gets_no_example_and_the_page_says_so(
            self):
        drawn = getattr(examples, "_draws", None)  # hypothesis' draws, cached per schema
        if drawn is not None:
            drawn.cache_clear()
            self.addCleanup(drawn.cache_clear)
        with mock.patch.dict(sys.modules, {"hypothesis_jsonschema": None}):
            _, docs = composed_docs()
        flash = next(event for event in docs.namespaces[0].received if event.event == "flash")
        self.assertFalse(getattr(flash.payload, "example_found", True))
        self.assertNotIn("example", docs.playground["/"]["events"]["flash"])
        html = render_to_string("asynction_django/docs/example.html",
                                {"arguments": flash.payload})
        self.assertIn("No example: add <code>examples</code> to the schema.", html)
        self.assertNotIn("<pre", html)
        # An optional field it cannot fill is left out; the example stays valid.
        order = next(event for event in docs.namespaces[0].received
                     if event.event == "place order")
        self.assertTrue(order.payload.example_found)
        self.assertNotIn("firmware", order.payload.example)
