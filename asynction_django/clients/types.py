"""JSON Schema 2020-12 as a small type model that TypeScript and Python both render.

Schemas are read as :mod:`..schema_shapes` reads them for the docs and the mock: a union of
alternatives, each with the fields it shares with the others, ``required`` from every part
(a branch's ``required: [limitPrice]`` makes ``limitPrice`` required in that alternative),
``if``/``then``/``else`` and dependencies split into cases, and properties a ``not`` rules
out typed ``never``. Only what a type system can say is kept (shapes, required keys,
literals, unions); the constraints it cannot (lengths, patterns, bounds, the ``not``s it
cannot say) stay the server's to check, so a type never refuses a valid value. Objects
with properties, components and recursive schemas become named types, so both languages
get the same names and recursion always goes through a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..schema_shapes import Reading, Shape, is_reference
from .naming import Namer, pascal

ORIGIN = "x-asynction-origin"  # where the schema was written (set by api._Annotator)
NAME = "x-asynction-name"  # its components/schemas key, when it has one


@dataclass(frozen=True)
class Prim:
    """string, integer, number, boolean, null, unknown (anything) or never (nothing)."""

    kind: str


@dataclass(frozen=True)
class Lit:
    value: Any  # a JSON value (const, or one enum member)


@dataclass(frozen=True)
class Arr:
    item: Type


@dataclass(frozen=True)
class Tup:
    items: tuple[Type, ...]
    required: int  # how many leading items must be present (minItems)
    rest: Type | None  # the type of further items; None: no more items


@dataclass(frozen=True)
class Prop:
    name: str
    type: Type
    required: bool
    description: str = ""


@dataclass(frozen=True)
class Obj:
    props: tuple[Prop, ...]
    extra: Type | None  # further keys' values (additionalProperties); None: not typed


@dataclass(frozen=True)
class Union:
    options: tuple[Type, ...]


@dataclass(frozen=True)
class Ref:
    name: str  # a NamedType


Type = Prim | Lit | Arr | Tup | Obj | Union | Ref
UNKNOWN, NEVER, NULL = Prim("unknown"), Prim("never"), Prim("null")
ANNOTATIONS = frozenset({ORIGIN, NAME, "title", "description", "$comment", "examples",
                         "default", "deprecated", "readOnly", "writeOnly", "format"})


@dataclass
class NamedType:
    name: str
    type: Type | None  # None while it is being built (recursion)
    description: str = ""


@dataclass
class TypeBuilder:
    """Builds types for many schemas into one set of named types."""

    namer: Namer
    named: dict[str, NamedType] = field(default_factory=dict)
    _origins: dict[str, str] = field(default_factory=dict)
    _reading: Reading = field(default_factory=Reading)

    def root(self, schema: Any, hint: str) -> Type:
        """The type of a standalone schema (its recursive parts under ``$defs``)."""
        self._reading = Reading(schema)
        return self.type_of(schema, hint)

    def type_of(self, schema: Any, hint: str, recursive: bool = False) -> Type:
        """``schema``'s type; ``recursive`` (a ``$ref`` target) always gets a name."""
        if schema is True or schema is None:
            return UNKNOWN
        if schema is False or not isinstance(schema, dict):
            return NEVER
        if is_reference(schema):
            target = self._reading.target(schema["$ref"])
            # Nothing but #/$defs/… is left by to_json_schema.
            return UNKNOWN if target is None else self.type_of(target, hint, True)
        origin, name = schema.get(ORIGIN), schema.get(NAME)
        if origin in self._origins:
            return Ref(self._origins[origin])
        if name is None and not recursive and not (schema.get("properties")
                                                   and _is_object(schema)):
            return self._structure(schema, hint)
        name = self.namer.unique(pascal(name or schema.get("title") or hint))
        if origin:
            self._origins[origin] = name
        self.named[name] = NamedType(name, None, _text(schema.get("description")))
        self.named[name].type = self._structure(schema, name)
        return Ref(name)

    def resolve(self, type_: Type) -> Type:
        """Follow names to the type they stand for (None-safe while building)."""
        seen = set()
        while isinstance(type_, Ref) and type_.name not in seen:
            seen.add(type_.name)
            target = self.named[type_.name].type
            if target is None:
                return type_
            type_ = target
        return type_

    def _structure(self, schema: dict[str, Any], hint: str) -> Type:
        """The union of the schema's cases (its alternatives, conditions split); a bare
        ``oneOf``/``anyOf`` is the union of its branches' types, so they keep their names."""
        branches = _only_branches(schema)
        if branches is not None:
            return union([self.type_of(branch, f"{hint}Option{number}")
                          for number, branch in enumerate(branches, 1)])
        cases = self._reading.cases(schema)
        return union([self._case(case, f"{hint}Option{number}" if len(cases) > 1 else hint)
                      for number, case in enumerate(cases, 1)])

    def _case(self, case: Shape, hint: str) -> Type:
        keywords = case.keywords
        if "const" in keywords:
            return Lit(keywords["const"])
        if isinstance(keywords.get("enum"), list):
            return union([Lit(value) for value in keywords["enum"]])
        found = self._typed(keywords, hint)
        if case.open and isinstance(found, Obj):  # branches it cannot list: keys it may have
            return Obj(found.props, UNKNOWN)
        return found

    def _typed(self, schema: dict[str, Any], hint: str) -> Type:
        kinds = schema.get("type")
        if kinds is None:
            if _is_object(schema):
                kinds = "object"
            elif "items" in schema or "prefixItems" in schema:
                kinds = "array"
            else:
                return UNKNOWN
        kinds = kinds if isinstance(kinds, list) else [kinds]
        options: list[Type] = []
        for kind in kinds:
            if kind == "object":
                options.append(self._object(schema, hint))
            elif kind == "array":
                options.append(self._array(schema, hint))
            elif kind in ("string", "integer", "number", "boolean", "null"):
                options.append(Prim(kind))
        return union(options) if options else UNKNOWN

    def _object(self, schema: dict[str, Any], hint: str) -> Obj:
        declared = schema.get("properties")
        properties: dict[str, Any] = declared if isinstance(declared, dict) else {}
        required = [name for name in schema.get("required") or [] if isinstance(name, str)]
        additional = schema.get("additionalProperties")
        # Required names no property declares hold what any other name may hold.
        properties = {**properties, **{name: True if additional in (None, False) else additional
                                       for name in required if name not in properties}}
        props = tuple(
            Prop(key, self.type_of(value, hint + pascal(key, "Property")),
                 key in required and value is not False,
                 _text(value.get("description")) if isinstance(value, dict) else "")
            for key, value in properties.items())
        extras = []
        if additional is not None and additional is not False:
            extras.append(self.type_of(additional, hint + "Value"))
        patterns = schema.get("patternProperties")
        if isinstance(patterns, dict):
            extras += [self.type_of(value, hint + "Value") for value in patterns.values()]
        if not props and not extras:
            extras = [NEVER if additional is False else UNKNOWN]
        return Obj(props, union(extras) if extras else None)

    def _array(self, schema: dict[str, Any], hint: str) -> Type:
        items = schema.get("items", True)
        prefix = schema.get("prefixItems")
        if not isinstance(prefix, list):
            return Arr(self.type_of(items, hint + "Item"))
        types = tuple(self.type_of(item, f"{hint}Item{number}")
                      for number, item in enumerate(prefix, 1))
        rest = self.type_of(items, hint + "Item")
        minimum = schema.get("minItems", 0)
        required = min(minimum if isinstance(minimum, int) else 0, len(types))
        return Tup(types, required, None if rest == NEVER else rest)


def referenced(named: dict[str, NamedType], roots: list[Type]) -> set[str]:
    """The names ``roots`` use, directly or through other names (merged parts are not)."""
    found: set[str] = set()
    todo = list(roots)
    while todo:
        type_ = todo.pop()
        if isinstance(type_, Ref):
            if type_.name not in found:
                found.add(type_.name)
                target = named[type_.name].type
                todo += [target] if target is not None else []
        elif isinstance(type_, Arr):
            todo.append(type_.item)
        elif isinstance(type_, Tup):
            todo += [*type_.items, *([type_.rest] if type_.rest else [])]
        elif isinstance(type_, Obj):
            todo += [*(prop.type for prop in type_.props), *([type_.extra] if type_.extra
                                                             else [])]
        elif isinstance(type_, Union):
            todo += type_.options
    return found


def _only_branches(schema: dict[str, Any]) -> list[Any] | None:
    """The branches of a schema that is nothing but one ``oneOf`` or ``anyOf``."""
    keys = {key for key in schema if key not in ANNOTATIONS and not key.startswith("x-")}
    branches = schema.get(next(iter(keys))) if keys in ({"oneOf"}, {"anyOf"}) else None
    return branches if isinstance(branches, list) and branches else None


def _is_object(schema: dict[str, Any]) -> bool:
    kinds = schema.get("type")
    if kinds is None:
        return any(key in schema for key in ("properties", "additionalProperties", "required",
                                             "patternProperties"))
    return kinds == "object" or (isinstance(kinds, list) and "object" in kinds)


def union(options: list[Type]) -> Type:
    flat: list[Type] = []
    for option in options:
        for item in option.options if isinstance(option, Union) else (option,):
            if item not in flat:
                flat.append(item)
    if UNKNOWN in flat:
        return UNKNOWN
    flat = [item for item in flat if item != NEVER] or [NEVER]
    return flat[0] if len(flat) == 1 else Union(tuple(flat))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
