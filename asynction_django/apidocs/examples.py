"""Example values for the docs and the playground, when the spec gives none.

The docs need one readable, stable value per schema (the same on every page load),
cheaply, without the optional mock dependencies: the spec's own ``examples``,
``default``, ``const`` or first ``enum`` value where there is one, else a plain value
of the right type and format. The mock server's fakes (varied, Faker-based) are
another job (see :mod:`asynction_django.mock.fakes`), but they start from the same values the
spec gives (:func:`given_values`, :func:`message_examples`).
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 8

FORMAT_EXAMPLES = {
    "date-time": "2026-01-01T12:00:00Z",
    "date": "2026-01-01",
    "time": "12:00:00Z",
    "duration": "PT5M",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "iri": "https://example.com/",
    "uri-reference": "/path",
    "iri-reference": "/path",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "json-pointer": "/path",
    "regex": "^.*$",
}

_UNSET = object()


def example_of(schema: Any, depth: int = 0) -> Any:
    """One value for ``schema`` (a JSON Schema 2020-12, as :mod:`schemas` produces)."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    given = _given(schema)
    if given is not _UNSET:
        return given
    for combinator in ("allOf", "anyOf", "oneOf"):
        options = schema.get(combinator)
        if isinstance(options, list) and options:
            if combinator == "allOf":
                return _merged(options, depth)
            return example_of(options[0], depth + 1)
    kind = _type_of(schema)
    if kind == "object":
        return _object(schema, depth)
    if kind == "array":
        return _array(schema, depth)
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return True
    return None


def _given(schema: dict[str, Any]) -> Any:
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    for key in ("example", "const", "default"):
        if key in schema:
            return schema[key]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    return _UNSET


def given_values(schema: Any) -> list[list[Any]]:
    """The values a schema names for itself, most telling first: ``const``, then its
    ``examples``/``example``, then ``enum``, then a ``default`` that is not empty (``{}``,
    ``[]`` and ``""`` say little of what real values look like)."""
    if not isinstance(schema, dict):
        return []
    groups = []
    if "const" in schema:
        groups.append([schema["const"]])
    examples = schema.get("examples")
    examples = list(examples) if isinstance(examples, list) else []
    if "example" in schema:
        examples.append(schema["example"])
    enum = schema.get("enum")
    groups += [examples, list(enum) if isinstance(enum, list) else []]
    if schema.get("default") not in (None, {}, [], ""):
        groups.append([schema["default"]])
    return [group for group in groups if group]


def message_examples(message: Any) -> list[Any]:
    """The payloads of a Message Object's ``examples`` (AsyncAPI 2.x and 3.x alike)."""
    examples = message.get("examples") if isinstance(message, dict) else None
    if not isinstance(examples, list):
        return []
    return [example["payload"] for example in examples
            if isinstance(example, dict) and "payload" in example]


def _type_of(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "null")
    if kind is None:
        if "properties" in schema or "required" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema:
            return "array"
    return kind


def _merged(options: list[Any], depth: int) -> Any:
    merged: dict[str, Any] = {}
    for option in options:
        value = example_of(option, depth + 1)
        if not isinstance(value, dict):
            return value
        merged.update(value)
    return merged


def _recursive(schema: Any) -> bool:
    """A reference back to an enclosing schema: left out, so examples stay finite."""
    return isinstance(schema, dict) and "$ref" in schema


def _object(schema: dict[str, Any], depth: int) -> dict[str, Any]:
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return {}
    required = set(schema.get("required") or ())
    return {
        name: example_of(sub, depth + 1)
        for name, sub in properties.items()
        if not _recursive(sub) or name in required
    }


def _array(schema: dict[str, Any], depth: int) -> list[Any]:
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list):
        return [example_of(item, depth + 1) for item in prefix]
    items = schema.get("items")
    if not isinstance(items, dict) or _recursive(items):
        return []
    count = max(schema.get("minItems", 1), 1) if isinstance(schema.get("minItems", 1), int) else 1
    return [example_of(items, depth + 1)] * count


def _string(schema: dict[str, Any]) -> str:
    value = FORMAT_EXAMPLES.get(schema.get("format", ""), "string")
    minimum = schema.get("minLength")
    maximum = schema.get("maxLength")
    if isinstance(minimum, int) and len(value) < minimum:
        value = value + "x" * (minimum - len(value))
    if isinstance(maximum, int) and len(value) > maximum:
        value = value[:maximum]
    return value


def _number(schema: dict[str, Any], kind: str) -> int | float:
    value: int | float = 0
    if isinstance(schema.get("minimum"), (int, float)):
        value = schema["minimum"]
    elif isinstance(schema.get("exclusiveMinimum"), (int, float)):
        value = schema["exclusiveMinimum"] + 1
    elif isinstance(schema.get("maximum"), (int, float)) and schema["maximum"] < 0:
        value = schema["maximum"]
    elif isinstance(schema.get("exclusiveMaximum"), (int, float)):
        value = min(0, schema["exclusiveMaximum"] - 1)
    step = schema.get("multipleOf")
    if isinstance(step, (int, float)) and step > 0 and value % step:
        value = (value // step + 1) * step
    return int(value) if kind == "integer" else value
