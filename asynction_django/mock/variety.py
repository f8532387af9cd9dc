"""Successive fakes that differ, as a real API's messages do.

A pool's values are served in turn (the spec's examples in their order), and each one handed
out is renewed where its schema allows:

- ids (properties named ``id``, ``uuid``, ``…Id``, ``…_id``, or ``format: uuid``) are new
  each time: integers count up from the first one served (by ``multipleOf`` if given),
  UUIDs are drawn afresh, and strings ending in digits (``msg-0041``) count up too;
- timestamps (``format: date-time``, or numbers and strings named like times) are now, in
  the style of the value they replace (``Z`` or ``+00:00``, fractions or not; Unix seconds or
  milliseconds);
- generated strings (not the spec's examples, nor a schema's own ``const``/``examples``/
  ``enum``/``default``) are drawn again: words of their kind from Faker, ``pattern`` strings
  from the pattern itself, with random letters and digits.

Each draw is seeded with the pool's seed and the number of values served so far, so a mock
with ``--seed`` repeats its whole sequence (timestamps aside). The result is checked with the
schema's own validator: a renewed part that breaks it is put back as it was.
"""

from __future__ import annotations

import copy
import importlib
import json
import random
import re
import string
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..apidocs.examples import given_values
from ..schemas import BUNDLE_KEY
from .fake_words import CHECKED_FORMATS, PLAIN, FakeWords, kind_for_name

Path = tuple[str | int, ...]
Change = tuple[Path, Any]

UUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
NUMBERED = re.compile(r"^(.*?)(\d+)$")
MILLISECONDS = 10**11  # Unix times above this are in milliseconds (past the year 5138 in s)
LETTERS = string.ascii_letters + string.digits
MORE = 4  # an unbounded repetition (``+``, ``*``) repeats at most this many times more
COMBINED = ("allOf", "anyOf", "oneOf", "then", "else")


class Variety:
    """Renews the values of one schema's pool; ``given``: they are the spec's examples."""

    def __init__(self, schema: Any, is_valid: Callable[[Any], bool], words: FakeWords,
                 seed: int, clock: Callable[[], float], given: bool = False):
        self.schema = schema
        self.defs = schema.get(BUNDLE_KEY, {}) if isinstance(schema, dict) else {}
        self.is_valid = is_valid
        self.words = words
        self.seed = seed
        self.clock = clock
        self.redraw = not given  # the spec's examples keep their words
        self.counters: dict[tuple[str, ...], int] = {}

    def vary(self, value: Any, served: int) -> Any:
        """``value`` renewed for the ``served``-th pick, still valid against the schema."""
        chooser = random.Random(f"{self.seed}:{served}")
        self.words.faker.seed_instance(chooser.getrandbits(64))
        changes: list[Change] = []
        self._walk(value, self.schema, None, (), changes, chooser)
        if not changes:
            return copy.deepcopy(value)
        varied = copy.deepcopy(value)
        for at, new in changes:
            _put(varied, at, new)
        if self.is_valid(varied):
            return varied
        varied = copy.deepcopy(value)  # one change at a time: only those the schema allows
        for at, new in changes:
            old = _get(varied, at)
            _put(varied, at, new)
            if not self.is_valid(varied):
                _put(varied, at, old)
        return varied

    def _walk(self, value: Any, schema: Any, name: str | None, at: Path,
              changes: list[Change], chooser: random.Random) -> None:
        schema = self._resolved(schema)
        if isinstance(value, dict):
            for key, item in value.items():
                sub, named = self._property(schema, key)
                self._walk(item, sub, key if named else None, (*at, key), changes, chooser)
        elif isinstance(value, list):
            mine: list[Change] = []
            for index, item in enumerate(value):
                self._walk(item, self._item(schema, index), name, (*at, index), mine, chooser)
            changes += _distinct(value, at, mine)
        else:
            new = self._leaf(value, schema, name, at, chooser)
            if new is not None and new != value:
                changes.append((at, new))

    def _leaf(self, value: Any, schema: dict[str, Any], name: str | None, at: Path,
              chooser: random.Random) -> Any:
        if isinstance(value, bool) or value is None:
            return None
        kind = kind_for_name(name)
        written = schema.get("format")
        if kind == "uuid4" or written == "uuid":
            return self._id(value, at, schema, chooser)
        if kind == "date-time" or written == "date-time":
            return self._now(value)
        if not self.redraw or given_values(schema) or not isinstance(value, str):
            return None
        shortest, longest = schema.get("minLength", 0), schema.get("maxLength")
        if not isinstance(shortest, int) or not (longest is None or isinstance(longest, int)):
            return None
        if isinstance(schema.get("pattern"), str):
            return pattern_text(schema["pattern"], chooser)
        if isinstance(written, str) and self.words.knows(written):
            return self.words.draw(written, shortest, longest)
        if written in CHECKED_FORMATS:
            return None
        return ((kind and self.words.draw(kind, shortest, longest))
                or self.words.draw(PLAIN, shortest, longest))

    def _id(self, value: Any, at: Path, schema: dict[str, Any], chooser: random.Random) -> Any:
        key = tuple("*" if isinstance(part, int) else part for part in at)
        if isinstance(value, int):
            step = schema.get("multipleOf")
            step = step if isinstance(step, int) and not isinstance(step, bool) and step > 0 else 1
            last = self.counters.get(key)
            self.counters[key] = value if last is None else last + step
            return self.counters[key]
        if not isinstance(value, str):
            return None
        if UUID.fullmatch(value):
            return str(uuid.UUID(int=chooser.getrandbits(128), version=4))
        numbered = NUMBERED.match(value)
        if numbered is None:
            return None
        prefix, digits = numbered.groups()
        last = self.counters.get(key)
        self.counters[key] = int(digits) if last is None else last + 1
        return f"{prefix}{self.counters[key]:0{len(digits)}d}"

    def _now(self, value: Any) -> Any:
        """The time now, written as ``value`` is (None if it is no timestamp)."""
        now = self.clock()
        if isinstance(value, (int, float)):
            now = now * 1000 if abs(value) >= MILLISECONDS else now
            return int(now) if isinstance(value, int) else round(now, 3)
        if not isinstance(value, str) or len(value) < 16 or value[10] not in "Tt ":
            return None  # a date alone is no timestamp, nor is ISO 8601's basic format
        try:
            then = datetime.fromisoformat(value)
        except ValueError:
            return None
        moment = datetime.fromtimestamp(now, UTC)
        if then.tzinfo is None:
            moment = moment.replace(tzinfo=None)
        time_part = value[11:]
        fraction = re.search(r"\.(\d+)", time_part)
        timespec = ("seconds" if fraction is None
                    else "milliseconds" if len(fraction.group(1)) <= 3 else "microseconds")
        text = moment.isoformat(sep=value[10], timespec=timespec)
        if value.endswith(("Z", "z")) and text.endswith("+00:00"):
            text = text[:-6] + value[-1]
        return text

    def _resolved(self, schema: Any, depth: int = 0) -> dict[str, Any]:
        if not isinstance(schema, dict):
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str) and depth < 8:
            target = self.defs.get(ref.rpartition("/")[2]) if ref.startswith("#/") else None
            if target is not None:
                return self._resolved(target, depth + 1)
        return schema

    def _branches(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for key in COMBINED:
            parts = schema.get(key)
            for part in parts if isinstance(parts, list) else [parts]:
                if isinstance(part, dict):
                    found.append(self._resolved(part))
        return found

    def _property(self, schema: dict[str, Any], key: str, depth: int = 0
                  ) -> tuple[dict[str, Any], bool]:
        """The schema of property ``key``, and whether it is declared by name."""
        properties = schema.get("properties")
        if isinstance(properties, dict) and key in properties:
            return self._resolved(properties[key]), True
        if depth < 8:
            for branch in self._branches(schema):
                sub, named = self._property(branch, key, depth + 1)
                if sub or named:
                    return sub, named
        patterns = schema.get("patternProperties")
        for pattern, sub in (patterns.items() if isinstance(patterns, dict) else ()):
            try:
                if re.search(pattern, key):
                    return self._resolved(sub), False
            except re.error:
                continue
        return self._resolved(schema.get("additionalProperties")), False

    def _item(self, schema: dict[str, Any], index: int, depth: int = 0) -> dict[str, Any]:
        tuple_items = schema.get("prefixItems")
        if isinstance(tuple_items, list) and index < len(tuple_items):
            return self._resolved(tuple_items[index])
        items = schema.get("items")
        if isinstance(items, dict):
            return self._resolved(items)
        if depth < 8:
            for branch in self._branches(schema):
                found = self._item(branch, index, depth + 1)
                if found:
                    return found
        return {}


def _distinct(items: list[Any], at: Path, changes: list[Change]) -> list[Change]:
    """The changes to a list's items, unless they would repeat an item the list had once."""
    def keyed(values: list[Any]) -> set[str]:
        return {json.dumps(value, sort_keys=True, default=str) for value in values}

    if not changes or len(keyed(items)) < len(items):
        return changes
    varied = copy.deepcopy(items)
    for where, new in changes:
        _put(varied, where[len(at):], new)
    return changes if len(keyed(varied)) == len(varied) else []


def _get(value: Any, at: Path) -> Any:
    for part in at:
        value = value[part]
    return value


def _put(value: Any, at: Path, new: Any) -> None:
    _get(value, at[:-1])[at[-1]] = new


def pattern_text(pattern: str, chooser: random.Random) -> str | None:
    """A string matching ``pattern`` whole, drawn with ``chooser`` (None: not understood)."""
    try:
        parser: Any = importlib.import_module("re._parser")
        text = _Pattern(chooser).text(parser.parse(pattern))
    except Exception:  # noqa: BLE001 - a pattern Python cannot read, or one we cannot write
        return None
    try:
        return text if re.search(pattern, text) else None
    except re.error:
        return None


class _Pattern:
    """Writes a parsed regular expression (``re._parser``'s tree) out as a string."""

    def __init__(self, chooser: random.Random):
        self.chooser = chooser
        self.groups: dict[int, str] = {}

    def text(self, nodes: Any) -> str:
        return "".join(self.node(str(op), argument) for op, argument in nodes)

    def node(self, op: str, argument: Any) -> str:
        if op == "LITERAL":
            return chr(argument)
        if op == "NOT_LITERAL":
            return self.chooser.choice([char for char in LETTERS if ord(char) != argument])
        if op == "ANY":
            return self.chooser.choice(LETTERS)
        if op == "AT":
            return ""
        if op == "IN":
            return self.one_of(argument)
        if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            least, most, nodes = argument
            most = min(most, least + MORE)
            return "".join(self.text(nodes) for _ in range(self.chooser.randint(least, most)))
        if op == "SUBPATTERN":
            group, _, _, nodes = argument
            written = self.text(nodes)
            if group is not None:
                self.groups[group] = written
            return written
        if op == "ATOMIC_GROUP":
            return self.text(argument)
        if op == "BRANCH":
            return self.text(self.chooser.choice(argument[1]))
        if op == "GROUPREF":
            return self.groups[argument]
        if op == "CATEGORY":
            return self.one_of([(op, argument)])
        raise ValueError(f"cannot write {op}")

    def one_of(self, items: Any) -> str:
        chars: list[str] = []
        negated = False
        for op, argument in items:
            op = str(op)
            if op == "NEGATE":
                negated = True
            elif op == "LITERAL":
                chars.append(chr(argument))
            elif op == "RANGE":
                low, high = argument
                chars += [chr(code) for code in range(low, min(high, low + 255) + 1)]
            elif op == "CATEGORY":
                chars += _category(str(argument))
            else:
                raise ValueError(f"cannot write {op} in a class")
        if negated:
            chars = [char for char in LETTERS if char not in chars]
        printable = [char for char in chars if char.isprintable()]
        return self.chooser.choice(printable or chars)


def _category(name: str) -> list[str]:
    if name.endswith("NOT_DIGIT"):
        return list(string.ascii_letters)
    if name.endswith("DIGIT"):
        return list(string.digits)
    if name.endswith("NOT_WORD"):
        return list(" -.")
    if name.endswith("WORD"):
        return list(LETTERS + "_")
    if name.endswith("NOT_SPACE"):
        return list(LETTERS)
    if name.endswith("SPACE"):
        return [" "]
    raise ValueError(f"cannot write {name}")
