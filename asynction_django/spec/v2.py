"""AsyncAPI 2.0-2.6 documents into the normalised model."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .documents import Location, ResolvedDocument
from .model import DocumentParts, Message, Namespace, Requirements
from .pointers import unescape_token
from .problems import Problems
from .rate_limits import read_rate_limits
from .reading import (
    SCHEMA_FORMATS,
    check_channel_requirements,
    check_namespace_name,
    check_requirement_list,
    read_ack,
    read_arguments,
    read_channel_handlers,
    read_handshake,
    requirements,
    security_schemes,
    text,
)
from .servers import read_servers, substitute_variables
from .traits import apply_traits_v2

SUPPORTED = re.compile(r"^2\.[0-6]\.\d+$")


def read_v2(resolved: ResolvedDocument, problems: Problems,
            require_handlers: bool) -> DocumentParts:
    """A 2.x document's namespaces, servers and security schemes."""
    schemes, locations = security_schemes(resolved)
    servers = read_servers(resolved, problems, server_address)
    for server in servers.values():
        written = server.location
        raw = resolved.tree["servers"][server.name]
        if "security" in raw:
            check_requirement_list(raw["security"],
                                   resolved.locate(written, "security", raw["security"]),
                                   schemes, problems)
    check_channel_requirements(resolved, problems, schemes, ("publish", "subscribe"))
    return DocumentParts(read_namespaces(resolved, problems, require_handlers), servers,
                         schemes, locations)


def server_address(server: Any, at: Location,
                   problems: Problems) -> tuple[str, str, Requirements | None] | None:
    """A 2.x server: its ``url`` (variables substituted) and its requirement list."""
    if not isinstance(server, dict) or not isinstance(server.get("url"), str):
        problems.add(at, "a server needs a url")
        return None
    path = substitute_variables(server["url"], server, at.child("url"), problems)
    return server["url"], path, requirements(server.get("security"))


def read_namespaces(
    resolved: ResolvedDocument, problems: Problems, require_handlers: bool
) -> dict[str, Namespace]:
    doc = resolved.tree
    channels = doc.get("channels")
    where = resolved.locate(resolved.root, "channels", channels)
    if not isinstance(channels, dict):
        problems.add(where, "channels must be a mapping of namespace names to channels")
        return {}
    namespaces = {}
    for name, channel in channels.items():
        location = resolved.locate(where, name, channel)
        if not isinstance(channel, dict):
            problems.add(location, "a channel must be a mapping")
            continue
        if check_namespace_name(name, location, problems):
            namespaces[name] = _read_channel(resolved, name, channel, location, problems,
                                             require_handlers)
    return namespaces


def _read_channel(resolved: ResolvedDocument, name: str, channel: dict[str, Any],
                  location: Location, problems: Problems,
                  require_handlers: bool) -> Namespace:
    handlers = channel.get("x-handlers")
    handlers = read_channel_handlers(handlers, resolved.locate(location, "x-handlers", handlers),
                                     problems)
    received = _read_operation(resolved, channel, "publish", location, problems,
                               require_handlers)
    sent = _read_operation(resolved, channel, "subscribe", location, problems, False)
    return Namespace(
        name=name,
        received=received,
        sent=sent,
        connect_handler=handlers.get("connect"),
        disconnect_handler=handlers.get("disconnect"),
        error_handler=handlers.get("error"),
        handshake=read_handshake(resolved, channel.get("bindings"), location, problems),
        location=location,
        document=channel,
        security=requirements(channel.get("x-security")),
        rate_limits=read_rate_limits(resolved, problems, (channel, location)),
    )


def _read_operation(resolved: ResolvedDocument, channel: dict[str, Any], key: str,
                    channel_at: Location, problems: Problems,
                    require_handlers: bool) -> dict[str, Message]:
    operation = channel.get(key)
    if operation is None:
        return {}
    at = resolved.locate(channel_at, key, operation)
    if not isinstance(operation, dict):
        problems.add(at, f"{key} must be an Operation Object")
        return {}
    operation = apply_traits_v2(operation)
    message = operation.get("message")
    if message is None:
        return {}
    message_at = resolved.locate(at, "message", message)
    if isinstance(message, dict) and isinstance(message.get("oneOf"), list):
        candidates = [
            (item, resolved.locate(message_at.child("oneOf"), index, item))
            for index, item in enumerate(message["oneOf"])
        ]
    else:
        candidates = [(message, message_at)]
    messages: dict[str, Message] = {}
    for raw, location in candidates:
        parsed = read_message(resolved, raw, location, problems, sent=key == "subscribe")
        if parsed is None:
            continue
        if parsed.event in messages:
            problems.add(location, f"event {parsed.event!r} is defined twice in this operation")
            continue
        if require_handlers and parsed.handler is None:
            problems.add(location, f"event {parsed.event!r} is sent by clients (publish) but has "
                                   "no x-handler")
        if "security" in operation:
            parsed = replace(parsed, security=requirements(operation["security"]))
        messages[parsed.event] = parsed
    return messages


def event_name(
    resolved: ResolvedDocument, message: dict[str, Any], location: Location
) -> str | None:
    """The Socket.IO event name: ``name``, else ``messageId``, else the components key."""
    for key in ("name", "messageId"):
        value = message.get(key)
        if isinstance(value, str) and value:
            return value
    origin = resolved.origin(message, location).pointer
    match = re.fullmatch(r"/components/messages/([^/]+)", origin)
    return unescape_token(match.group(1)) if match else None


def read_message(resolved: ResolvedDocument, raw: Any, location: Location, problems: Problems,
                 sent: bool = False) -> Message | None:
    """``sent``: the server emits it (subscribe), so without a name it is only left out."""
    if not isinstance(raw, dict):
        problems.add(location, "a message must be a Message Object")
        return None
    message = apply_traits_v2(raw)
    name = event_name(resolved, message, location)
    if name is None and sent:
        problems.warn(location, "the message has no name (the Socket.IO event name), so it "
                                "cannot be emitted; add `name` or `messageId`")
        return None
    if name is None:
        problems.add(location, "the message has no name (the Socket.IO event name); "
                               "add `name` or `messageId`")
        return None
    schema_format = message.get("schemaFormat")
    if schema_format is not None and not SCHEMA_FORMATS.match(str(schema_format)):
        problems.add(location.child("schemaFormat"),
                     f"schemaFormat {schema_format!r} is not supported: payloads must be "
                     "JSON Schema or AsyncAPI Schema Objects")
    handler = message.get("x-handler")
    if handler is not None and not text(handler):
        problems.add(location.child("x-handler"), "x-handler must be a dotted path string")
        handler = None
    return Message(
        event=name,
        payload=read_arguments(resolved, message, "payload", location, problems),
        ack=read_ack(resolved, message, location, problems),
        handler=handler,
        location=location,
        document=message,
        rate_limits=read_rate_limits(resolved, problems, (message, location)),
    )


