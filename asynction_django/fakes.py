"""Fake values valid against a schema, for the mock server: generated once, served many times.

hypothesis-jsonschema generates values that satisfy the schema; Faker makes strings read
like data: JSON Schema ``format``s hypothesis knows stay its own, Faker provider names used as
``format`` (``first_name``, ``sentence``) and plain strings come from Faker. A pool per
schema is drawn at start-up, so emitting at a short interval costs a random choice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC
from typing import Any

from .examples import example_of
from .exceptions import AsynctionError, MissingExtra
from .schemas import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUES

POOL_SIZE = 20
PLAIN_TEXT = "word"  # the Faker provider for strings with no format, pattern or enum
# JSON Schema formats that read better from Faker than from hypothesis.
FORMAT_PROVIDERS = {
    "email": "email", "idn-email": "email", "uri": "url", "iri": "url", "uuid": "uuid4",
    "hostname": "hostname", "idn-hostname": "hostname", "ipv4": "ipv4", "ipv6": "ipv6",
    "date": "date", "time": "time",
}
CUSTOM = "x-asynction-"  # generation-only format names, so hypothesis' own stay untouched


def _libraries():
    try:
        import faker
        import hypothesis
        import hypothesis_jsonschema
    except ImportError as exc:
        raise MissingExtra(
            f"the mock server needs Faker and hypothesis-jsonschema ({exc.name} is missing): "
            "pip install 'asynction-django[mock]'"
        ) from exc
    return faker, hypothesis, hypothesis_jsonschema


class FakePool:
    """Values for one schema (standalone JSON Schema 2020-12), each valid against it."""

    def __init__(self, values: list[Any]):
        self.values = values

    def pick(self) -> Any:
        return random.choice(self.values)


class FakeFactory:
    """Builds pools; ``is_valid`` is the schema's own validator, so every fake is checked."""

    def __init__(self, seed: int | None = None, size: int = POOL_SIZE):
        faker, _, _ = _libraries()
        self.faker = faker.Faker()
        if seed is not None:
            self.faker.seed_instance(seed)
        self.size = size

    def pool(self, schema: Any, is_valid: Callable[[Any], bool]) -> FakePool:
        values = [value for value in self._generate(schema) if is_valid(value)]
        if not values:  # a schema hypothesis-jsonschema cannot handle (recursion, say)
            fallback = example_of(_dereferenced(schema))
            values = [fallback] if is_valid(fallback) else []
        if not values:
            raise AsynctionError("no value could be generated for this schema")
        return FakePool(values)

    def _generate(self, schema: Any) -> list[Any]:
        _, hypothesis, hypothesis_jsonschema = _libraries()
        from hypothesis import strategies

        formats = self._formats(schema)
        prepared = _for_generation(schema, set(formats))
        try:
            strategy = hypothesis_jsonschema.from_schema(prepared, custom_formats={
                CUSTOM + name: strategies.sampled_from(words) for name, words in formats.items()
            })
        except Exception:  # noqa: BLE001 - any schema it cannot read falls back
            return []
        found: list[Any] = []

        @hypothesis.settings(max_examples=self.size * 3, database=None, deadline=None,
                             phases=[hypothesis.Phase.generate],
                             suppress_health_check=list(hypothesis.HealthCheck))
        @hypothesis.given(strategy)
        def collect(value: Any) -> None:
            if len(found) < self.size:
                found.append(value)

        try:
            collect()
        except Exception:  # noqa: BLE001 - unsatisfiable or unsupported: fall back
            return found
        # hypothesis starts with the simplest values; keep the varied ones first.
        return found[::-1]

    def _formats(self, schema: Any) -> dict[str, list[str]]:
        """Faker's words for each format it can fill (providers named as formats too)."""
        words = {}
        if "date-time" in _formats_in(schema):
            words["date-time"] = [self.faker.date_time_this_decade(tzinfo=UTC)
                                  .isoformat() for _ in range(self.size)]
        for name in ({PLAIN_TEXT} | _formats_in(schema)) - set(words):
            provider = getattr(self.faker, FORMAT_PROVIDERS.get(name, name), None)
            if callable(provider) and not name.startswith("_"):
                try:
                    words[name] = [str(provider()) for _ in range(self.size)]
                except TypeError:  # a Faker method that needs arguments is not a format
                    continue
        return words


def _formats_in(schema: Any) -> set[str]:
    found = set()
    if isinstance(schema, dict):
        if isinstance(schema.get("format"), str):
            found.add(schema["format"])
        for value in schema.values():
            found |= _formats_in(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _formats_in(value)
    return found


def _for_generation(schema: Any, custom: set[str]) -> Any:
    """The schema as hypothesis-jsonschema reads it, asking for realistic values.

    2020-12 tuples become draft-07 array ``items``; objects get only their declared
    properties; plain strings and Faker formats come from Faker's words.
    """
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _for_generation(sub, custom) for name, sub in value.items()}
        elif key in SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_for_generation(sub, custom) for sub in value]
        elif key in SCHEMA_VALUES:
            out[key] = _for_generation(value, custom)
        else:
            out[key] = value
    if "prefixItems" in out:
        out["items"], further = out.pop("prefixItems"), out.get("items")
        if further is not None:
            out["additionalItems"] = further
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if isinstance(out.get("format"), str) and out["format"] in custom:
        out["format"] = CUSTOM + out["format"]
    elif (out.get("type") == "string" and not {"format", "pattern", "enum", "const"} & set(out)
          and PLAIN_TEXT in custom):
        out["format"] = CUSTOM + PLAIN_TEXT
    return out


def _dereferenced(schema: Any) -> Any:
    """A root ``$ref`` into ``$defs`` (how recursive schemas are bundled) replaced by its target."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        name = schema["$ref"].rpartition("/")[2]
        return (schema.get("$defs") or {}).get(name, schema)
    return schema
