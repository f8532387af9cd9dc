"""What the docs page shows, computed once per server from the normalised spec.

Templates only loop over what is built here: schemas flattened into indented rows,
examples chosen or generated, and the playground's data. Nothing is walked per
request, so a large document renders as fast as a small one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..schemas import to_json_schema
from ..security import describe_credentials
from ..spec import Arguments, Arity, Message, Namespace, Spec
from ..spec.model import Requirements, Server
from .details import ContactDoc, LicenseDoc, contact_of, license_of, operation_ids, security_hints
from .examples import example_for, message_examples
from .schema_rows import SchemaRow, SchemaRows, tuple_items


@dataclass(frozen=True)
class ArgumentsDoc:
    """An event's payload or its ack: how many arguments, and each one's schema."""

    arity: str  # "none", "one", "tuple"
    summary: str
    rows: tuple[SchemaRow, ...]
    schema: Any  # standalone JSON Schema 2020-12, for the playground's check
    example: Any
    example_given: bool  # False: generated here, the spec has none
    example_found: bool = True  # False: no valid example (the spec should give one)

    @property
    def example_json(self) -> str:
        return json.dumps(self.example, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class EventDoc:
    event: str
    direction: str  # "receive" (client -> server) or "send" (server -> client)
    anchor: str
    title: str
    summary: str
    description: str
    payload: ArgumentsDoc
    ack: ArgumentsDoc | None
    security: tuple[str, ...]
    deprecated: bool = False
    operation_id: str = ""

    @property
    def direction_label(self) -> str:
        return "client → server" if self.direction == "receive" else "server → client"

    @property
    def search_text(self) -> str:
        """What the page's search looks in: the event's names and words, and the names and
        descriptions of its fields (payload and ack)."""
        rows = self.payload.rows + (self.ack.rows if self.ack else ())
        words = [self.event, self.title, self.summary, self.description, self.operation_id]
        words += [text for row in rows for text in (row.name, row.description)]
        return " ".join(" ".join(word.split()) for word in words if word)


@dataclass(frozen=True)
class NamespaceDoc:
    name: str
    anchor: str
    description: str
    received: tuple[EventDoc, ...]
    sent: tuple[EventDoc, ...]
    query: tuple[SchemaRow, ...]
    headers: tuple[SchemaRow, ...]
    method: str | None
    security: tuple[str, ...]


@dataclass(frozen=True)
class ServerDoc:
    name: str
    url: str
    protocol: str
    description: str
    security: tuple[str, ...]
    selected: bool  # ASYNCTION_SERVER: its path and security are the ones served
    # Where its url points (variables at their defaults): None when it names no host.
    hostname: str | None = None
    port: int | None = None
    secure: bool | None = None  # wss/https, ws/http; None for another protocol

    def serves(self, secure: bool, host: str) -> bool:
        """Whether a page requested over ``secure`` from ``host`` (the Host header, with
        its port if any) comes from this server: same scheme, host and port. The names
        of this machine's loopback interface are one host."""
        if self.hostname is None or (self.secure is not None and self.secure != secure):
            return False
        try:
            page = urlsplit(f"//{host}")
            page_port = page.port or (443 if secure else 80)
        except ValueError:
            return False
        names = {self.hostname, (page.hostname or "").rstrip(".")}
        return (self.port or (443 if secure else 80)) == page_port and (
            len(names) == 1 or names <= LOOPBACK)


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
SCHEMES = {"wss": True, "https": True, "ws": False, "http": False}
VARIABLE = re.compile(r"{([^{}]+)}")


@dataclass(frozen=True)
class SchemeDoc:
    name: str
    type: str
    description: str
    where: str
    bearer_format: str = ""


@dataclass(frozen=True)
class ApiDocs:
    title: str
    version: str
    description: str
    asyncapi: str
    socketio_path: str
    servers: tuple[ServerDoc, ...]
    namespaces: tuple[NamespaceDoc, ...]
    schemes: tuple[SchemeDoc, ...]
    playground: dict[str, Any] = field(repr=False)
    contact: ContactDoc | None = None
    license: LicenseDoc | None = None


def build_docs(spec: Spec, socketio_path: str, selected: Server | None) -> ApiDocs:
    """The docs of ``spec`` as served at ``socketio_path`` by the ``selected`` server."""
    info = spec.document.get("info") or {}
    server_security = selected.security if selected else None
    operations = operation_ids(spec)
    namespaces = tuple(
        _namespace(spec, namespace, server_security, operations)
        for namespace in spec.namespaces.values()
    )
    hints = {
        namespace.name: security_hints(
            namespace.security if namespace.security is not None else server_security,
            spec.security_schemes)
        for namespace in spec.namespaces.values()
    }
    return ApiDocs(
        title=spec.title,
        version=str(info.get("version", "")),
        description=str(info.get("description", "")),
        asyncapi=spec.version,
        socketio_path=socketio_path,
        servers=tuple(_server(server, selected, _raw_server(spec, server.name))
                      for server in spec.servers.values()),
        namespaces=namespaces,
        schemes=tuple(_scheme(name, scheme) for name, scheme in spec.security_schemes.items()),
        playground=_playground(namespaces, hints),
        contact=contact_of(info),
        license=license_of(info),
    )


def _raw_server(spec: Spec, name: str) -> dict[str, Any]:
    servers = spec.document.get("servers")
    raw = servers.get(name) if isinstance(servers, dict) else None
    return raw if isinstance(raw, dict) else {}


def _server(server: Server, selected: Server | None, raw: dict[str, Any]) -> ServerDoc:
    declared = raw.get("variables")
    variables: dict[str, Any] = declared if isinstance(declared, dict) else {}

    def default(match: re.Match[str]) -> str:
        variable = variables.get(match.group(1))
        if not isinstance(variable, dict):
            return ""
        value = variable.get("default", (variable.get("enum") or [""])[0])
        return str(value)

    url = VARIABLE.sub(default, server.url)
    try:
        parsed = urlsplit(url if "://" in url else f"//{url}")
        port = parsed.port
    except ValueError:
        parsed, port = urlsplit(""), None
    secure = SCHEMES.get((parsed.scheme or server.protocol).lower())
    return ServerDoc(
        name=server.name,
        url=server.url,
        protocol=server.protocol,
        description=server.description,
        security=_requirements(server.security),
        selected=selected is not None and server.name == selected.name,
        hostname=(parsed.hostname or "").rstrip(".") or None,
        port=port,
        secure=secure,
    )


def _namespace(spec: Spec, namespace: Namespace, server_security: Requirements | None,
               operations: dict[tuple[str, str, str], str]) -> NamespaceDoc:
    security = namespace.security if namespace.security is not None else server_security
    handshake = namespace.handshake
    return NamespaceDoc(
        name=namespace.name,
        anchor=_anchor("ns", namespace.name),
        description=str(namespace.document.get("description", "")),
        received=tuple(_event(spec, namespace, m, "receive", operations)
                       for m in namespace.received.values()),
        sent=tuple(_event(spec, namespace, m, "send", operations)
                   for m in namespace.sent.values()),
        query=_rows_of(spec, handshake.query),
        headers=_rows_of(spec, handshake.headers),
        method=handshake.method,
        security=_requirements(security),
    )


def _rows_of(spec: Spec, arguments: Arguments | None) -> tuple[SchemaRow, ...]:
    if arguments is None or arguments.schema is None:
        return ()
    schema = to_json_schema(arguments.schema, spec.document)
    return tuple(SchemaRows().children(schema, 0)) if isinstance(schema, dict) else ()


def _event(spec: Spec, namespace: Namespace, message: Message, direction: str,
           operations: dict[tuple[str, str, str], str]) -> EventDoc:
    raw = message.document
    return EventDoc(
        event=message.event,
        direction=direction,
        anchor=_anchor(direction, namespace.name, message.event),
        title=str(raw.get("title", "")),
        summary=str(raw.get("summary", "")),
        description=str(raw.get("description", "")),
        payload=_arguments(spec, message.payload, message_examples(raw)),
        ack=_arguments(spec, message.ack, None) if message.ack is not None else None,
        security=_requirements(message.security) if message.security is not None else (),
        deprecated=bool(raw.get("deprecated", False)),
        operation_id=operations.get((namespace.name, direction, message.event), ""),
    )


def _arguments(spec: Spec, arguments: Arguments, given: list[Any] | None) -> ArgumentsDoc:
    if arguments.arity is Arity.NONE:
        return ArgumentsDoc("none", "no arguments", (), None, None, True)
    # Rows come from the schema as written (recursion shows as the spec's own names);
    # the example and the playground's check use its standalone 2020-12 form.
    written = arguments.schema
    schema = to_json_schema(written, spec.document)
    rows = SchemaRows()
    if arguments.arity is Arity.TUPLE:
        items, further = tuple_items(written)
        summary = f"{len(items)} arguments" if len(items) != 1 else "1 argument"
        table = [row for index, item in enumerate(items)
                 for row in rows.walk(item, f"argument {index + 1}", 0, True)]
        if isinstance(further, dict):
            summary += ", then more"
            table += rows.walk(further, "further arguments", 0, False)
    else:
        summary = "one argument"
        table = rows.walk(written, "argument", 0, True)
    # The message's examples, else the schema's own values, else one built; all checked.
    example = example_for(schema, given or ())
    return ArgumentsDoc(arguments.arity.value, summary, tuple(table), schema, example.value,
                        example.given, example.found)


def _requirements(requirements: Requirements | None) -> tuple[str, ...]:
    """Each alternative as text: ``session (scopes: a, b) + apiKey``; ``anonymous`` for {}."""
    if not requirements:
        return ()
    return tuple(
        " + ".join(
            f"{name} (scopes: {', '.join(scopes)})" if scopes else name
            for name, scopes in requirement.items()
        ) or "anonymous"
        for requirement in requirements
    )


def _scheme(name: str, scheme: dict[str, Any]) -> SchemeDoc:
    kind = str(scheme.get("type", ""))
    if kind == "http":
        kind = f"http {scheme.get('scheme', '')}".strip()
    bearer_format = scheme.get("bearerFormat") if kind == "http bearer" else None
    return SchemeDoc(name, kind, str(scheme.get("description", "")), describe_credentials(scheme),
                     bearer_format if isinstance(bearer_format, str) else "")


def _anchor(*parts: str) -> str:
    text = "-".join(parts)
    return "".join(char if char.isalnum() else "-" for char in text).strip("-") or "root"


def _playground(namespaces: tuple[NamespaceDoc, ...],
                hints: dict[str, list[list[dict[str, Any]]]]) -> dict[str, Any]:
    """What the playground script needs: per namespace, the events a client may send, and
    what each alternative of its security asks for (to explain a refusal)."""
    return {
        namespace.name: {
            "query": [row.name for row in namespace.query if row.depth == 0],
            "security": hints.get(namespace.name, []),
            "events": {
                event.event: {
                    "arity": event.payload.arity,
                    "schema": event.payload.schema,
                    # No example: the payload box starts empty (never with "null").
                    **({"example": event.payload.example} if event.payload.example_found
                       else {}),
                    "ack": event.ack is not None,
                }
                for event in namespace.received
            },
        }
        for namespace in namespaces
    }
