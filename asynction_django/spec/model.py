"""The normalised description of a Socket.IO API, whatever AsyncAPI version it came from.

Everything else in asynction_django (validation, the server, docs, tooling) reads this
model, never the raw document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..limits.rules import RateLimits
from .documents import Location, ResolvedDocument

# A list of security requirements (OR), each mapping scheme names to scopes (AND).
Requirements = list[dict[str, list[str]]]


class Arity(Enum):
    """How many Socket.IO arguments a schema stands for (the schema decides, never the client)."""

    NONE = "none"  # no schema: the event carries no argument
    ONE = "one"  # any non-tuple schema: exactly one argument
    TUPLE = "tuple"  # prefixItems or array-form items: one argument per item


def arity_of(schema: Any) -> Arity:
    if schema is None:
        return Arity.NONE
    if isinstance(schema, dict) and (
        "prefixItems" in schema or isinstance(schema.get("items"), list)
    ):
        return Arity.TUPLE
    return Arity.ONE


@dataclass(frozen=True)
class Arguments:
    """The schema of a list of Socket.IO arguments (an event's payload or an ack)."""

    schema: Any
    location: Location

    @property
    def arity(self) -> Arity:
        return arity_of(self.schema)

    def count_range(self) -> tuple[int, int | None]:
        """How few and how many arguments the schema lets through (None: no upper bound)."""
        arity = self.arity
        if arity is not Arity.TUPLE:
            return (0, 0) if arity is Arity.NONE else (1, 1)
        schema = self.schema
        if "prefixItems" in schema:
            items, rest = schema["prefixItems"], schema.get("items", True)
        else:
            items, rest = schema["items"], schema.get("additionalItems", True)
        closed = rest is False or rest == {"not": {}}
        most = len(items) if closed else None
        if isinstance(schema.get("maxItems"), int):
            most = schema["maxItems"] if most is None else min(most, schema["maxItems"])
        fewest = schema.get("minItems", 0) if isinstance(schema.get("minItems"), int) else 0
        return fewest, most


@dataclass(frozen=True)
class Message:
    """One event in one direction of one namespace."""

    event: str
    payload: Arguments
    ack: Arguments | None
    handler: str | None
    location: Location
    document: dict[str, Any] = field(repr=False, compare=False)
    security: Requirements | None = None  # the operation's own (AsyncAPI 2.4+)
    rate_limits: RateLimits | None = None  # x-rate-limit; None: not said, (): no limit


@dataclass(frozen=True)
class Handshake:
    """What the channel's ``ws`` bindings require of the connection request."""

    query: Arguments | None = None
    headers: Arguments | None = None
    method: str | None = None


@dataclass(frozen=True)
class Presence:
    """A channel's ``x-presence``: which of its rooms keep who is in them (see
    :mod:`asynction_django.presences`), and the events that tell the room."""

    location: Location
    rooms: tuple[str, ...] | None = None  # glob patterns; None: every room
    info: str | None = None  # dotted path of info(connection) -> JSON object | None
    join: str = "presence:join"
    leave: str = "presence:leave"


@dataclass(frozen=True)
class Namespace:
    """A channel of the spec, served as a Socket.IO namespace."""

    name: str
    received: dict[str, Message]  # client -> server (2.x publish)
    sent: dict[str, Message]  # server -> client (2.x subscribe)
    connect_handler: str | None
    disconnect_handler: str | None
    error_handler: str | None
    handshake: Handshake
    location: Location
    document: dict[str, Any] = field(repr=False, compare=False)
    security: Requirements | None = None  # channel x-security; None: the server's applies
    rate_limits: RateLimits | None = None  # channel x-rate-limit: one budget for all events
    presence: Presence | None = None  # channel x-presence; None: no presence kept


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    protocol: str
    socketio_path: str
    location: Location
    security: Requirements | None = None
    description: str = ""


@dataclass(frozen=True)
class Spec:
    """A loaded AsyncAPI document, ready to serve."""

    version: str
    title: str
    source: str
    namespaces: dict[str, Namespace]
    servers: dict[str, Server]
    resolved: ResolvedDocument = field(repr=False, compare=False)
    security_schemes: dict[str, dict[str, Any]] = field(default_factory=dict)
    scheme_locations: dict[str, Location] = field(default_factory=dict)

    @property
    def document(self) -> dict[str, Any]:
        """The whole document with every ``$ref`` resolved (for docs and export)."""
        tree: dict[str, Any] = self.resolved.tree
        return tree


@dataclass
class DocumentParts:
    """What a version's reader gives: the same parts, whichever AsyncAPI version it reads."""

    namespaces: dict[str, Namespace]
    servers: dict[str, Server]
    security_schemes: dict[str, dict[str, Any]]
    scheme_locations: dict[str, Location]
