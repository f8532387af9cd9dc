"""A JSON Schema flattened into the rows of a docs table: properties, items and
alternatives, depth first, in the document's order, each with its facts in words.

The schema is read as :mod:`..schema_shapes` reads it for every other consumer (examples,
fakes, types): ``allOf`` parts are one merged object; ``anyOf``/``oneOf`` alternatives are
listed after the fields they all share, each with the fields it adds or changes (one it
requires, one it forbids, a narrower value); ``not``, ``if``/``then``/``else`` and
dependencies are facts in words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..schema_shapes import Reading, Shape, is_reference

MAX_DEPTH = 12
COMBINATORS = {"allOf": "all of", "anyOf": "any of", "oneOf": "one of"}
Fields = dict[str, tuple[Any, bool]]  # a row's name -> (its schema, required); None: any


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

    def __init__(self, reading: Reading | None = None):
        self.reading = reading or Reading()
        self.entered: list[str] = []  # the references walked into, outermost first

    def walk(self, schema: Any, name: str, depth: int, required: bool) -> list[SchemaRow]:
        if schema is None:
            return [SchemaRow(name, depth, "any", required)]
        if schema is False:
            return [SchemaRow(name, depth, "—", False, "", ("must not be present",))]
        if not isinstance(schema, dict):
            return [SchemaRow(name, depth, "anything", required)]
        if isinstance(schema.get("$defs"), dict) and not self.reading.defs:
            self.reading = Reading(schema)  # a standalone schema: its references resolve
        text = _text(schema)
        if is_reference(schema):
            target = self.reading.target(schema["$ref"])
            if target is None or schema["$ref"] in self.entered:
                return [SchemaRow(name, depth, "↻ recursive", required, text,
                                  ("repeats an enclosing schema",))]
            self.entered.append(schema["$ref"])
            try:
                return self.walk(target, name, depth, required)
            finally:
                self.entered.pop()
        shapes = self.reading.shapes(schema)
        if len(shapes) == 1:
            shape = shapes[0]
            row = SchemaRow(name, depth, _type_label(shape.keywords), required,
                            _text(shape.keywords), _facts(shape))
            return [row] if depth >= MAX_DEPTH else [row, *self._rows(_fields(shape), depth + 1)]
        if not shapes:
            return [SchemaRow(name, depth, "nothing (always invalid)", required, text)]
        each = [_facts(shape) for shape in shapes]
        shared = tuple(fact for fact in each[0] if all(fact in facts for facts in each))
        rows = [SchemaRow(name, depth, _type_label(schema), required, text, shared)]
        if depth >= MAX_DEPTH:
            return rows
        fields = [_fields(shape) for shape in shapes]
        common = {key: field for key, field in fields[0].items()
                  if all(_key(other.get(key)) == _key(field) for other in fields[1:])}
        rows += self._rows(common, depth + 1)
        for shape, facts, own in zip(shapes, each, fields, strict=True):
            rows.append(SchemaRow(shape.label or "alternative", depth + 1,
                                  _type_label(shape.keywords), False, "",
                                  tuple(fact for fact in facts if fact not in shared)))
            rows += self._rows({key: field for key, field in own.items() if key not in common},
                               depth + 2)
        return rows

    def children(self, schema: dict[str, Any], depth: int) -> list[SchemaRow]:
        """The rows below ``schema``'s own (its fields, and its alternatives with theirs)."""
        return self.walk(schema, "", depth - 1, False)[1:]

    def _rows(self, fields: Fields, depth: int) -> list[SchemaRow]:
        return [row for name, (schema, required) in fields.items()
                for row in self.walk(schema, name, depth, required)]


def _fields(shape: Shape) -> Fields:
    """What a shape's table lists below it: properties (required ones the shape only names
    too), property name patterns, any other name, tuple items, further items."""
    keywords = shape.keywords
    required = shape.required
    fields: Fields = {name: (sub, name in required) for name, sub in shape.properties.items()}
    fields.update({name: (None, True) for name in required if name not in fields})
    patterns = keywords.get("patternProperties")
    for pattern, sub in (patterns.items() if isinstance(patterns, dict) else ()):
        fields[f"/{pattern}/"] = (sub, False)
    if isinstance(keywords.get("additionalProperties"), dict):
        fields["any other name"] = (keywords["additionalProperties"], False)
    further = keywords.get("items")
    for index, sub in enumerate(keywords.get("prefixItems") or ()):
        fields[f"[{index}]"] = (sub, False)
    if isinstance(further, dict):
        fields["[items]"] = (further, False)
    return fields


def _key(field: tuple[Any, bool] | None) -> str:
    return json.dumps(field, sort_keys=True, default=str)


def _text(schema: dict[str, Any]) -> str:
    return str(schema.get("description", "") or schema.get("title", ""))


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


def _facts(shape: Shape) -> tuple[str, ...]:
    """What a shape says, in words: its keywords, then its constraints."""
    facts = list(_keyword_facts(shape.keywords))
    facts += [f"not: {_described(item)}" for item in shape.nots]
    for condition in shape.conditions:
        facts.append(f"if {_described(condition.when)}: {_described(condition.then)}"
                     + ("" if condition.otherwise is True
                        else f"; otherwise: {_described(condition.otherwise)}"))
    facts += [f"with {name}: {', '.join(needs)} required"
              for name, needs in shape.dependent_required]
    facts += [f"with {name}: {_described(schema)}" for name, schema in shape.dependent_schemas]
    facts += [f"also: {_described(item)}" for item in shape.extra]
    if shape.open:
        facts.append("more alternatives than listed here")
    return tuple(facts)


def _keyword_facts(schema: dict[str, Any]) -> list[str]:
    facts = []
    if "format" in schema:
        facts.append(f"format: {schema['format']}")
    if "const" in schema:
        facts.append(f"always {_short(schema['const'])}")
    elif isinstance(schema.get("enum"), list):
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
    if schema.get("items") is False:
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
    return facts


def _described(schema: Any) -> str:
    """A condition in words: ``type is "limit"``, ``limitPrice present``, ``no limitPrice``."""
    if schema is True or schema == {}:
        return "anything"
    if not isinstance(schema, dict):
        return "nothing" if schema is False else _short(schema)
    parts, rest = [], dict(schema)
    for name, sub in (rest.pop("properties", None) or {}).items():
        if sub is False:
            parts.append(f"no {name}")
        elif isinstance(sub, dict) and set(sub) == {"const"}:
            parts.append(f"{name} is {_short(sub['const'])}")
        elif isinstance(sub, dict) and set(sub) == {"enum"} and isinstance(sub["enum"], list):
            parts.append(f"{name} is one of {', '.join(_short(v) for v in sub['enum'])}")
        else:
            parts.append(f"{name}: {_described(sub)}")
    required = rest.pop("required", None)
    if isinstance(required, list) and required:
        parts.append(f"{', '.join(map(str, required))} present")
    denied = rest.pop("not", None)
    if isinstance(denied, dict) and set(denied) == {"required"}:
        parts.append(f"no {', '.join(map(str, denied['required']))}")
    elif denied is not None:
        parts.append(f"not {_described(denied)}")
    if rest.get("type") == "object" and parts:
        del rest["type"]
    if rest:
        parts.append(_short(rest))
    return "; ".join(parts)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"
