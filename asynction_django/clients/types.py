"""JSON Schema 2020-12 as a small type model that TypeScript and Python both render.

Only what a type system can say is kept (shapes, required keys, literals, unions); the
constraints it cannot (lengths, patterns, bounds) stay the server's to check. Objects
with properties, components and recursive schemas become named types, so both languages
get the same names and recursion always goes through a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
class Inter:
    parts: tuple[Type, ...]


@dataclass(frozen=True)
class Ref:
    name: str  # a NamedType


Type = Prim | Lit | Arr | Tup | Obj | Union | Inter | Ref
UNKNOWN, NEVER, NULL = Prim("unknown"), Prim("never"), Prim("null")
ANNOTATIONS = frozenset({ORIGIN, NAME, "title", "description", "$comment", "examples",
                         "default", "deprecated", "readOnly", "writeOnly", "format"})
TYPE_KEYS = ("type", "enum", "const", "properties", "additionalProperties", "items",
             "prefixItems", "$ref", "oneOf", "anyOf", "allOf")


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
    _defs: dict[str, Any] = field(default_factory=dict)

    def root(self, schema: Any, hint: str) -> Type:
        """The type of a standalone schema (its recursive parts under ``$defs``)."""
        if isinstance(schema, dict):
            self._defs = schema.get("$defs", {}) if isinstance(schema.get("$defs"), dict) else {}
        return self.type_of(schema, hint)

    def type_of(self, schema: Any, hint: str, recursive: bool = False) -> Type:
        """``schema``'s type; ``recursive`` (a ``$ref`` target) always gets a name."""
        if schema is True or schema is None:
            return UNKNOWN
        if schema is False or not isinstance(schema, dict):
            return NEVER
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return self.type_of(self._defs.get(ref.split("/")[-1], True), hint, True)
        if isinstance(ref, str):
            return UNKNOWN  # nothing else is left by to_json_schema
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
        if "not" in schema and is_any(schema["not"]) and not any(key in schema
                                                                for key in TYPE_KEYS):
            return NEVER  # {not: {}}: Socket.IO tools close tuples with it
        if "const" in schema:
            base: Type = Lit(schema["const"])
        elif isinstance(schema.get("enum"), list):
            base = union([Lit(value) for value in schema["enum"]])
        else:
            base = self._typed(schema, hint)
        if schema.get("nullable") is True and base != UNKNOWN:
            base = union([base, NULL])
        variants = [item for key in ("oneOf", "anyOf") if isinstance(schema.get(key), list)
                    for item in schema[key]]
        if variants:
            base = self._variants(base, variants, hint)
        parts = schema.get("allOf")
        if isinstance(parts, list) and parts:
            base = self._all_of(base, parts, hint)
        return base

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
        required = set(schema.get("required") or [])
        props = tuple(
            Prop(key, self.type_of(value, hint + pascal(key, "Property")), key in required,
                 _text(value.get("description")) if isinstance(value, dict) else "")
            for key, value in properties.items())
        extras = []
        additional = schema.get("additionalProperties")
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

    def _variants(self, base: Type, variants: list[Any], hint: str) -> Type:
        if not any(isinstance(item, dict) and any(key in item for key in TYPE_KEYS)
                   for item in variants):
            return base  # oneOf: [{required: [a]}, {required: [b]}] only narrows the base
        options = [self.type_of(item, f"{hint}Option{number}")
                   for number, item in enumerate(variants, 1)]
        if base == UNKNOWN:
            return union(options)
        if all(isinstance(self.resolve(item), Obj) for item in (base, *options)):
            return union([self._merge([base, option]) for option in options])
        return Inter((base, union(options)))

    def _all_of(self, base: Type, parts: list[Any], hint: str) -> Type:
        types = [self.type_of(part, f"{hint}Part{number}")
                 for number, part in enumerate(parts, 1)]
        merged = [base, *types] if base != UNKNOWN else types
        if all(isinstance(self.resolve(item), Obj) for item in merged):
            return self._merge(merged)
        return merged[0] if len(merged) == 1 else Inter(tuple(merged))

    def _merge(self, types: list[Type]) -> Obj:
        """Objects that must all hold, as one object (required wins; last type wins)."""
        props: dict[str, Prop] = {}
        extras: list[Type] = []
        for item in types:
            item = self.resolve(item)
            assert isinstance(item, Obj)
            for prop in item.props:
                known = props.get(prop.name)
                props[prop.name] = Prop(prop.name, prop.type,
                                        prop.required or bool(known and known.required),
                                        prop.description or (known.description if known
                                                             else ""))
            extras += [item.extra] if item.extra not in (None, UNKNOWN, NEVER) else []
        return Obj(tuple(props.values()), extras[0] if len(extras) == 1 else None)


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
        elif isinstance(type_, Union | Inter):
            todo += type_.options if isinstance(type_, Union) else type_.parts
    return found


def is_any(schema: Any) -> bool:
    """True, or a schema with nothing but annotations: every value matches it."""
    return schema is True or (isinstance(schema, dict) and not set(schema) - ANNOTATIONS)


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
