"""Example values for the docs and the playground: always valid, or none at all.

An event's example is the first of these the package's validator accepts: the message's
own ``examples`` (their payloads), the schema's own ``examples``/``example``/``const``/
``default``/``enum`` values, else a value built from the schema's alternatives
(:mod:`..schema_shapes`: each branch with the fields it shares), deeper schemas' own values
first, then plain values of the right type and format. What that cannot satisfy (a
``pattern``, a ``not``) is drawn by hypothesis-jsonschema when it is installed, with a fixed
seed, so the page is the same on every load; when nothing valid is found there is no example
(:attr:`Example.found`), never one the server would refuse.

The mock's fakes start from the same values the spec gives (:func:`given_values`,
:func:`message_examples`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..exceptions import InvalidSchema
from ..schema_shapes import Reading, Shape, is_reference
from ..validation import json_validator

MAX_DEPTH = 8
DRAWS = 25  # values hypothesis draws for a schema the plain builder cannot satisfy
SCALARS = frozenset({"string", "number", "integer", "boolean", "null"})

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
    "relative-json-pointer": "0/path",
    "uri-template": "https://example.com/{id}",
    "regex": "^.*$",
}

_NONE = object()  # no valid value was found


@dataclass(frozen=True)
class Example:
    """The example of one schema: ``given`` by the spec, or generated; none if not found."""

    value: Any
    given: bool
    found: bool = True


def example_for(schema: Any, given: Iterable[Any] = ()) -> Example:
    """The example of ``schema`` (standalone JSON Schema 2020-12, as :mod:`..schemas` makes
    it): the first valid of ``given`` (a message's example payloads), of the schema's own
    values, else a generated one checked with the package's validator."""
    builder = _Builder(schema)
    for value in [*given, *_own(schema)]:
        if builder.valid(schema, value):
            return Example(value, True)
    # First the plain value, checked whole; if the schema refuses it, each part checked.
    value = builder.value(schema, 0, root=True)
    if value is _NONE or not builder.valid(schema, value):
        builder.checked = True
        value = builder.value(schema, 0, root=True)
    return Example(None, False, False) if value is _NONE else Example(value, False)


def example_of(schema: Any) -> Any:
    """One value valid against ``schema``, or None when none could be found."""
    return example_for(schema).value


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


def _own(schema: Any) -> list[Any]:
    """The values a schema names for itself, in the order the docs prefer them."""
    if not isinstance(schema, dict):
        return []
    found = list(schema["examples"]) if isinstance(schema.get("examples"), list) else []
    found += [schema[key] for key in ("example", "const", "default") if key in schema]
    return found + (list(schema["enum"]) if isinstance(schema.get("enum"), list) else [])


class _Builder:
    """Builds values for the schemas of one standalone schema; ``checked``: each part is
    checked as it is built (else only the whole is, by the caller)."""

    def __init__(self, root: Any):
        self.reading = Reading(root)
        self.checked = False
        self._checks: dict[int, tuple[Any, Callable[[Any], bool]]] = {}

    def valid(self, schema: Any, value: Any) -> bool:
        checked = self._checks.get(id(schema))
        if checked is None or checked[0] is not schema:
            checked = (schema, _check(schema, self.reading.defs))
            self._checks[id(schema)] = checked
        try:
            return checked[1](value)
        except ValueError:  # not JSON (a lone surrogate), or nested past the validator's limit
            return False

    def value(self, schema: Any, depth: int, root: bool = False) -> Any:
        """A valid value for ``schema``, or _NONE."""
        cases = self.reading.cases(schema)
        if not cases:  # its parts contradict each other: no value is valid
            return _NONE
        for value in self._candidates(schema, depth, root):
            if not self.checked or self.valid(schema, value):
                return value
        if not self.checked:
            return _NONE
        if root or all(case.types and case.types <= SCALARS for case in cases):
            return _drawn(schema, self.reading.defs, lambda value: self.valid(schema, value))
        return _NONE

    def _candidates(self, schema: Any, depth: int, root: bool) -> Iterator[Any]:
        if not root:
            yield from _own(schema)
        if depth > MAX_DEPTH:
            return
        for case in self.reading.cases(schema):
            yield from self._built(case, depth)

    def _built(self, case: Shape, depth: int) -> Iterator[Any]:
        keywords = case.keywords
        if "const" in keywords:
            yield keywords["const"]
            return
        if isinstance(keywords.get("enum"), list):
            yield from keywords["enum"]
            return
        yield from _own(keywords)
        for kind in _kinds(case):
            if kind == "object":
                yield from self._objects(case, depth)
            elif kind == "array":
                yield from self._arrays(keywords, depth)
            elif kind == "string":
                yield _string(keywords)
            elif kind in ("integer", "number"):
                yield _number(keywords, kind)
            else:
                yield True if kind == "boolean" else None

    def _objects(self, case: Shape, depth: int) -> Iterator[dict[str, Any]]:
        required = case.required
        full: dict[str, Any] = {}
        for name, sub in case.properties.items():
            if sub is False or (is_reference(sub) and name not in required):
                continue  # absent, or recursive: left out so that examples stay finite
            value = self.value(sub, depth + 1)
            if value is not _NONE:
                full[name] = value
            elif name in required:
                return
        more = case.keywords.get("additionalProperties")
        for name in required:
            if name not in full:
                value = self.value(more, depth + 1) if isinstance(more, dict) else "string"
                if value is _NONE:
                    return
                full[name] = value
        yield full
        if len(full) > len(required):
            yield {name: value for name, value in full.items() if name in required}

    def _arrays(self, keywords: dict[str, Any], depth: int) -> Iterator[list[Any]]:
        items = keywords.get("items")
        least = keywords.get("minItems", 0)
        least = least if isinstance(least, int) else 0
        values = []
        for item in keywords.get("prefixItems") or ():
            value = self.value(item, depth + 1)
            if value is _NONE:
                break
            values.append(value)
        if "prefixItems" in keywords:
            yield values
        elif isinstance(items, dict) and not is_reference(items):
            value = self.value(items, depth + 1)
            if value is not _NONE:
                yield [value] * max(least, 1)
        yield []


def _kinds(case: Shape) -> list[str]:
    """The types to try for ``case``: written ones, nulls last; else what its keywords say."""
    written = case.keywords.get("type")
    if written is not None:
        kinds = [kind for kind in (written if isinstance(written, list) else [written])
                 if isinstance(kind, str)]
        return sorted(kinds, key="null".__eq__)
    keys = set(case.keywords)
    if keys & {"properties", "required", "additionalProperties", "patternProperties"}:
        return ["object"]
    if keys & {"items", "prefixItems", "minItems", "maxItems"}:
        return ["array"]
    if keys & {"pattern", "format", "minLength", "maxLength"}:
        return ["string"]
    if keys & {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}:
        return ["number"]
    return ["null"]


def _string(keywords: dict[str, Any]) -> str:
    value = FORMAT_EXAMPLES.get(str(keywords.get("format", "")), "string")
    minimum = keywords.get("minLength")
    maximum = keywords.get("maxLength")
    if isinstance(minimum, int) and len(value) < minimum:
        value = value + "x" * (minimum - len(value))
    if isinstance(maximum, int) and len(value) > maximum:
        value = value[:maximum]
    return value


def _number(keywords: dict[str, Any], kind: str) -> int | float:
    value: int | float = 0
    low, high = keywords.get("minimum"), keywords.get("exclusiveMinimum")
    if isinstance(low, (int, float)) or isinstance(high, (int, float)):
        value = max(low if isinstance(low, (int, float)) else -float("inf"),
                    high + 1 if isinstance(high, (int, float)) else -float("inf"))
    elif isinstance(keywords.get("maximum"), (int, float)) and keywords["maximum"] < 0:
        value = keywords["maximum"]
    elif isinstance(keywords.get("exclusiveMaximum"), (int, float)):
        value = min(0, keywords["exclusiveMaximum"] - 1)
    step = keywords.get("multipleOf")
    if isinstance(step, (int, float)) and step > 0 and value % step:
        value = (value // step + 1) * step
    return int(value) if kind == "integer" else value


def _check(schema: Any, defs: dict[str, Any]) -> Callable[[Any], bool]:
    """The package's validator for ``schema`` (its recursion resolved against ``defs``)."""
    if isinstance(schema, dict) and defs and "$defs" not in schema:
        schema = {**schema, "$defs": defs}
    try:
        validator = json_validator(schema)
    except (InvalidSchema, ValueError, TypeError):
        return lambda value: False
    return lambda value: bool(validator.is_valid(value))


def _drawn(schema: Any, defs: dict[str, Any], valid: Callable[[Any], bool]) -> Any:
    """A value hypothesis-jsonschema draws for ``schema`` that ``valid`` accepts, or _NONE
    (also when it is not installed)."""
    if isinstance(schema, dict) and defs and "$defs" not in schema:
        schema = {**schema, "$defs": defs}
    try:
        text = json.dumps(_draft7(schema), sort_keys=True)
    except (TypeError, ValueError):
        return _NONE
    for drawn in _draws(text):
        value = json.loads(drawn)
        if valid(value):
            return value
    return _NONE


@lru_cache(maxsize=256)
def _draws(text: str) -> tuple[str, ...]:
    try:
        import hypothesis
        import hypothesis_jsonschema
    except ImportError:
        return ()
    try:
        strategy = hypothesis_jsonschema.from_schema(json.loads(text), codec="ascii")
    except Exception:  # noqa: BLE001 - a schema it cannot read: no example
        return ()
    found: list[str] = []

    @hypothesis.settings(max_examples=DRAWS, database=None, deadline=None, derandomize=True,
                         phases=[hypothesis.Phase.generate],
                         verbosity=hypothesis.Verbosity.quiet,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(strategy)
    def collect(value: Any) -> None:
        found.append(json.dumps(value))

    with suppress(Exception):  # unsatisfiable or unsupported: what came so far
        collect()
    return tuple(found)


def _draft7(schema: Any) -> Any:
    """2020-12 tuples and ``dependentRequired`` as hypothesis-jsonschema reads them."""
    if isinstance(schema, list):
        return [_draft7(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _draft7(value) for key, value in schema.items()}
    if isinstance(out.get("prefixItems"), list):
        rest = out.pop("items", None)
        out["items"] = out.pop("prefixItems")
        if rest is not None:
            out["additionalItems"] = rest
    if isinstance(out.get("dependentRequired"), dict):
        out["dependencies"] = out.pop("dependentRequired")
    return out
