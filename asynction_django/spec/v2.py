"""AsyncAPI 2.0-2.6 documents into the normalised model."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .documents import Location, ResolvedDocument
from .model import Arguments, Handshake, Message, Namespace
from .pointers import unescape_token
from .problems import Problems
from .traits import apply_traits_v2

SUPPORTED = re.compile(r"^2\.[0-6]\.\d+$")
CHANNEL_HANDLERS = ("connect", "disconnect", "error")
SCHEMA_FORMATS = re.compile(
    r"^application/(schema\+json|schema\+yaml|vnd\.aai\.asyncapi(\+json|\+yaml)?)(;version=.*)?$"
)


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


def check_namespace_name(name: str, location: Location, problems: Problems) -> bool:
    if not name.startswith("/"):
        problems.add(location, f"channel {name!r} is not a Socket.IO namespace: "
                               "it must start with '/'")
    elif "?" in name or "#" in name:
        problems.add(location, f"channel {name!r} has a query or fragment; "
                               "query parameters belong in the channel's ws bindings")
    elif "{" in name:
        problems.add(location, f"channel {name!r} has parameters; "
                               "Socket.IO namespaces with parameters are not supported")
    else:
        return True
    return False


def _read_channel(resolved, name, channel, location, problems, require_handlers) -> Namespace:
    handlers = channel.get("x-handlers") or {}
    handlers_at = resolved.locate(location, "x-handlers", handlers)
    if not isinstance(handlers, dict):
        problems.add(handlers_at, "x-handlers must be a mapping with connect, disconnect and error")
        handlers = {}
    for key, value in handlers.items():
        if key not in CHANNEL_HANDLERS:
            problems.add(handlers_at.child(key),
                         f"unknown handler {key!r}: expected one of {', '.join(CHANNEL_HANDLERS)}")
        elif not isinstance(value, str) or not value:
            problems.add(handlers_at.child(key), "a handler must be a dotted path string")
    received = _read_operation(resolved, channel, "publish", location, problems,
                               require_handlers)
    sent = _read_operation(resolved, channel, "subscribe", location, problems, False)
    return Namespace(
        name=name,
        received=received,
        sent=sent,
        connect_handler=_string(handlers.get("connect")),
        disconnect_handler=_string(handlers.get("disconnect")),
        error_handler=_string(handlers.get("error")),
        handshake=read_handshake(resolved, channel.get("bindings"), location, problems),
        location=location,
        document=channel,
        security=requirements(channel.get("x-security")),
    )


def requirements(value: Any) -> list[dict[str, list[str]]] | None:
    """A Security Requirement list as the model keeps it (shape problems: spec/security.py)."""
    if not isinstance(value, list):
        return None
    return [
        {name: list(scopes) if isinstance(scopes, list) else [] for name, scopes in item.items()}
        for item in value
        if isinstance(item, dict)
    ]


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _read_operation(resolved, channel, key, channel_at, problems, require_handlers):
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
        if isinstance(message.get(key), str) and message[key]:
            return message[key]
    origin = resolved.origin(message, location).pointer
    match = re.fullmatch(r"/components/messages/([^/]+)", origin)
    return unescape_token(match.group(1)) if match else None


def read_message(resolved, raw, location, problems, sent=False) -> Message | None:
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
    if handler is not None and not _string(handler):
        problems.add(location.child("x-handler"), "x-handler must be a dotted path string")
        handler = None
    return Message(
        event=name,
        payload=read_arguments(resolved, message, "payload", location, problems),
        ack=read_ack(resolved, message, location, problems),
        handler=handler,
        location=location,
        document=message,
    )


def read_arguments(resolved, parent, key, parent_at, problems) -> Arguments:
    schema = parent.get(key)
    at = resolved.locate(parent_at, key, schema)
    if schema is not None and not isinstance(schema, (dict, bool)):
        problems.add(at, f"{key} must be a schema")
        schema = None
    return Arguments(schema, at)


def read_ack(resolved, message, location, problems) -> Arguments | None:
    """``x-ack: {args: schema}`` (asynction) or a bare schema (sio-asyncapi)."""
    ack = message.get("x-ack")
    if ack is None:
        return None
    at = resolved.locate(location, "x-ack", ack)
    if not isinstance(ack, dict):
        problems.add(at, "x-ack must be {args: <schema>} or a schema")
        return None
    if "args" in ack:
        return read_arguments(resolved, ack, "args", at, problems)
    return Arguments(ack, at)


def read_handshake(resolved, bindings, channel_at, problems) -> Handshake:
    if not isinstance(bindings, dict) or "ws" not in bindings:
        return Handshake()
    bindings_at = resolved.locate(channel_at, "bindings", bindings)
    ws = bindings["ws"]
    ws_at = resolved.locate(bindings_at, "ws", ws)
    if not isinstance(ws, dict):
        problems.add(ws_at, "the ws binding must be a mapping")
        return Handshake()
    method = ws.get("method")
    if method is not None and method not in ("GET", "POST"):
        problems.add(ws_at.child("method"), "method must be GET or POST")
        method = None
    query = read_arguments(resolved, ws, "query", ws_at, problems) if "query" in ws else None
    headers = read_arguments(resolved, ws, "headers", ws_at, problems) if "headers" in ws else None
    return Handshake(query=query, headers=headers, method=method)
