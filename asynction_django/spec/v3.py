"""AsyncAPI 3.0 and 3.1 documents into the same model the 2.x reader fills.

The mapping (README, "AsyncAPI 3"): a channel's ``address`` is the namespace;
``receive`` operations are events clients send, ``send`` operations events the server
emits; an operation's ``reply`` is the ack; messages only a reply uses are ack shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from .documents import Location, ResolvedDocument
from .model import Arguments, Arity, DocumentParts, Message, Namespace, Requirements
from .pointers import unescape_token
from .problems import Problems
from .rate_limits import channels_rate_limits, read_rate_limits
from .reading import (
    SCHEMA_FORMATS,
    check_channel_requirements,
    check_namespace_name,
    read_ack,
    read_channel_handlers,
    read_handshake,
    requirements,
    security_schemes,
    text,
)
from .servers import read_servers, substitute_variables
from .traits import apply_traits_v3

SUPPORTED = re.compile(r"^3\.[01]\.\d+$")
ACTIONS = {"receive": "received", "send": "sent"}
SCHEMES_POINTER = re.compile(r"^/components/securitySchemes/([^/]+)$")


@dataclass
class _Group:
    """The channels that share one address: together they are one namespace."""

    address: str
    location: Location
    channels: list[tuple[str, dict[str, Any], Location]] = field(default_factory=list)
    received: dict[str, Message] = field(default_factory=dict)
    sent: dict[str, Message] = field(default_factory=dict)


class ReaderV3:
    """Reads ``channels``, ``operations`` and security of one resolved 3.x document."""

    def __init__(self, resolved: ResolvedDocument, problems: Problems, require_handlers: bool):
        self.resolved = resolved
        self.problems = problems
        self.require_handlers = require_handlers
        self.doc = resolved.tree
        self.schemes, self.scheme_locations = security_schemes(resolved)

    def parts(self) -> DocumentParts:
        """The document's namespaces, servers and security schemes."""
        namespaces = self.namespaces()
        servers = read_servers(self.resolved, self.problems, self.server_address)
        # In 3.x only the channels' ``x-security`` lists requirements; servers and
        # operations list Security Scheme objects (read by :meth:`security`).
        check_channel_requirements(self.resolved, self.problems, self.schemes)
        return DocumentParts(namespaces, servers, self.schemes, self.scheme_locations)

    def server_address(self, server: Any, at: Location,
                       problems: Problems) -> tuple[str, str, Requirements | None] | None:
        """A 3.x server: ``host`` and ``pathname`` (variables substituted), its security."""
        if not isinstance(server, dict) or not isinstance(server.get("host"), str):
            problems.add(at, "a server needs a host")
            return None
        pathname = str(server.get("pathname") or "")
        substitute_variables(server["host"], server, at.child("host"), problems)
        path = substitute_variables(pathname, server, at.child("pathname"), problems)
        return (server["host"] + pathname, path,
                self.security(server.get("security"), at.child("security")))

    # Security --------------------------------------------------------------------------

    def security(self, value: Any, at: Location) -> Requirements | None:
        """3.x ``security``: alternative Security Scheme objects (or $refs), scopes on each."""
        if value is None:
            return None
        if not isinstance(value, list):
            self.problems.add(at, "security must be a list of Security Scheme objects")
            return None
        alternatives: Requirements = []
        for index, scheme in enumerate(value):
            where = self.resolved.locate(at, index, scheme)
            if not isinstance(scheme, dict) or not isinstance(scheme.get("type"), str):
                self.problems.add(where, "a security entry must be a Security Scheme object "
                                         "(or a $ref to one) with a type")
                continue
            name = self._scheme_name(scheme, where)
            scopes = scheme.get("scopes") or []
            alternatives.append({name: [str(scope) for scope in scopes]
                                 if isinstance(scopes, list) else []})
        return alternatives

    def _scheme_name(self, scheme: dict[str, Any], where: Location) -> str:
        match = SCHEMES_POINTER.match(where.pointer)
        if match and where.file == self.resolved.root.file:
            name = unescape_token(match.group(1))
            self.schemes[name] = scheme
            self.scheme_locations[name] = where
            return name
        # Inline (or with its own scopes): named after where it is written.
        name = where.pointer.lstrip("/")
        self.schemes[name] = scheme
        self.scheme_locations[name] = where
        return name

    # Channels and operations -----------------------------------------------------------

    def namespaces(self) -> dict[str, Namespace]:
        channels = self.doc.get("channels") or {}
        channels_at = self.resolved.locate(self.resolved.root, "channels", channels)
        if not isinstance(channels, dict):
            self.problems.add(channels_at, "channels must be a mapping of channel ids to channels")
            return {}
        groups: dict[str, _Group] = {}
        by_id: dict[str, _Group] = {}
        for channel_id, channel in channels.items():
            at = self.resolved.locate(channels_at, channel_id, channel)
            if not isinstance(channel, dict):
                self.problems.add(at, "a channel must be a mapping")
                continue
            address = channel.get("address")
            if not isinstance(address, str):
                self.problems.add(at.child("address"),
                                  f"channel {channel_id!r} has no address: a Socket.IO server "
                                  "needs the namespace as the address (for example '/')")
                continue
            if not check_namespace_name(address, at.child("address"), self.problems):
                continue
            group = groups.setdefault(address, _Group(address, at))
            group.channels.append((channel_id, channel, at))
            by_id[channel_id] = group
        self._read_operations(channels, by_id)
        return {address: self._namespace(group) for address, group in groups.items()}

    def _namespace(self, group: _Group) -> Namespace:
        _, handlers_at = self._where(group, "x-handlers")
        handlers = read_channel_handlers(self._once(group, "x-handlers"), handlers_at,
                                         self.problems)
        channel, channel_at = self._where(group, "bindings")
        first, first_at = group.channels[0][1], group.location
        return Namespace(
            name=group.address,
            received=group.received,
            sent=group.sent,
            connect_handler=handlers.get("connect"),
            disconnect_handler=handlers.get("disconnect"),
            error_handler=handlers.get("error"),
            handshake=read_handshake(self.resolved, (channel or first).get("bindings"),
                                     channel_at if channel else first_at, self.problems),
            location=first_at,
            document=first,
            security=requirements(self._once(group, "x-security")),
            rate_limits=channels_rate_limits(self.resolved, self.problems, group.channels),
        )

    def _where(self, group: _Group, key: str) -> tuple[dict[str, Any] | None, Location]:
        for _, channel, at in group.channels:
            if key in channel:
                return channel, at.child(key)
        return None, group.location.child(key)

    def _once(self, group: _Group, key: str) -> Any:
        """A namespace-wide setting, which only one of the address's channels may give."""
        found = [(channel_id, channel[key], at) for channel_id, channel, at in group.channels
                 if key in channel]
        for channel_id, _, at in found[1:]:
            self.problems.add(at.child(key),
                              f"channels {found[0][0]!r} and {channel_id!r} share the address "
                              f"{group.address!r} (one namespace) and both set {key}")
        return found[0][1] if found else None

    def _read_operations(self, channels: dict[str, Any], by_id: dict[str, _Group]) -> None:
        operations = self.doc.get("operations") or {}
        operations_at = self.resolved.locate(self.resolved.root, "operations", operations)
        if not isinstance(operations, dict):
            self.problems.add(operations_at, "operations must be a mapping of operation ids")
            return
        reply_only = self._reply_only_messages(operations, channels)
        for operation_id, raw in operations.items():
            at = self.resolved.locate(operations_at, operation_id, raw)
            if not isinstance(raw, dict):
                self.problems.add(at, "an operation must be a mapping")
                continue
            operation = apply_traits_v3(raw)
            action = operation.get("action")
            if action not in ACTIONS:
                self.problems.add(at.child("action"), "action must be send or receive")
                continue
            channel_id = self._channel_id(operation.get("channel"), at.child("channel"))
            if channel_id is None or channel_id not in by_id:
                continue  # reported, or a channel that is not a namespace (reported there)
            group = by_id[channel_id]
            channel = channels[channel_id]
            for message, message_at, key in self._messages_of(operation, at, channel_id,
                                                               channel, reply_only):
                parsed = self._message(message, message_at, key, operation, at, channel_id,
                                       channel, action)
                if parsed is None:
                    continue
                events = getattr(group, ACTIONS[action])
                if parsed.event in events:
                    self.problems.add(message_at, f"event {parsed.event!r} ({action}) is defined "
                                                  f"twice in namespace {group.address!r}")
                    continue
                events[parsed.event] = parsed

    def _channel_id(self, channel: Any, at: Location) -> str | None:
        if not isinstance(channel, dict):
            self.problems.add(at, "an operation needs its channel: a $ref to one of #/channels")
            return None
        origin = self.resolved.origin(channel, at)
        match = re.fullmatch(r"/channels/([^/]+)", origin.pointer)
        if not match or origin.file != self.resolved.root.file:
            self.problems.add(at, "an operation's channel must be a $ref to a channel of this "
                                  f"document's #/channels, not {origin.pointer or '/'}")
            return None
        return unescape_token(match.group(1))

    def _messages_of(self, operation: dict[str, Any], at: Location, channel_id: str,
                     channel: dict[str, Any],
                     reply_only: set[tuple[str, str]]) -> list[tuple[Any, Location, str]]:
        """The operation's messages, each checked to come from its channel."""
        available = channel.get("messages") or {}
        if not isinstance(available, dict):
            available = {}
        listed = operation.get("messages")
        if listed is None:  # absent: every message of the channel (but the ack shapes)
            return [(message, self.resolved.locate(at, "messages", message), key)
                    for key, message in available.items()
                    if (channel_id, key) not in reply_only]
        messages_at = self.resolved.locate(at, "messages", listed)
        if not isinstance(listed, list):
            self.problems.add(messages_at, "messages must be a list of $refs to the channel's "
                                           "messages")
            return []
        found: list[tuple[Any, Location, str]] = []
        for index, message in enumerate(listed):
            where = messages_at.child(index)
            key = self._key_in(available, message)
            if key is None:
                self.problems.add(where, f"this message is not one of channel {channel_id!r}'s "
                                         "messages: an operation's messages must be $refs to "
                                         f"#/channels/{channel_id}/messages/...")
                continue
            found.append((message, self.resolved.locate(messages_at, index, message), key))
        return found

    def _key_in(self, available: dict[str, Any], message: Any) -> str | None:
        here = self.resolved.origin(message, Location(""))
        for key, candidate in available.items():
            if candidate is message:
                return key
            there = self.resolved.origin(candidate, Location(""))
            if here.file and here == there:
                return key
        return None

    def _reply_only_messages(self, operations: dict[str, Any],
                             channels: dict[str, Any]) -> set[tuple[str, str]]:
        """(channel id, message key) of messages that only replies use: ack shapes."""
        in_replies: set[tuple[str, str]] = set()
        in_operations: set[tuple[str, str]] = set()
        for raw in operations.values():
            if not isinstance(raw, dict):
                continue
            for target, source in ((in_operations, raw), (in_replies, raw.get("reply"))):
                if not isinstance(source, dict) or not isinstance(source.get("messages"), list):
                    continue
                for message in source["messages"]:
                    for channel_id, channel in channels.items():
                        messages = channel.get("messages") if isinstance(channel, dict) else None
                        if not isinstance(messages, dict):
                            continue
                        key = self._key_in(messages, message)
                        if key is not None:
                            target.add((channel_id, key))
        return in_replies - in_operations

    def _message(self, raw: Any, at: Location, key: str, operation: dict[str, Any],
                 operation_at: Location, channel_id: str, channel: dict[str, Any],
                 action: str) -> Message | None:
        if not isinstance(raw, dict):
            self.problems.add(at, "a message must be a Message Object")
            return None
        message = apply_traits_v3(raw)
        name = message.get("name") if isinstance(message.get("name"), str) else None
        event = name or key
        handler = operation.get("x-handler", message.get("x-handler"))
        handler_at = operation_at.child("x-handler") if "x-handler" in operation else at
        if handler is not None and not text(handler):
            self.problems.add(handler_at, "x-handler must be a dotted path string")
            handler = None
        if action == "receive" and self.require_handlers and handler is None:
            self.problems.add(operation_at, f"event {event!r} is received from clients but has "
                                            "no x-handler (on the operation or its message)")
        ack = self._reply(operation, operation_at, channel_id, channel, message, at)
        security_at = operation_at.child("security")
        parsed = Message(
            event=event,
            payload=self._payload(message, at),
            ack=ack,
            handler=handler,
            location=at,
            document=message,
            rate_limits=read_rate_limits(self.resolved, self.problems,
                                         (operation, operation_at), (message, at)),
        )
        if "security" in operation:
            parsed = replace(parsed, security=self.security(operation["security"], security_at))
        return parsed

    def _payload(self, message: dict[str, Any], at: Location) -> Arguments:
        payload = message.get("payload")
        payload_at = self.resolved.locate(at, "payload", payload)
        if payload is None:
            return Arguments(None, payload_at)
        if isinstance(payload, dict) and "schemaFormat" in payload:
            schema_format = str(payload.get("schemaFormat"))
            if not SCHEMA_FORMATS.match(schema_format):
                self.problems.add(payload_at.child("schemaFormat"),
                                  f"schemaFormat {schema_format!r} is not supported: payloads "
                                  "must be JSON Schema or AsyncAPI Schema Objects")
                return Arguments(None, payload_at)
            payload = payload.get("schema")
            payload_at = self.resolved.locate(payload_at, "schema", payload)
        if not isinstance(payload, (dict, bool)):
            self.problems.add(payload_at, "payload must be a schema")
            return Arguments(None, payload_at)
        return Arguments(payload, payload_at)

    def _reply(self, operation: dict[str, Any], operation_at: Location, channel_id: str,
               channel: dict[str, Any], message: dict[str, Any],
               message_at: Location) -> Arguments | None:
        """The ack schema: the reply's message, else the reply channel's; ``x-ack`` as alias."""
        alias = read_ack(self.resolved, message, message_at, self.problems)
        reply = operation.get("reply")
        if reply is None:
            return alias
        reply_at = self.resolved.locate(operation_at, "reply", reply)
        if not isinstance(reply, dict):
            self.problems.add(reply_at, "reply must be an Operation Reply Object")
            return alias
        if alias is not None:
            self.problems.add(message_at.child("x-ack"), "this message's operation has a reply: "
                                                         "give the ack there, not in x-ack too")
        reply_channel = reply.get("channel")
        candidates = reply.get("messages")
        if reply_channel is not None:
            reply_id = self._channel_id(reply_channel, reply_at.child("channel"))
            if reply_id is None:
                return None
            other_address = reply_channel.get("address")
            if other_address is not None and other_address != channel.get("address"):
                if "address" in reply:
                    self.problems.add(reply_at.child("address"),
                                      "a reply cannot have an address when its channel has one "
                                      f"(channel {reply_id!r} has address {other_address!r})")
                else:
                    self.problems.add(reply_at.child("channel"),
                                      "a Socket.IO ack travels back on the event's own namespace: "
                                      f"reply channel {reply_id!r} has another address")
                return None
            if candidates is None:
                candidates = list((reply_channel.get("messages") or {}).values())
        elif candidates is None:
            self.problems.add(reply_at, "a reply needs messages or a channel: the ack's shape")
            return None
        if not isinstance(candidates, list) or not candidates:
            self.problems.add(reply_at, "the reply names no message: the ack has no shape")
            return None
        shapes = []
        for index, ack in enumerate(candidates):
            ack_at = self.resolved.locate(reply_at.child("messages"), index, ack)
            if not isinstance(ack, dict):
                self.problems.add(ack_at, "a reply message must be a Message Object")
                return None
            shapes.append(self._payload(apply_traits_v3(ack), ack_at))
        if len(shapes) == 1:
            return shapes[0]
        return _any_of(shapes, reply_at, self.problems)


def _any_of(shapes: list[Arguments], at: Location, problems: Problems) -> Arguments | None:
    """Several reply messages: the ack is one argument matching any of their payloads."""
    if any(shape.schema is None or shape.arity is not Arity.ONE for shape in shapes):
        problems.add(at, "a reply with several messages is an ack of one argument matching any "
                         "of them: each needs a payload that is not a tuple")
        return None
    return Arguments({"anyOf": [shape.schema for shape in shapes]}, at)
