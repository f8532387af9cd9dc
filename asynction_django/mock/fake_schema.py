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
- recursive references are unrolled a few levels, and 2020-12 tuples become the draft-07
  arrays that hypothesis-jsonschema reads.

Inside ``not`` and ``if`` narrowing would widen the whole, so only the structure is rewritten.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any, TypeGuard

from jsonschema import Draft202012Validator

from ..apidocs.examples import given_values
from ..schemas import BUNDLE_KEY, SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUES
from .fake_words import CHECKED_FORMATS, PLAIN, FakeWords, kind_for_name

SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER
SPAN = 1000  # numbers fall within 0..SPAN, or the SPAN of their range nearest to 0
YEAR = 365 * 24 * 3600  # unbounded numbers named like times are Unix times of the last year
UNROLL = 2  # times a recursive schema is unrolled before it stops
EXTRA_ITEMS = 4  # unbounded arrays get at most this many items more than their minimum
NEGATIVE = ("not", "if")
COMBINATORS = ("allOf", "anyOf", "oneOf")
GROUPED = (*COMBINATORS, "then", "else", "dependentSchemas")  # parts of their parent object
OPEN = ("additionalProperties", "patternProperties", "unevaluatedProperties", "propertyNames",
        "dependentSchemas", "$ref")
ANNOTATIONS = {"title", "description", "$comment", "deprecated", "readOnly", "writeOnly",
               "examples", "example", "default", "$id", "$anchor"}
FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER


def prepare(schema: Any, words: FakeWords, realistic: bool = True) -> Any:
    """``schema`` (standalone 2020-12) as hypothesis-jsonschema should generate from it.

    ``realistic=False`` keeps only the structure and the modest numbers: the fallback when
    the narrower schema yields nothing.
    """
    defs = schema.get(BUNDLE_KEY, {}) if isinstance(schema, dict) else {}
    return _Preparer(defs, words, realistic).node(schema)


class _Preparer:
    def __init__(self, defs: dict[str, Any], words: FakeWords, realistic: bool):
        self.defs = defs
        self.words = words
        self.realistic = realistic
        self.narrow = True  # False inside ``not`` and ``if``
        self.unrolling: list[str] = []  # the recursive definitions entered on this path

    def node(self, schema: Any, name: str | None = None, grouped: bool = False) -> Any:
        """``name``: the property it describes; ``grouped``: a branch of a combinator."""
        realistic = self.realistic and self.narrow
        if schema is True and realistic:
            return self._words(name, {}) or True
        if not isinstance(schema, dict):
            return schema
        if isinstance(schema.get("$ref"), str):
            return self._reference(schema["$ref"], name, grouped)
        if realistic:
            given = self._given(schema)
            if given:
                return {"enum": given}
            if all(key in ANNOTATIONS or key.startswith("x-") for key in schema):
                return self._words(name, {}) or schema
        out = self._children(schema, name)
        _as_draft7_tuple(out, closed=realistic)
        if self.narrow:
            _modest_numbers(out, kind_for_name(name) == "date-time")
        if realistic:
            self._strings(out, name)
            _modest_arrays(out)
            if not grouped:
                self._closed(schema, out)
        return out

    def _children(self, schema: dict[str, Any], name: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key in (BUNDLE_KEY, "definitions"):
                continue  # references are unrolled in place
            if key in SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {item: self.node(sub, item if key == "properties" else None,
                                            key in GROUPED) for item, sub in value.items()}
            elif key in SCHEMA_LISTS and isinstance(value, list):
                inner = name if key in COMBINATORS else None
                out[key] = [self.node(sub, inner, key in GROUPED) for sub in value]
            elif key in NEGATIVE:
                out[key] = self._as_written(value)
            elif key in SCHEMA_VALUES:
                inner = name if key in ("items", "contains", "then", "else") else None
                out[key] = self.node(value, inner, key in GROUPED)
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

    def _reference(self, ref: str, name: str | None, grouped: bool) -> Any:
        target = ref.rpartition("/")[2]
        if not ref.startswith(f"#/{BUNDLE_KEY}/") or target not in self.defs:
            return {"$ref": ref}
        if self.unrolling.count(target) >= UNROLL:
            return False
        self.unrolling.append(target)
        try:
            return self.node(self.defs[target], name, grouped)
        finally:
            self.unrolling.pop()

    def _given(self, schema: dict[str, Any]) -> list[Any]:
        """The first group of values the schema names for itself that are valid against it."""
        groups = given_values(schema)
        if not groups:
            return []
        validator = Draft202012Validator({**schema, BUNDLE_KEY: self.defs},
                                         format_checker=FORMAT_CHECKER)
        for group in groups:
            try:
                valid = [value for value in group if validator.is_valid(value)]
            except Exception:  # noqa: BLE001 - a pattern Python cannot read: generate instead
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

    def _closed(self, schema: dict[str, Any], out: dict[str, Any]) -> None:
        """No made-up keys: only the names the object (and its combinators) declare."""
        patterns = out.get("patternProperties")
        if isinstance(patterns, dict) and not ((set(OPEN) | set(COMBINATORS))
                                               - {"patternProperties"}) & set(schema):
            out["patternProperties"] = {_printable(key): sub for key, sub in patterns.items()}
            out["additionalProperties"] = False
        names = _declared(schema)
        kinds = _types(schema)
        if names is None or (kinds and "object" not in kinds) or not (kinds or names):
            return
        if not names:
            if not set(COMBINATORS) & set(schema) and not schema.get("minProperties"):
                self._free_form(out)
            return
        if not set(COMBINATORS) & set(schema) and names <= set(schema.get("properties") or ()):
            out["additionalProperties"] = False
            if "maxProperties" not in out:  # a mock shows every field it has
                out["required"] = sorted(out.get("properties") or ())
        elif "anyOf" in schema and "oneOf" in schema:
            out["propertyNames"] = {"enum": sorted(names)}
        else:
            _close_alternatives(schema, out, set())

    def _free_form(self, out: dict[str, Any]) -> None:
        """An object with nothing declared: a few words keyed by words."""
        key, value = self._words(None, {"maxLength": 20}), self._words(None, {})
        if key and value:
            most = min(out.get("maxProperties", 3), 3)
            out.update(propertyNames=key, additionalProperties=value, minProperties=min(most, 1),
                       maxProperties=most)


def _close_alternatives(schema: dict[str, Any], out: dict[str, Any], inherited: set[str]) -> None:
    """Each ``anyOf``/``oneOf`` alternative may have the names it declares and those of the
    object and its ``allOf``, not those of the other alternatives."""
    names = inherited | (_declared(schema, ("allOf", "then", "else")) or set())
    alternatives = [(branch, prepared) for key in ("anyOf", "oneOf")
                    if isinstance(schema.get(key), list)
                    for branch, prepared in zip(schema[key], out[key], strict=True)]
    if not alternatives:
        out["propertyNames"] = {"enum": sorted(names)}
    for branch, prepared in alternatives:
        if isinstance(branch, dict) and isinstance(prepared, dict):
            _close_alternatives(branch, prepared, names)


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


def _declared(schema: Any, parts: tuple[str, ...] = (*COMBINATORS, "then", "else")
              ) -> set[str] | None:
    """The property names an object and its ``parts`` declare; None if it is left open."""
    if not isinstance(schema, dict):
        return set()
    if set(OPEN) & set(schema):
        return None
    names = set(schema.get("properties") or ()) | set(schema.get("required") or ())
    for key in parts:
        branches = schema.get(key)
        for branch in branches if isinstance(branches, list) else [branches]:
            found = _declared(branch)
            if found is None:
                return None
            names |= found
    return names


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def _as_draft7_tuple(out: dict[str, Any], closed: bool) -> None:
    """``closed``: no arguments past the positional ones, unless the schema asks for more."""
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
