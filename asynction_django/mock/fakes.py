"""Fake values valid against a schema, for the mock server: generated once, served many times.

The spec's own examples come first: a message's valid ``examples`` are its whole pool.
Otherwise hypothesis-jsonschema generates from the schema as :mod:`.fake_schema` narrows it
(the schema's own examples, modest numbers, Faker words, declared keys only), then, if that
yields nothing, from the schema with only its numbers narrowed, then the docs' example is
tried. Every value is checked with the schema's own validator. A pool per schema is drawn at
start-up; each pick serves the next one, renewed by :mod:`.variety` (new ids, times
and words), so emitting at a short interval costs a copy and one validation.
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

from ..apidocs.examples import example_of
from ..exceptions import AsynctionError, MissingExtra
from .fake_schema import prepare
from .fake_words import FakeWords
from .variety import Variety

POOL_SIZE = 20
DECIMALS = 2  # generated floats are rounded to cents where the schema still holds


class Unfakeable(AsynctionError):
    """No value valid against a schema could be generated."""


def _require_libraries() -> None:
    """MissingExtra unless the ``mock`` extra's libraries can be imported."""
    try:
        import faker  # noqa: F401
        import hypothesis  # noqa: F401
        import hypothesis_jsonschema  # noqa: F401
    except ImportError as exc:
        raise MissingExtra(
            f"the mock server needs Faker and hypothesis-jsonschema ({exc.name} is missing): "
            "pip install 'asynction-django[mock]'"
        ) from exc


class FakePool:
    """Values for one schema (standalone JSON Schema 2020-12), each valid against it.

    ``pick`` serves them in turn, each renewed by ``variety`` (new ids, times and words).
    """

    def __init__(self, values: list[Any], variety: Variety | None = None):
        self.values = values
        self.variety = variety
        self.served = 0

    def pick(self) -> Any:
        served, self.served = self.served, self.served + 1
        value = self.values[served % len(self.values)]
        return self.variety.vary(value, served) if self.variety else copy.deepcopy(value)


class FakeFactory:
    """Builds pools; ``is_valid`` is the schema's own validator, so every fake is checked."""

    def __init__(self, seed: int | None = None, size: int = POOL_SIZE,
                 clock: Callable[[], float] = time.time):
        _require_libraries()
        import faker

        self.faker = faker.Faker()
        if seed is not None:
            self.faker.seed_instance(seed)
        self.seed = seed
        self.chooser = random.Random(seed)  # each pool's seed, in the order pools are made
        self.size = size
        self.clock = clock
        self.words = FakeWords(self.faker, size)
        self.renewed_words = FakeWords(faker.Faker(), size)  # reseeded at every pick

    def pool(self, schema: Any, is_valid: Callable[[Any], bool],
             examples: Iterable[Any] = ()) -> FakePool:
        """The message's valid ``examples``, else generated values; Unfakeable if none."""
        given = _unique(value for value in examples if is_valid(value))
        values = given or self.values(schema, is_valid)
        if not values:
            raise Unfakeable("no value valid against this schema could be generated (do its "
                             "constraints contradict each other?)")
        variety = Variety(schema, is_valid, self.renewed_words, self.chooser.getrandbits(64),
                          self.clock, given=bool(given))
        return FakePool(values, variety)

    def values(self, schema: Any, is_valid: Callable[[Any], bool],
               size: int | None = None) -> list[Any]:
        """Up to ``size`` distinct valid values, from the first way that yields any."""
        size = size or self.size
        for realistic, codec in ((True, "ascii"), (False, "utf-8")):
            generated = self._generate(prepare(schema, self.words, realistic), size, codec)
            found = _unique(_tidy(value, is_valid) for value in generated if is_valid(value))
            if found:
                return found
        fallback = example_of(_dereferenced(schema))
        return [fallback] if is_valid(fallback) else []

    def _generate(self, schema: Any, size: int, codec: str) -> list[Any]:
        _require_libraries()
        import hypothesis
        import hypothesis_jsonschema
        from hypothesis import strategies

        try:
            strategy = hypothesis_jsonschema.from_schema(schema, codec=codec, custom_formats={
                name: strategies.sampled_from(words)
                for name, words in self.words.lists.items() if words
            })
        except Exception:  # noqa: BLE001 - any schema it cannot read falls back
            return []
        found: list[Any] = []

        @hypothesis.settings(max_examples=size, database=None, deadline=None,
                             phases=[hypothesis.Phase.generate],
                             verbosity=hypothesis.Verbosity.quiet,  # no "@seed(...)" to stdout
                             suppress_health_check=list(hypothesis.HealthCheck))
        @hypothesis.given(strategy)
        def collect(value: Any) -> None:
            if len(found) < size:
                found.append(value)

        if self.seed is not None:
            collect = hypothesis.seed(self.seed)(collect)
        try:
            collect()
        except Exception:  # noqa: BLE001 - unsatisfiable or unsupported: what came so far
            return found
        # hypothesis starts with the simplest values; keep the varied ones first.
        return found[::-1]


def _unique(values: Iterable[Any]) -> list[Any]:
    unique = {json.dumps(value, sort_keys=True, default=str): value for value in values}
    return list(unique.values())


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def _tidy(value: Any, is_valid: Callable[[Any], bool]) -> Any:
    """``value`` with its floats rounded (``17.25``, not ``17.249999990686774``), if still valid."""
    rounded = _rounded(value)
    return rounded if rounded != value and is_valid(rounded) else value


def _dereferenced(schema: Any) -> Any:
    """A root ``$ref`` into ``$defs`` (how recursive schemas are bundled) replaced by its target."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        name = schema["$ref"].rpartition("/")[2]
        return (schema.get("$defs") or {}).get(name, schema)
    return schema
