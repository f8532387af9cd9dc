"""What a generated client is made of: per namespace, the events in each direction with
their arguments and acks typed, plus the named types they share.

Built from the loaded model (so 2.x and 3.x documents give the same client) and from the
standalone JSON Schema the server validates with (``to_json_schema``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..schemas import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUES, to_json_schema
from ..spec import Arguments, Arity, Message, Spec
from ..spec.documents import Location
from ..spec.pointers import place, resolve, unescape_token
from .naming import RESERVED, RESERVED_IN, Namer, namespace_names, pascal
from .types import NAME, NEVER, ORIGIN, Arr, NamedType, Ref, Tup, Type, TypeBuilder, referenced

_COMPONENT = re.compile(r"^/components/schemas/([^/]+)(?:/schema)?$"
                        r"|^/(?:\$defs|definitions)/([^/]+)$")


@dataclass(frozen=True)
class Parameter:
    name: str  # a word from the spec (a tuple item's title) or payload/response/argN
    type: Type
    description: str = ""


@dataclass(frozen=True)
class Parameters:
    """A list of Socket.IO arguments: ``required`` leading items, maybe more of ``rest``."""

    items: tuple[Parameter, ...]
    required: int
    rest: Parameter | None = None

    @property
    def fixed(self) -> bool:
        return self.required == len(self.items) and self.rest is None


@dataclass(frozen=True)
class Event:
    name: str
    description: str
    deprecated: bool
    args: Parameters
    ack: Parameters | None  # None: the event is not acknowledged


@dataclass(frozen=True)
class NamespaceApi:
    path: str  # "/", "/admin"
    prefix: str  # the name its types start with: ExampleChat, Admin
    description: str
    to_server: tuple[Event, ...]
    to_client: tuple[Event, ...]


@dataclass
class ClientApi:
    title: str
    version: str
    asyncapi: str
    socketio_path: str  # "/socket.io/"
    namespaces: list[NamespaceApi]
    types: dict[str, NamedType]
    namer: Namer = field(repr=False)  # for names a renderer adds (never one of the above)


def build_api(spec: Spec, socketio_path: str = "/socket.io/",
              language: str | None = None) -> ClientApi:
    """The client of ``spec``: its namespaces' events, typed, and their named types, named
    clear of what the ``language``'s module uses (of both languages' when None)."""
    info = spec.document.get("info") or {}
    reserved = RESERVED_IN.get(language or "", RESERVED)
    prefixes = namespace_names(spec.namespaces, spec.title, reserved)
    namer = Namer(reserved | {f"{prefix}{suffix}" for prefix in prefixes.values() for suffix in
                              ("ServerToClientEvents", "ClientToServerEvents", "Socket",
                               "Client")})
    builder = TypeBuilder(namer)
    annotator = _Annotator(spec)
    namespaces = [
        NamespaceApi(path, prefixes[path], _text(namespace.document, "description"),
                     tuple(_event(message, builder, annotator)
                           for message in namespace.received.values()),
                     tuple(_event(message, builder, annotator)
                           for message in namespace.sent.values()))
        for path, namespace in spec.namespaces.items()
    ]
    used = referenced(builder.named, [
        item.type for namespace in namespaces for event in (*namespace.to_server,
                                                            *namespace.to_client)
        for parameters in (event.args, event.ack) if parameters is not None
        for item in (*parameters.items, *([parameters.rest] if parameters.rest else []))])
    types = {name: named for name, named in builder.named.items() if name in used}
    return ClientApi(spec.title, str(info.get("version", "")), spec.version, socketio_path,
                     namespaces, types, namer)


def _event(message: Message, builder: TypeBuilder, annotator: _Annotator) -> Event:
    document = message.document
    description = "\n\n".join(text for text in (_text(document, "summary"),
                                                _text(document, "description")) if text)
    base = pascal(message.event, "Event")
    args = _parameters(message.payload, builder, annotator, base, "payload")
    ack = (_parameters(message.ack, builder, annotator, f"{base}Ack", "response")
           if message.ack is not None else None)
    return Event(message.event, description, document.get("deprecated") is True, args, ack)


def _parameters(arguments: Arguments, builder: TypeBuilder, annotator: _Annotator,
                hint: str, one: str) -> Parameters:
    if arguments.arity is Arity.NONE:
        return Parameters((), 0)
    schema = annotator.translate(arguments)
    type_ = builder.root(schema, hint)
    tuple_ = builder.resolve(type_)
    if arguments.arity is Arity.TUPLE and isinstance(tuple_, Arr):  # prefixItems: [] + items
        return Parameters((), 0, Parameter("rest", tuple_.item) if tuple_.item != NEVER
                          else None)
    if arguments.arity is Arity.ONE or not isinstance(tuple_, Tup):
        description = _text(schema, "description") if isinstance(schema, dict) else ""
        if isinstance(type_, Ref) and not description:
            description = builder.named[type_.name].description
        return Parameters((Parameter(one, type_, description),), 1)
    item_schemas = schema.get("prefixItems") or []
    items = tuple(Parameter(_item_name(item, schema, number), item_type,
                            _text(item, "description"))
                  for number, (item, item_type) in enumerate(zip(item_schemas, tuple_.items,
                                                                 strict=False), 1))
    rest = Parameter("rest", tuple_.rest) if tuple_.rest is not None else None
    return Parameters(items, tuple_.required, rest)


def _item_name(item: Any, root: dict[str, Any], number: int) -> str:
    """A tuple item's parameter name: its title, its component's name, else ``argN``."""
    if isinstance(item, dict) and isinstance(item.get("$ref"), str):
        item = (root.get("$defs") or {}).get(item["$ref"].split("/")[-1], {})
    if isinstance(item, dict):
        for key in ("x-name", "title", NAME):
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                return value
    return f"arg{number}"


def _text(node: Any, key: str) -> str:
    value = node.get(key) if isinstance(node, dict) else None
    return value.strip() if isinstance(value, str) else ""


class _Annotator:
    """Copies of the spec's schemas marked with where each part was written (ORIGIN) and
    its components name (NAME); ``to_json_schema`` keeps both, so the types built from
    its output can be named after the spec's own schemas and shared where they are."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.document: dict[str, Any] = {}  # recursion targets, at their pointers
        self._targets: set[str] = set()

    def translate(self, arguments: Arguments) -> Any:
        return to_json_schema(self.schema(arguments.schema, arguments.location), self.document)

    def schema(self, node: Any, fallback: Location) -> Any:
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            self._target(ref[1:])
            return dict(node)
        at = self.spec.resolved.origin(node, fallback)
        out: dict[str, Any] = {}
        for key, value in node.items():
            here = at.child(key)
            if key in SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {name: self.schema(item, here.child(name))
                            for name, item in value.items()}
            elif (key in SCHEMA_LISTS or key == "items") and isinstance(value, list):
                out[key] = [self.schema(item, here.child(index))
                            for index, item in enumerate(value)]
            elif key in SCHEMA_VALUES or (key == "dependencies" and isinstance(value, dict)):
                out[key] = ({name: self.schema(item, here.child(name))
                             for name, item in value.items()} if key == "dependencies"
                            else self.schema(value, here))
            else:
                out[key] = value
        out[ORIGIN] = f"{at.file}#{at.pointer}"
        name = _component_name(at)
        if name:
            out[NAME] = name
        return out

    def _target(self, pointer: str) -> None:
        if pointer in self._targets:
            return
        self._targets.add(pointer)
        node = resolve(self.spec.document, pointer)
        place(self.document, pointer,
              self.schema(node, Location(self.spec.resolved.root.file, pointer)))


def _component_name(at: Location) -> str | None:
    match = _COMPONENT.match(at.pointer)
    if match:
        return unescape_token(match.group(1) or match.group(2))
    if at.pointer in ("", "/") and at.file.endswith((".yaml", ".yml", ".json")):
        return Path(at.file).stem  # a whole file used as a schema
    return None
