"""Validation gives the same answers and reports with jsonschema-rs (the fast path) and with
jsonschema alone (the reference): the suite's validation cases run again without the fast
path, and both are compared on generated values."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import jsonschema_rs
from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from asynction_django import validation
from asynction_django.schemas import to_json_schema
from asynction_django.spec import load_spec

from . import test_events, test_schemas

SPECS = Path(__file__).resolve().parent / "specs"
EXAMPLE = Path(__file__).resolve().parent.parent / "example_project" / "asyncapi.yaml"


def reference_only(cls):
    """``cls`` with jsonschema-rs hidden, so every check goes to jsonschema."""
    patcher = mock.patch.object(validation, "jsonschema_rs", None)
    return type(f"ReferenceOnly{cls.__name__}", (cls,), {
        "setUp": lambda self: (patcher.start(), self.addCleanup(patcher.stop),
                               cls.setUp(self)),
        "__module__": __name__,
        "__doc__": f"{cls.__doc__ or cls.__name__}, without jsonschema-rs.",
    })


ReferenceOnlyTranslationTests = reference_only(test_schemas.TranslationTests)
ReferenceOnlyArgumentRuleTests = reference_only(test_schemas.ArgumentRuleTests)
ReferenceOnlyHandshakeTests = reference_only(test_schemas.HandshakeTests)
ReferenceOnlyEventSemanticsTests = reference_only(test_events.EventSemanticsTests)


def spec_schemas():
    """Every payload and ack schema of the suite's documents and the example's, standalone."""
    found = []
    for path in [*SPECS.glob("*.yaml"), EXAMPLE]:
        spec = load_spec(path, require_handlers=False)
        for namespace in spec.namespaces.values():
            for message in [*namespace.received.values(), *namespace.sent.values()]:
                for arguments in (message.payload, message.ack):
                    if arguments is not None and arguments.schema is not None:
                        found.append(to_json_schema(arguments.schema, spec.document))
    return found


SCHEMAS = spec_schemas()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
    | st.text(max_size=40) | st.sampled_from(["lobby", "2026-01-01T00:00:00Z", "a@b.co"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["room", "text", "id", "created", "online", "level",
                                       "history", "delivered", "author", "x"]), inner,
                      max_size=5),
    max_leaves=12,
)


class AgreementTests(SimpleTestCase):
    def test_the_suite_has_schemas_to_compare(self):
        self.assertGreater(len(SCHEMAS), 30)

    @settings(max_examples=300, deadline=None, database=None)
    @given(index=st.integers(0, len(SCHEMAS) - 1), instance=JSON)
    def test_both_backends_agree(self, index, instance):
        schema = SCHEMAS[index]
        reference = Draft202012Validator(schema,
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        fast = jsonschema_rs.validator_for(schema, validate_formats=True)
        self.assertEqual(fast.is_valid(instance), reference.is_valid(instance),
                         f"schema {schema} instance {instance!r}")

    def test_reports_come_from_the_reference(self):
        check = validation.compile_schema({"type": "object", "required": ["a"]}, {})
        errors = check({})
        self.assertEqual([(e.pointer, e.message, e.keyword) for e in errors],
                         [("", "'a' is a required property", "required")])
