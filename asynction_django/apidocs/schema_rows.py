"""A JSON Schema flattened into the rows of a docs table: properties, items and
alternatives, depth first, in the document's order, each with its facts in words."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 12
COMBINATORS = {"allOf": "all of", "anyOf": "any of", "oneOf": "one of"}


@dataclass(frozen=True)
class SchemaRow:
    """One line of a schema table: a property, an item or an alternative."""

    name: str
    depth: int
    type: str
    required: bool = False
    description: str = ""
    facts: tuple[str, ...] = ()


def tuple_items(schema: dict[str, Any]) -> tuple[list[Any], Any]:
    """A tuple's item schemas and the schema of any further items (2020-12 or draft-07)."""
    if isinstance(schema.get("prefixItems"), list):
        return schema["prefixItems"], schema.get("items")
    return schema["items"], schema.get("additionalItems")


class SchemaRows:
    """Flattens a schema into rows, depth first, in the document's order."""

    def walk(self, schema: Any, name: str, depth: int, required: bool) -> list[SchemaRow]:
        if not isinstance(schema, dict):
            label = "anything" if schema is True else "nothing (always invalid)"
            return [SchemaRow(name, depth, label, required)]
        row = SchemaRow(name, depth, _type_label(schema), required,
                        str(schema.get("description", "") or schema.get("title", "")),
                        _facts(schema))
        if depth >= MAX_DEPTH or "$ref" in schema:
            return [row]
        return [row, *self.children(schema, depth + 1)]

    def children(self, schema: dict[str, Any], depth: int) -> list[SchemaRow]:
        rows: list[SchemaRow] = []
        required = set(schema.get("required") or ())
        for name, sub in (schema.get("properties") or {}).items():
            rows += self.walk(sub, name, depth, name in required)
        for pattern, sub in (schema.get("patternProperties") or {}).items():
            rows += self.walk(sub, f"/{pattern}/", depth, False)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            rows += self.walk(extra, "any other name", depth, False)
        if "prefixItems" in schema or isinstance(schema.get("items"), list):
            items, further = tuple_items(schema)
            for index, sub in enumerate(items):
                rows += self.walk(sub, f"[{index}]", depth, False)
        else:
            further = schema.get("items")
        if isinstance(further, dict):
            rows += self.walk(further, "[items]", depth, False)
        for key, label in COMBINATORS.items():
            for index, sub in enumerate(schema.get(key) or ()):
                rows += self.walk(sub, f"{label} #{index + 1}", depth, False)
        return rows


def _type_label(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return "↻ recursive"
    kind = schema.get("type")
    if isinstance(kind, list):
        label = " | ".join(map(str, kind))
    elif kind:
        label = str(kind)
    elif "const" in schema:
        label = "const"
    elif "enum" in schema:
        label = "enum"
    elif "properties" in schema:
        label = "object"
    elif any(key in schema for key in COMBINATORS):
        label = next(text for key, text in COMBINATORS.items() if key in schema)
    else:
        label = "any"
    if kind == "array" and isinstance(schema.get("items"), dict):
        label = f"array of {_type_label(schema['items'])}"
    return label


def _facts(schema: dict[str, Any]) -> tuple[str, ...]:
    if "$ref" in schema:
        return ("repeats an enclosing schema",)
    facts = []
    if "format" in schema:
        facts.append(f"format: {schema['format']}")
    if "const" in schema:
        facts.append(f"always {_short(schema['const'])}")
    if isinstance(schema.get("enum"), list):
        facts.append("one of: " + ", ".join(_short(value) for value in schema["enum"]))
    for key, text in (("minLength", "length ≥"), ("maxLength", "length ≤"),
                      ("minimum", "≥"), ("maximum", "≤"), ("exclusiveMinimum", ">"),
                      ("exclusiveMaximum", "<"), ("multipleOf", "multiple of"),
                      ("minItems", "items ≥"), ("maxItems", "items ≤"),
                      ("minProperties", "properties ≥"), ("maxProperties", "properties ≤")):
        if key in schema:
            facts.append(f"{text} {_short(schema[key])}")
    if schema.get("uniqueItems"):
        facts.append("unique items")
    if "pattern" in schema:
        facts.append(f"pattern: {schema['pattern']}")
    if schema.get("additionalProperties") is False:
        facts.append("no other properties")
    if schema.get("items") is False or schema.get("additionalItems") is False:
        facts.append("no further items")
    if "default" in schema:
        facts.append(f"default: {_short(schema['default'])}")
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        facts.append("e.g. " + ", ".join(_short(value) for value in examples[:3]))
    elif "example" in schema:
        facts.append(f"e.g. {_short(schema['example'])}")
    if schema.get("deprecated"):
        facts.append("deprecated")
    return tuple(facts)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


