"""Flat JSON Schema keywords, as :mod:`.schema_shapes` merges them: two sets combined as
``allOf`` would combine them, one set checked for contradictions, draft-07 forms read as
2020-12, and JSON values compared as JSON compares them (``1`` is ``1.0``, not ``true``).
"""

from __future__ import annotations

import json
import re
from typing import Any

TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
APPLIED = frozenset({"allOf", "anyOf", "oneOf", "$ref", "not", "if", "then", "else",
                     "dependentRequired", "dependentSchemas", "dependencies", "$defs",
                     "definitions"})
ASSERTIONS = frozenset({
    "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "format", "maxItems", "minItems",
    "uniqueItems", "maxContains", "minContains", "contains", "maxProperties", "minProperties",
    "required", "properties", "patternProperties", "additionalProperties", "propertyNames",
    "unevaluatedProperties", "items", "prefixItems", "unevaluatedItems", "$dynamicRef",
    *APPLIED} - {"$defs", "definitions"})
LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
BOUNDS = (("minLength", "maxLength", "string"), ("minItems", "maxItems", "array"),
          ("minProperties", "maxProperties", "object"), ("minimum", "maximum", "number"),
          ("exclusiveMinimum", "maximum", "number"), ("minimum", "exclusiveMaximum", "number"),
          ("exclusiveMinimum", "exclusiveMaximum", "number"))
CHECKED = frozenset({"enum", "const", "required", *(key for pair in BOUNDS for key in pair[:2])})
SUBSCHEMAS = ("unevaluatedProperties", "propertyNames", "contains", "unevaluatedItems")
MERGED_APART = ("properties", "patternProperties", "additionalProperties", "prefixItems", "items")


def merge_keywords(one: dict[str, Any], other: dict[str, Any]
                   ) -> tuple[dict[str, Any] | None, list[Any]]:
    """The keywords of ``allOf: [one, other]`` as one set (None if they contradict), and
    the parts that cannot join it (a second ``pattern``), to keep beside it."""
    out = dict(one)
    extra: list[Any] = []
    _merge_objects(out, one, other, extra)
    _merge_arrays(out, one, other)
    for key, value in other.items():
        if key in MERGED_APART:
            continue
        if key not in out:
            out[key] = value
            continue
        old = out[key]
        if same(old, value):
            continue
        if key == "type":
            kinds = (types_of({"type": old}) or frozenset()) & (types_of({"type": value})
                                                              or frozenset())
            if not kinds:
                return None, []
            out[key] = sorted(kinds - {"integer"} if "number" in kinds else kinds,
                              key=TYPES.index)
        elif key == "enum" and isinstance(old, list) and isinstance(value, list):
            out[key] = [item for item in old if any(same(item, other) for other in value)]
        elif key == "const":
            return None, []
        elif key == "required" and isinstance(old, list) and isinstance(value, list):
            out[key] = list(dict.fromkeys([*old, *value]))
        elif key in LOWER + UPPER and _number(old) and _number(value):
            out[key] = max(old, value) if key in LOWER else min(old, value)
        elif key == "uniqueItems":
            out[key] = bool(old or value)
        elif key in SUBSCHEMAS:
            out[key] = all_of([old, value])
        elif key in ASSERTIONS:
            extra.append({key: value})
    return out, extra


def _merge_objects(out: dict[str, Any], one: dict[str, Any], other: dict[str, Any],
                   extra: list[Any]) -> None:
    """Properties of both; each side's ``additionalProperties`` applies to the names only the
    other side declares (as under ``allOf``)."""
    sides = [(mapping(side, "properties"), mapping(side, "patternProperties"),
              side.get("additionalProperties")) for side in (one, other)]
    if not any(properties or patterns or more is not None for properties, patterns, more
               in sides):
        return
    names = list(dict.fromkeys([*sides[0][0], *sides[1][0]]))
    properties = {}
    for name in names:
        parts = [properties_.get(name, None if any(_matches(pattern, name) for pattern in
                                                  patterns) else more)
                 for properties_, patterns, more in sides]
        properties[name] = all_of(parts)
    patterns = {**sides[0][1]}
    for pattern, schema in sides[1][1].items():
        patterns[pattern] = all_of([patterns.get(pattern), schema])
    for index, (_, own_patterns, more) in enumerate(sides):
        others = sides[1 - index][1]
        if more not in (None, True) and set(others) - set(own_patterns):
            extra.append({key: side_value for key in MERGED_APART[:3]
                          if (side_value := (one, other)[index].get(key)) is not None})
    for key, value in (("properties", properties), ("patternProperties", patterns)):
        if value:
            out[key] = value
    more = [side[2] for side in sides if side[2] is not None]
    if more:
        out["additionalProperties"] = all_of(more)


def _merge_arrays(out: dict[str, Any], one: dict[str, Any], other: dict[str, Any]) -> None:
    prefixes = [side.get("prefixItems") if isinstance(side.get("prefixItems"), list) else None
                for side in (one, other)]
    items = [side.get("items") for side in (one, other)]
    if prefixes[0] is None and prefixes[1] is None:
        if items[0] is not None or items[1] is not None:
            out["items"] = all_of(items)
        return
    longest = max(len(prefix or ()) for prefix in prefixes)
    out["prefixItems"] = [
        all_of([prefix[index] if prefix is not None and index < len(prefix) else rest
                for prefix, rest in zip(prefixes, items, strict=True)])
        for index in range(longest)]
    if items[0] is not None or items[1] is not None:
        out["items"] = all_of(items)


def consistent(keywords: dict[str, Any]) -> dict[str, Any] | None:
    """``keywords`` with ``enum`` cut to its ``type``; None when no value can match them."""
    if not CHECKED.intersection(keywords):
        return keywords
    kinds = types_of(keywords)
    out = keywords
    if "enum" in keywords and isinstance(keywords["enum"], list):
        allowed = [item for item in keywords["enum"] if kinds is None or kind_of(item) in kinds]
        if not allowed or ("const" in keywords and not any(same(keywords["const"], item)
                                                            for item in allowed)):
            return None
        out = {**keywords, "enum": allowed}
        if "const" in keywords:  # the const is one of them: it says it all
            del out["enum"]
    if "const" in keywords and kinds is not None and kind_of(keywords["const"]) not in kinds:
        return None
    if kinds is not None:
        for low, high, kind in BOUNDS:
            if low not in keywords or high not in keywords:
                continue
            below, above = keywords[low], keywords[high]
            within = {kind, "integer"} if kind == "number" else {kind}
            if not (kinds <= within and isinstance(below, (int, float))
                    and isinstance(above, (int, float))):
                continue
            if below >= above if "exclusive" in low + high else below > above:
                return None
        if kinds == {"object"} and any(forbidden(keywords, name) for name in
                                       (keywords.get("required") or ())):
            return None
    return out


def forbidden(keywords: dict[str, Any], name: str) -> bool:
    """Whether the flat ``keywords`` allow no property ``name`` at all."""
    properties = mapping(keywords, "properties")
    if name in properties:
        return properties[name] is False
    patterns = [schema for pattern, schema in mapping(keywords, "patternProperties").items()
                if _matches(pattern, name)]
    if patterns:
        return any(schema is False for schema in patterns)
    return keywords.get("additionalProperties") is False


def normalised(node: dict[str, Any]) -> dict[str, Any]:
    """Draft-07 forms (array ``items``, ``dependencies``, boolean exclusive bounds) as
    2020-12 says them, as the validator reads them after translation."""
    items = node.get("items")
    if not (isinstance(items, list) or "additionalItems" in node or "dependencies" in node
            or isinstance(node.get("exclusiveMinimum"), bool)
            or isinstance(node.get("exclusiveMaximum"), bool)):
        return node
    out = dict(node)
    if isinstance(items, list):
        out["prefixItems"] = out.get("prefixItems", items)
        del out["items"]
        if "additionalItems" in node:
            out["items"] = node["additionalItems"]
    out.pop("additionalItems", None)
    for name, value in mapping(out, "dependencies").items():
        key = "dependentRequired" if isinstance(value, list) else "dependentSchemas"
        out[key] = {**mapping(out, key), name: value}
    out.pop("dependencies", None)
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(exclusive), bool) and out.pop(exclusive) and bound in out:
            out[exclusive] = out.pop(bound)
    return out


def all_of(parts: list[Any]) -> Any:
    """One schema that holds where all ``parts`` do (None parts say nothing)."""
    kept: list[Any] = []
    for part in parts:
        if part is False:
            return False
        if part is not None and part is not True and part != {} and not any(
                same(part, other) for other in kept):
            kept.append(part)
    if not kept:
        return True
    return kept[0] if len(kept) == 1 else {"allOf": kept}


def is_any(schema: Any) -> bool:
    return schema is True or (isinstance(schema, dict) and not set(schema) & ASSERTIONS)


def mapping(node: Any, key: str) -> dict[str, Any]:
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, dict) else {}


def listed(node: dict[str, Any], key: str) -> list[Any]:
    value = node.get(key)
    return value if isinstance(value, list) else []


def _listed_types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def types_of(keywords: dict[str, Any]) -> frozenset[str] | None:
    if "type" not in keywords:
        return None
    kinds = {kind for kind in _listed_types(keywords["type"]) if kind in TYPES}
    return frozenset(kinds | ({"integer"} if "number" in kinds else set()))


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), "null")


def named_values(schema: Any) -> list[Any] | None:
    """The values a ``{const}`` or ``{enum}`` schema names (annotations aside), else None."""
    if not isinstance(schema, dict) or set(schema) & ASSERTIONS - {"const", "enum"}:
        return None
    if set(schema) & ASSERTIONS == {"const"}:
        return [schema["const"]]
    if set(schema) & ASSERTIONS == {"enum"} and isinstance(schema["enum"], list):
        return list(schema["enum"])
    return None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _matches(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return False


def same(one: Any, other: Any) -> bool:
    """JSON equality: 1 and 1.0 are the same value, true and 1 are not."""
    return _canonical(one) == _canonical(other)


def _canonical(value: Any) -> str:
    def plain(item: Any) -> Any:
        if isinstance(item, float) and item.is_integer():
            return int(item)
        if isinstance(item, dict):
            return {str(key): plain(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [plain(inner) for inner in item]
        return item
    return json.dumps(plain(value), sort_keys=True, default=str)
