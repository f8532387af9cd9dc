"""One reading of a JSON Schema, shared by everything the package derives from one.

The validator answers yes or no; the docs rows and examples, the mock's fakes, scaffolded
TypedDicts and typed clients need to know what valid values look like. They all ask this
module, so they agree with each other and with the validator:

- a schema is a list of alternatives (:class:`Shape`), one per combination of ``anyOf`` and
  ``oneOf`` branches, each merged with its siblings, its ``allOf`` parts and the target of
  its ``$ref`` (keywords beside a ``$ref`` apply too, as in 2020-12) into one set of flat
  keywords: properties with their schemas combined, ``required`` united, ``type``, ``enum``
  and bounds intersected, ``additionalProperties`` applied to the names the other parts
  declare. An alternative no value can match is left out.
- ``not``, ``if``/``then``/``else``, ``dependentRequired`` and ``dependentSchemas`` stay
  beside the keywords as constraints to show or honour. A ``not`` (and each other ``oneOf``
  branch, which a value must not match either) that says exactly one flat thing is merged
  in: ``not: {required: [a]}`` is ``a`` absent, ``not: {const: x}`` takes ``x`` out of an
  ``enum``. :meth:`Reading.cases` splits a shape on its conditions and dependencies.

Properties and items keep their own schemas (combined under ``allOf`` where several parts
describe them): a consumer reads them with the same :class:`Reading` as it descends, so a
recursive ``$ref`` is only followed when asked. Nothing here validates, and anything left
unmerged (a second ``pattern``) stays in :attr:`Shape.extra`: values built from a shape are
still checked by the validator.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .schema_keywords import (
    APPLIED,
    ASSERTIONS,
    TYPES,
    consistent,
    is_any,
    listed,
    mapping,
    merge_keywords,
    named_values,
    normalised,
    same,
    types_of,
)

MAX_SHAPES = 64  # past this many alternatives a schema is read as one, marked open
MAX_DISJUNCTS = 8


@dataclass(frozen=True)
class Condition:
    """``if``/``then``/``else`` as written (``True`` for a missing ``then`` or ``else``)."""

    when: Any
    then: Any
    otherwise: Any


@dataclass(frozen=True)
class Shape:
    """One alternative of a schema: flat keywords, and the constraints kept beside them."""

    keywords: dict[str, Any]
    label: str = ""  # the branches chosen, outermost first: "one of #2", "any of #1 · …"
    nots: tuple[Any, ...] = ()  # schemas a value must not match (written ``not``s)
    exclusive: tuple[Any, ...] = ()  # the other ``oneOf`` branches: not to match either
    conditions: tuple[Condition, ...] = ()
    dependent_required: tuple[tuple[str, tuple[str, ...]], ...] = ()
    dependent_schemas: tuple[tuple[str, Any], ...] = ()
    extra: tuple[Any, ...] = ()  # schemas that still apply, unmerged
    open: bool = False  # too many alternatives: some properties may be missing here

    @property
    def types(self) -> frozenset[str] | None:
        """The JSON types it allows (``integer`` counts as ``number`` too); None: any."""
        return types_of(self.keywords)

    @property
    def properties(self) -> dict[str, Any]:
        found = self.keywords.get("properties")
        return found if isinstance(found, dict) else {}

    @property
    def required(self) -> tuple[str, ...]:
        found = self.keywords.get("required")
        return tuple(name for name in found if isinstance(name, str)) \
            if isinstance(found, list) else ()

    def schema(self) -> Any:
        """The whole alternative as one JSON Schema, its constraints under ``allOf``."""
        parts: list[Any] = [{"not": item} for item in (*self.nots, *self.exclusive)]
        parts += [{"if": item.when, "then": item.then, "else": item.otherwise}
                  for item in self.conditions]
        if self.dependent_required:
            parts.append({"dependentRequired": {name: list(needs)
                                                for name, needs in self.dependent_required}})
        if self.dependent_schemas:
            parts.append({"dependentSchemas": dict(self.dependent_schemas)})
        parts += self.extra
        return {**self.keywords, "allOf": parts} if parts else self.keywords


class Reading:
    """Reads the schemas of one standalone schema (its ``$defs`` resolve ``#/$defs/…``)."""

    def __init__(self, root: Any = None):
        defs = root.get("$defs") if isinstance(root, dict) else None
        self.defs: dict[str, Any] = defs if isinstance(defs, dict) else {}
        self._read_before: dict[int, tuple[Any, list[Shape]]] = {}

    def target(self, ref: Any) -> Any:
        """What a ``#/$defs/name`` reference points to; None for any other."""
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref.count("/") == 2:
            return self.defs.get(ref[8:].replace("~1", "/").replace("~0", "~"))
        return None

    def shapes(self, schema: Any) -> list[Shape]:
        """``schema``'s alternatives, in the document's order; [] if nothing is valid."""
        before = self._read_before.get(id(schema))
        if before is not None and before[0] is schema:
            return before[1]
        found = self._read(schema, frozenset())
        self._read_before[id(schema)] = (schema, found)
        return found

    def cases(self, schema: Any) -> list[Shape]:
        """The alternatives with their conditions and dependencies split into cases."""
        return [case for shape in self.shapes(schema) for case in self.split(shape)]

    def split(self, shape: Shape) -> list[Shape]:
        """``shape`` as cases without conditions or dependencies (it, if there are too many)."""
        if not (shape.conditions or shape.dependent_required or shape.dependent_schemas):
            return [shape]
        cases = [replace(shape, conditions=(), dependent_required=(), dependent_schemas=())]
        # Each splits every case in two: where it applies, and where it does not.
        splits = [([condition.when, condition.then], [condition.otherwise], condition.when)
                  for condition in shape.conditions]
        splits += [([{"required": [name, *needs]}], [{"properties": {name: False}}], None)
                   for name, needs in shape.dependent_required]
        splits += [([{"required": [name]}, schema], [{"properties": {name: False}}], None)
                   for name, schema in shape.dependent_schemas]
        for applies, otherwise, denied in splits:
            cases = [*self._each(cases, applies), *self._each(cases, otherwise, denied)]
            if len(cases) > MAX_SHAPES:
                return [shape]
        return cases

    def _each(self, cases: list[Shape], parts: list[Any], denied: Any = None) -> list[Shape]:
        for part in parts:
            cases = [merged for case in cases for shape in self._read(part, frozenset())
                     if (merged := _merge(case, shape)) is not None]
        if denied is not None:
            cases = [replace(case, nots=(*case.nots, denied)) for case in cases]
        return [done for case in cases if (done := self._finish(case)) is not None]

    def _read(self, schema: Any, refs: frozenset[str]) -> list[Shape]:
        if schema is False:
            return []
        if not isinstance(schema, dict):
            return [Shape({})]
        node = normalised(schema)
        if not APPLIED & set(node):  # one flat shape already (most schemas are)
            keywords = consistent(node)
            return [Shape(keywords)] if keywords is not None else []
        base = Shape({key: value for key, value in node.items() if key not in APPLIED},
                     nots=(node["not"],) if "not" in node else (),
                     conditions=_conditions(node), dependent_required=_needs(node),
                     dependent_schemas=tuple((name, item) for name, item in
                                             mapping(node, "dependentSchemas").items()))
        shapes = [base]
        groups: list[list[Shape]] = []
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self.target(ref)
            if target is None or ref in refs:  # another document's, or a cycle of merges
                shapes = [base := replace(base, extra=({"$ref": ref},))]
            else:
                groups.append(self._read(target, refs | {ref}))
        groups += [self._read(part, refs) for part in listed(node, "allOf")]
        for key, word in (("anyOf", "any of"), ("oneOf", "one of")):
            branches = listed(node, key)
            if branches:
                groups.append([
                    replace(shape, label=_joined(_label(word, number, branch), shape.label),
                            exclusive=(*shape.exclusive, *(other for index, other in
                                                           enumerate(branches, 1)
                                                           if index != number))
                            if key == "oneOf" else shape.exclusive)
                    for number, branch in enumerate(branches, 1)
                    for shape in self._read(branch, refs)])
        for group in groups:
            shapes = [merged for shape in shapes for other in group
                      if (merged := _merge(shape, other)) is not None]
            if len(shapes) > MAX_SHAPES:  # read as one, the branches left to the validator
                kept = tuple({key: node[key]} for key in ("$ref", "allOf", "anyOf", "oneOf")
                             if key in node)
                shapes = [replace(base, extra=kept, open=True)]
                break
        return [done for shape in shapes if (done := self._finish(shape)) is not None]

    def _finish(self, shape: Shape, depth: int = 0) -> Shape | None:
        """``shape`` checked for contradictions, with the negations it can say merged in."""
        keywords = consistent(shape.keywords)
        if keywords is None:
            return None
        if keywords is not shape.keywords:
            shape = replace(shape, keywords=keywords)
        if depth > 4:
            return shape
        for index, denied in enumerate(shape.nots):
            outcome = self._denied(replace(shape, nots=_without(shape.nots, index)), denied)
            if outcome is not _KEEP:
                return self._finish(outcome, depth + 1) if outcome is not None else None
        for index, denied in enumerate(shape.exclusive):
            outcome = self._denied(replace(shape, exclusive=_without(shape.exclusive, index)),
                                   denied)
            if outcome is not _KEEP:
                return self._finish(outcome, depth + 1) if outcome is not None else None
        return shape

    def _denied(self, shape: Shape, denied: Any) -> Any:  # Shape | None | _KEEP
        """``shape`` with ``denied`` ruled out: a refined shape, None (nothing is left), or
        _KEEP (it cannot be said in flat keywords)."""
        if is_any(denied):
            return None
        if denied is False:
            return shape
        values = named_values(denied)
        if values is not None and "const" in shape.keywords:
            return None if any(same(shape.keywords["const"], value) for value in values) \
                else shape
        if values is not None and "enum" in shape.keywords:
            allowed = [item for item in shape.keywords["enum"]
                       if not any(same(item, value) for value in values)]
            return replace(shape, keywords={**shape.keywords, "enum": allowed}) \
                if allowed else None
        disjuncts = _negated(denied)
        if disjuncts is None:
            return _KEEP
        found = []
        for disjunct in disjuncts:
            for other in self._read(disjunct, frozenset()):
                merged = _merge(shape, other)
                done = consistent(merged.keywords) if merged is not None else None
                if merged is None or done is None:
                    continue
                if replace(merged, keywords=done, label=shape.label) == shape:
                    return shape  # already implied
                found.append(merged)
        if not found:
            return None
        return found[0] if len(found) == 1 else _KEEP


_KEEP = object()


def _merge(one: Shape, other: Shape) -> Shape | None:
    keywords, extra = merge_keywords(one.keywords, other.keywords)
    if keywords is None:
        return None
    return Shape(keywords, _joined(one.label, other.label), (*one.nots, *other.nots),
                 (*one.exclusive, *other.exclusive), (*one.conditions, *other.conditions),
                 (*one.dependent_required, *other.dependent_required),
                 (*one.dependent_schemas, *other.dependent_schemas),
                 (*one.extra, *other.extra, *extra), one.open or other.open)


def _negated(schema: Any) -> list[Any] | None:
    """Schemas one of which a value matches exactly when it does not match ``schema``;
    None when that says nothing simpler than ``{"not": schema}``."""
    if is_any(schema):
        return []
    if not isinstance(schema, dict):
        return [True] if schema is False else None
    node = normalised(schema)
    disjuncts: list[Any] = []
    for key, value in node.items():
        if key not in ASSERTIONS:
            continue
        if key == "type":
            kinds = types_of({"type": value}) or frozenset()
            written = value if isinstance(value, list) else [value]
            if "integer" in kinds and "number" not in written:
                return None  # "a number that is no integer" has no type of its own
            disjuncts.append({"type": [kind for kind in TYPES if kind not in kinds]})
        elif key == "required" and isinstance(value, list):
            disjuncts += [{"type": "object", "properties": {name: False}} for name in value]
        elif key == "properties" and isinstance(value, dict):
            disjuncts += [{"type": "object", "required": [name], "properties": {name: {
                "not": item}}} for name, item in value.items() if not is_any(item)]
        elif key == "not":
            disjuncts.append(value)
        elif key == "allOf" and isinstance(value, list):
            for part in value:
                disjuncts += _negated(part) or [{"not": part}]
        elif key == "anyOf" and isinstance(value, list):
            disjuncts.append({"allOf": [{"not": branch} for branch in value]})
        else:
            disjuncts.append({"not": {key: value}})
    if len(disjuncts) > MAX_DISJUNCTS or disjuncts == [{"not": node}]:
        return None
    return disjuncts


def _conditions(node: dict[str, Any]) -> tuple[Condition, ...]:
    if "if" not in node or ("then" not in node and "else" not in node):
        return ()
    return (Condition(node["if"], node.get("then", True), node.get("else", True)),)


def _needs(node: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((name, tuple(str(item) for item in needs))
                 for name, needs in mapping(node, "dependentRequired").items()
                 if isinstance(needs, list) and needs)


def _label(word: str, number: int, branch: Any) -> str:
    title = branch.get("title") if isinstance(branch, dict) else None
    return f"{word} #{number}" + (f": {title}" if isinstance(title, str) and title else "")


def _joined(*labels: str) -> str:
    return " · ".join(label for label in labels if label)


def is_reference(schema: Any) -> bool:
    """A bare ``$ref`` (annotations aside): how recursion and named schemas are written."""
    return isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and not (
        set(schema) & ASSERTIONS - {"$ref"})


def _without(items: tuple[Any, ...], index: int) -> tuple[Any, ...]:
    return items[:index] + items[index + 1:]


