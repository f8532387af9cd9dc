"""How a failed check reads: one sentence per JSON Schema keyword, built from what failed.

Each message starts with the value that failed, as JSON, cut to :data:`QUOTED` characters,
then says why, with the schema's limit: ``"aaaa…" is longer than 500 characters``. The value
is cut, never the reason, so a message stays short (within ``MAX_TEXT``) whatever was sent.
README "Errors on the wire" lists every template; the playground words Ajv's errors the same.

Each message also has a *reason*: the same sentence with "the value" in place of the value,
which is what the server logs (no payload values in the logs).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

QUOTED = 80  # characters of the failing value a message quotes
SCHEMA_QUOTED = 60  # characters of a schema's part (a pattern, allowed values) it quotes
ARTICLES = {"string": "a string", "number": "a number", "integer": "an integer",
            "boolean": "a boolean", "object": "an object", "array": "an array", "null": "null"}


@dataclass(frozen=True)
class Worded:
    message: str  # what a client reads, quoting the (cut) value
    reason: str  # the same without the value, for the logs


def quote(value: Any, limit: int = QUOTED) -> str:
    """``value`` as compact JSON, cut to ``limit`` characters (the last one "…")."""
    text = ""
    try:
        for chunk in _json(value):
            text += chunk
            if len(text) > limit:
                break
    except RecursionError:  # deeper than Python goes: what is quoted so far, marked as cut
        return text[:limit - 1] + "…"
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _json(value: Any) -> Iterator[str]:
    """Compact JSON as JavaScript's ``JSON.stringify`` writes it (``1.0`` is ``1``), lazily."""
    if value is None or isinstance(value, bool):
        yield {None: "null", True: "true", False: "false"}[value]
    elif isinstance(value, int):
        yield str(value)
    elif isinstance(value, float):
        integral = math.isfinite(value) and value.is_integer() and abs(value) < 1e21
        yield str(int(value)) if integral else repr(value) if math.isfinite(value) else "null"
    elif isinstance(value, str):
        yield _string(value)
    elif isinstance(value, (list, tuple)):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _json(item)
        yield "]"
    elif isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + _string(str(key)) + ":"
            yield from _json(item)
        yield "}"
    else:
        yield _string(str(value))


def _string(text: str) -> str:
    # Escaping a 1 MB string to quote 80 characters of it would be waste: escape a prefix.
    return json.dumps(text[:QUOTED + 1], ensure_ascii=False)


def cut(text: str, limit: int = SCHEMA_QUOTED) -> str:
    """Plain text cut to ``limit`` characters, the last one "…"."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def counted(number: Any, noun: str, plural: str = "") -> str:
    """``1 character``, ``2 characters``, ``1 property``, ``3 properties``."""
    text = quote(number, SCHEMA_QUOTED)
    return f"{text} {noun if number == 1 else plural or noun + 's'}"


def _types(types: list[str]) -> str:
    names = sorted(types, key="null".__eq__)  # null last: "an integer or null"
    return " or ".join(ARTICLES.get(name, name) for name in names)


def _names(names: list[str]) -> str:
    """``"a", "b"``: as many as fit in QUOTED characters."""
    text = ""
    for name in names:
        text += (", " if text else "") + quote(name, SCHEMA_QUOTED)
        if len(text) > QUOTED:
            break
    return cut(text, QUOTED)


EXTRA_PROPERTIES = ("additionalProperties", "unevaluatedProperties")


def extra_properties(names: list[str]) -> Worded:
    """``property "b" is not allowed``, ``properties "b", "c" are not allowed``."""
    if len(names) == 1:
        return Worded(f"property {_names(names)} is not allowed", "1 property is not allowed")
    return Worded(f"properties {_names(names)} are not allowed",
                  f"{len(names)} properties are not allowed")


def _value_sentence(kind: Any, keyword: str) -> str | None:
    """What follows the value in the message of ``kind``, or None if it quotes no value."""
    name = type(kind).__name__
    details = kind.as_dict() if name != "BacktrackLimitExceeded" else {}
    limit = details.get("limit")
    sentences: dict[str, Any] = {
        "Type": lambda: f"is not {_types(details['types'])}",
        "Format": lambda: f"is not a valid {cut(details['format'])}",
        "Pattern": lambda: f'does not match the pattern "{cut(details["pattern"])}"',
        "MinLength": lambda: f"is shorter than {counted(limit, 'character')}",
        "MaxLength": lambda: f"is longer than {counted(limit, 'character')}",
        "Minimum": lambda: f"is less than {quote(limit)}",
        "Maximum": lambda: f"is more than {quote(limit)}",
        "ExclusiveMinimum": lambda: f"is not more than {quote(limit)}",
        "ExclusiveMaximum": lambda: f"is not less than {quote(limit)}",
        "MultipleOf": lambda: f"is not a multiple of {quote(details['multiple_of'])}",
        "Enum": lambda: f"is not one of {quote(details['options'], SCHEMA_QUOTED)}",
        "Constant": lambda: f"is not equal to {quote(details['expected_value'], SCHEMA_QUOTED)}",
        "MinItems": lambda: f"has fewer than {counted(limit, 'item')}",
        "MaxItems": lambda: f"has more than {counted(limit, 'item')}",
        "AdditionalItems": lambda: f"has more than {counted(limit, 'item')}",
        "UniqueItems": lambda: "has repeated items",
        "UnevaluatedItems": lambda: "has items that are not allowed",
        "MinProperties": lambda: f"has fewer than {counted(limit, 'property', 'properties')}",
        "MaxProperties": lambda: f"has more than {counted(limit, 'property', 'properties')}",
        "Contains": lambda: {
            "minContains": "has too few items matching contains (minContains)",
            "maxContains": "has too many items matching contains (maxContains)",
        }.get(keyword, "has no matching item (contains)"),
        "AnyOf": lambda: "matches none of the allowed schemas (anyOf)",
        "OneOfNotValid": lambda: "matches none of the allowed schemas (oneOf)",
        "OneOfMultipleValid": lambda: ("matches more than one of the schemas where exactly "
                                       "one is allowed (oneOf)"),
        "Not": lambda: f"must not match {quote(details['schema'], SCHEMA_QUOTED)}",
        "FalseSchema": lambda: "is not allowed here",
        "ContentEncoding": lambda: f"is not valid {cut(details['content_encoding'])}",
        "ContentMediaType": lambda: f"is not valid {cut(details['content_media_type'])}",
        "BacktrackLimitExceeded": lambda: "is too costly to check against the pattern",
    }
    sentence = sentences.get(name)
    return sentence() if sentence is not None else None


def worded(error: Any, keyword: str) -> Worded:
    """The message and reason of one of jsonschema-rs's errors (``keyword`` failed)."""
    kind = error.kind
    name = type(kind).__name__
    if name == "PropertyNames":  # the nested error is about the name, not the object
        inner = worded(kind.error, keyword)
        return Worded(f"property name {inner.message}", f"a property name: {inner.reason}")
    if name == "Required":
        text = f"{quote(kind.property, SCHEMA_QUOTED)} is a required property"
        return Worded(text, text)
    if name in ("AdditionalProperties", "UnevaluatedProperties"):
        return extra_properties(list(kind.unexpected))
    sentence = _value_sentence(kind, keyword)
    if sentence is None:  # a kind without a sentence here: jsonschema-rs's own words
        return Worded(str(error.message), f"the value fails the schema's {keyword or 'check'}")
    return Worded(f"{quote(error.instance)} {sentence}", f"the value {sentence}")


# Names a client sends are echoed in messages: cut to this many characters first.
NAME_QUOTED = 60


def named(name: str) -> str:
    """A client's event name as a message quotes it: cut, then ``repr`` (escapes kept)."""
    return repr(name if len(name) <= NAME_QUOTED else name[:NAME_QUOTED - 1] + "…")


def closest(name: str, candidates: list[str]) -> str | None:
    """The candidate ``name`` is most likely a typo of, if one is close enough."""
    if len(name) > 4 * max(map(len, candidates), default=0) + 10:
        return None  # no name that long is close to any (and difflib would be slow)
    matches = get_close_matches(name, candidates, n=1, cutoff=0.6)
    return matches[0] if matches else None

