"""Steering hypothesis-jsonschema towards values that look like a real API's.

hypothesis-jsonschema hunts for edge cases: huge numbers, control characters, made-up keys.
The mock wants the opposite, so each schema is first rewritten into a narrower one (every
value of the narrower schema is valid against the original, and each is checked against
the original anyway):

- a schema's own ``const``, ``examples``/``example``, ``enum`` or ``default`` become its values;
- numbers fall in a modest window of their range (0..1000 where it may), within
  JavaScript's safe integers;
- plain strings become Faker words, chosen by ``format`` or by the property's name, and
  strings with a ``pattern`` match it whole;
- objects get only their declared properties, free-form values become words;
- a schema with alternatives is read as the docs and the typed clients read it
  (:mod:`..schema_shapes`): one narrowed schema per alternative, each with the fields it
  shares with the others, ``required`` from every part, conditions and dependencies split
  into cases, properties a ``not`` rules out left out; the schema is their ``anyOf``, so
  every alternative gets its fakes;
- recursive references are unrolled a few levels, and 2020-12 tuples and dependencies
  become the draft-07 forms that hypothesis-jsonschema reads.

What the alternatives keep as written (a ``not`` no flat schema says, the other ``oneOf``
branches) is only rewritten in structure: narrowing inside a ``not`` would widen the whole.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import replace
from typing import Any, TypeGuard

from ..apidocs.examples import given_values
from ..exceptions import InvalidSchema
from ..schema_shapes import Reading, Shape, is_reference
from ..schemas import BUNDLE_KEY, SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUES
from ..validation import json_validator
from .fake_words import CHECKED_FORMATS, PLAIN, FakeWords, kind_for_name

SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER
SPAN = 1000  # numbers fall within 0..SPAN, or the SPAN of their range nearest to 0
YEAR = 365 * 24 * 3600  # unbounded numbers named like times are Unix times of the last year
UNROLL = 2  # times a recursive schema is unrolled before it stops
EXTRA_ITEMS = 4  # unbounded arrays get at most this many items more than their minimum
OPEN = ("additionalProperties", "patternProperties", "unevaluatedProperties", "propertyNames")
ANNOTATIONS = {"title", "description", "$comment", "deprecated", "readOnly", "writeOnly",
               "examples", "example", "default", "$id", "$anchor"}


def prepare(schema: Any, words: FakeWords, realistic: bool = True) -> Any:
    """``schema`` (standalone 2020-12) as hypothesis-jsonschema should generate from it.

    ``realistic=False`` keeps only the structure and the modest numbers: the fallback when
    the narrower schema yields nothing.
    """
    return _Preparer(schema, words, realistic).node(schema)


class _Preparer:
    def __init__(self, root: Any, words: FakeWords, realistic: bool):
        self.reading = Reading(root)
        self.defs = self.reading.defs
        self.words = words
        self.realistic = realistic
        self.narrow = True  # False inside what alternatives keep as written (``not``…)
        self.unrolling: list[str] = []  # the recursive definitions entered on this path

    def node(self, schema: Any, name: str | None = None) -> Any:
        """``name``: the property it describes."""
        realistic = self.realistic and self.narrow
        if schema is True and realistic:
            return self._words(name, {}) or True
        if not isinstance(schema, dict):
            return schema
        if is_reference(schema):
            return self._reference(schema["$ref"], name)
        if realistic:
            given = self._given(schema)
            if given:
                return {"enum": given}
            if all(key in ANNOTATIONS or key.startswith("x-") for key in schema):
                return self._words(name, {}) or schema
        if not self.narrow:
            out = self._children(schema, name)
            _as_draft7(out, closed=False)
            return out
        cases = [self._case(case, name) for case in self.reading.cases(schema)]
        if not cases:
            return False
        return cases[0] if len(cases) == 1 else {"anyOf": cases}

    def _case(self, case: Shape, name: str | None) -> dict[str, Any]:
        """One alternative, narrowed; what it keeps as written, under ``allOf``."""
        realistic = self.realistic and self.narrow
        out = self._children(case.keywords, name)
        _as_draft7(out, closed=realistic)
        _modest_numbers(out, kind_for_name(name) == "date-time")
        if realistic:
            self._strings(out, name)
            _modest_arrays(out)
            self._closed(out)
        kept = replace(case, keywords={}).schema()
        if kept:
            out["allOf"] = [self._as_written(part) for part in kept["allOf"]]
        return out

    def _children(self, schema: dict[str, Any], name: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key in (BUNDLE_KEY, "definitions"):
                continue  # references are unrolled in place
            if key in SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {item: self.node(sub, item if key == "properties" else None)
                            for item, sub in value.items()}
            elif key in SCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.node(sub, None if key == "prefixItems" else name)
                            for sub in value]
            elif key in SCHEMA_VALUES:
                inner = name if key in ("items", "contains", "then", "else") else None
                out[key] = self.node(value, inner)
            else:
                out[key] = value
        properties = out.get("properties")
        if isinstance(properties, dict):  # unrolled to the end: leave optional ones out
            required = set(out.get("required") or ())
            out["properties"] = {item: sub for item, sub in properties.items()
                                 if sub is not False or item in required}
        return out

    def _as_written(self, schema: Any) -> Any:
        narrow, self.narrow = self.narrow, False
        try:
            return self.node(schema)
        finally:
            self.narrow = narrow

    def _reference(self, ref: str, name: str | None) -> Any:
        target = ref.rpartition("/")[2]
        if not ref.startswith(f"#/{BUNDLE_KEY}/") or target not in self.defs:
            return {"$ref": ref}
        if self.unrolling.count(target) >= UNROLL:
            return False
        self.unrolling.append(target)
        try:
            return self.node(self.defs[target], name)
        finally:
            self.unrolling.pop()

    def _given(self, schema: dict[str, Any]) -> list[Any]:
        """The first group of values the schema names for itself that are valid against it."""
        groups = given_values(schema)
        if not groups:
            return []
        try:  # the package's own validator, as every fake is checked with
            validator = json_validator({**schema, BUNDLE_KEY: self.defs} if self.defs else schema)
        except InvalidSchema:
            return []
        for group in groups:
            try:
                valid = [value for value in group if validator.is_valid(value)]
            except ValueError:  # a value that is no JSON: generate instead
                return []
            if valid:
                unique = {json.dumps(value, sort_keys=True): value for value in valid}
                return list(unique.values())
        return []

    def _words(self, name: str | None, schema: dict[str, Any]) -> Any:
        """A string schema of Faker words, or None when none fit its lengths."""
        shortest = schema.get("minLength", 0)
        longest = schema.get("maxLength")
        if not isinstance(shortest, int) or not (longest is None or isinstance(longest, int)):
            return None
        for candidate in (kind_for_name(name), PLAIN):
            found = candidate and self.words.format_for(candidate, shortest, longest)
            if found:
                return {**schema, "type": schema.get("type", "string"), "format": found}
        return None

    def _strings(self, out: dict[str, Any], name: str | None) -> None:
        if "string" not in _types(out) or {"enum", "const"} & set(out):
            return
        if isinstance(out.get("pattern"), str):
            out["pattern"] = _printable(out["pattern"])
            return
        written = out.get("format")
        found = None
        if isinstance(written, str) and self.words.knows(written):
            found = self.words.format_for(written, out.get("minLength", 0), out.get("maxLength"))
        if found:
            out["format"] = found
        elif written not in CHECKED_FORMATS:  # nothing checks it: words, as for no format
            out.update(self._words(name, out) or {})

    def _closed(self, out: dict[str, Any]) -> None:
        """No made-up keys: only the names the alternative declares, all of them present."""
        patterns = out.get("patternProperties")
        if isinstance(patterns, dict) and not set(OPEN) - {"patternProperties"} & set(out):
            out["patternProperties"] = {_printable(key): sub for key, sub in patterns.items()}
            out["additionalProperties"] = False
        kinds = _types(out)
        left_open = {key for key in OPEN if key in out} - (
            {"additionalProperties"} if out.get("additionalProperties") is False else set())
        if left_open or (kinds and "object" not in kinds):
            return
        properties = out.get("properties")
        names = set(properties if isinstance(properties, dict) else ()) | set(
            out.get("required") or ())
        if not names:
            if kinds and not out.get("minProperties"):
                self._free_form(out)
            return
        out["additionalProperties"] = False
        if "maxProperties" not in out:  # a mock shows every field it has
            out["required"] = sorted(names)

    def _free_form(self, out: dict[str, Any]) -> None:
        """An object with nothing declared: a few words keyed by words."""
        key, value = self._words(None, {"maxLength": 20}), self._words(None, {})
        if key and value:
            most = min(out.get("maxProperties", 3), 3)
            out.update(propertyNames=key, additionalProperties=value, minProperties=min(most, 1),
                       maxProperties=most)


def _printable(pattern: str) -> str:
    """A narrower pattern that the whole string must match, with printable characters for
    ``.`` and a space for ``\\s`` (no tabs, form feeds or separators in a mock's strings)."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            out.append(" " if char == "s" else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            in_class = (in_class or char == "[") and not (in_class and char == "]")
            out.append("[ -~]" if char == "." and not in_class else char)
    return f"^(?:{''.join(out)})$"


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def _as_draft7(out: dict[str, Any], closed: bool) -> None:
    """Tuples and dependencies as draft-07 says them; ``closed``: no arguments past the
    positional ones, unless the schema asks for more."""
    for key in ("dependentRequired", "dependentSchemas"):
        if isinstance(out.get(key), dict):
            out["dependencies"] = {**out.get("dependencies", {}), **out.pop(key)}
    if "prefixItems" in out:
        out["items"], further = out.pop("prefixItems"), out.get("items")
        if further is not None:
            out["additionalItems"] = further
        elif closed and out.get("minItems", 0) <= len(out["items"]):
            out["additionalItems"] = False


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _modest_numbers(out: dict[str, Any], timestamp: bool) -> None:
    """Numbers within a modest window of the allowed range: 0..SPAN where it may, else the
    SPAN nearest to 0, and never past JavaScript's safe integers unless the schema says so."""
    if not {"integer", "number"} & _types(out) or {"enum", "const"} & set(out):
        return
    lows = [out[key] for key in ("minimum", "exclusiveMinimum") if _number(out.get(key))]
    highs = [out[key] for key in ("maximum", "exclusiveMaximum") if _number(out.get(key))]
    low = max(lows) if lows else -math.inf
    high = min(highs) if highs else math.inf
    step = out.get("multipleOf")
    width = SPAN * max(step, 1) if _number(step) else SPAN
    if timestamp and not lows and not highs:
        low, high = time.time() // 1 - YEAR, time.time() // 1
    elif low >= 0:
        high = min(high, low + width)
    elif high <= 0:
        low = max(low, high - width)
    else:
        low, high = 0, min(high, width)
    if max(low, -SAFE_INTEGER) <= min(high, SAFE_INTEGER):  # else the schema's own bounds win
        low, high = max(low, -SAFE_INTEGER), min(high, SAFE_INTEGER)
    out["minimum"], out["maximum"] = low, high


def _modest_arrays(out: dict[str, Any]) -> None:
    """Lists of one to a few items, unless the schema says how many."""
    items = out.get("items")
    if "array" not in _types(out) or not isinstance(items, dict) or items == {"not": {}}:
        return
    if "minItems" not in out and "contains" not in out and out.get("maxItems", 1) >= 1:
        out["minItems"] = 1
    out.setdefault("maxItems", out.get("minItems", 0) + EXTRA_ITEMS)
    out.setdefault("uniqueItems", True)  # ["bob", "bob", "bob"] is no list a real API sends
