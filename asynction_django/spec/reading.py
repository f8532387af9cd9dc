"""What the 2.x and 3.x readers share: the parts of a document both versions write alike."""

from __future__ import annotations

import re
from typing import Any

from .documents import Location, ResolvedDocument
from .model import Arguments, Handshake, Requirements
from .problems import Problems

CHANNEL_HANDLERS = ("connect", "disconnect", "error")
# Payload formats a JSON Schema validator can check (Avro, Protobuf, RAML… cannot be).
SCHEMA_FORMATS = re.compile(
    r"^application/(schema\+json|schema\+yaml|vnd\.aai\.asyncapi(\+json|\+yaml)?)(;version=.*)?$"
)


def text(value: Any) -> str | None:
    """``value`` if it is a non-empty string."""
    return value if isinstance(value, str) and value else None


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


def read_channel_handlers(handlers: Any, at: Location, problems: Problems) -> dict[str, str]:
    """A channel's ``x-handlers``: its connect, disconnect and error handlers' dotted paths."""
    if handlers is None:
        return {}
    if not isinstance(handlers, dict):
        problems.add(at, "x-handlers must be a mapping with connect, disconnect and error")
        return {}
    found = {}
    for key, value in handlers.items():
        if key not in CHANNEL_HANDLERS:
            problems.add(at.child(key),
                         f"unknown handler {key!r}: expected one of {', '.join(CHANNEL_HANDLERS)}")
        elif text(value) is None:
            problems.add(at.child(key), "a handler must be a dotted path string")
        else:
            found[key] = value
    return found


def requirements(value: Any) -> Requirements | None:
    """A Security Requirement list as the model keeps it (its shape: check_requirement_list)."""
    if not isinstance(value, list):
        return None
    return [
        {name: list(scopes) if isinstance(scopes, list) else [] for name, scopes in item.items()}
        for item in value
        if isinstance(item, dict)
    ]


def check_requirement_list(value: Any, at: Location, schemes: Any, problems: Problems) -> None:
    """A 2.x-style Security Requirement list must name defined security schemes."""
    if not isinstance(value, list):
        problems.add(at, "security must be a list of Security Requirement Objects")
        return
    for index, requirement in enumerate(value):
        if not isinstance(requirement, dict):
            problems.add(at.child(index), "a security requirement must be a mapping")
            continue
        for scheme in requirement:
            if not isinstance(schemes, dict) or scheme not in schemes:
                problems.add(at.child(index).child(scheme),
                             f"security scheme {scheme!r} is not defined in "
                             "components.securitySchemes")


def check_channel_requirements(resolved: ResolvedDocument, problems: Problems,
                               schemes: Any, operations: tuple[str, ...] = ()) -> None:
    """Each channel's ``x-security`` (and its ``operations``' ``security``) must name
    defined schemes."""
    channels = resolved.tree.get("channels")
    channels = channels if isinstance(channels, dict) else {}
    channels_at = resolved.locate(resolved.root, "channels", channels)
    for name, channel in channels.items():
        if not isinstance(channel, dict):
            continue
        at = resolved.locate(channels_at, name, channel)
        owners = [(channel, at)] + [
            (channel[key], resolved.locate(at, key, channel[key]))
            for key in operations if isinstance(channel.get(key), dict)]
        for owner, owner_at in owners:
            key = "x-security" if owner is channel else "security"
            if key in owner:
                check_requirement_list(owner[key], resolved.locate(owner_at, key, owner[key]),
                                       schemes, problems)


def security_schemes(resolved: ResolvedDocument) -> tuple[dict[str, Any], dict[str, Location]]:
    """``components.securitySchemes``, with where each one is written."""
    components = resolved.tree.get("components")
    defined = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(defined, dict):
        return {}, {}
    at = resolved.root.child("components").child("securitySchemes")
    schemes = {name: scheme for name, scheme in defined.items() if isinstance(scheme, dict)}
    return schemes, {name: at.child(name) for name in schemes}


def read_arguments(resolved: ResolvedDocument, parent: dict[str, Any], key: str,
                   parent_at: Location, problems: Problems) -> Arguments:
    schema = parent.get(key)
    at = resolved.locate(parent_at, key, schema)
    if schema is not None and not isinstance(schema, (dict, bool)):
        problems.add(at, f"{key} must be a schema")
        schema = None
    return Arguments(schema, at)


def read_ack(resolved: ResolvedDocument, message: dict[str, Any], location: Location,
             problems: Problems) -> Arguments | None:
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


def read_handshake(resolved: ResolvedDocument, bindings: Any, channel_at: Location,
                   problems: Problems) -> Handshake:
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
