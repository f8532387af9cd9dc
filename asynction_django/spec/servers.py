"""Servers: which one is used, and the Socket.IO path its url gives."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .documents import Location, ResolvedDocument
from .model import Requirements, Server
from .problems import Problems

DEFAULT_SOCKETIO_PATH = "socket.io"
VARIABLE = re.compile(r"{([^{}]+)}")


# A version's reading of one server: what was written, the path to serve (variables
# substituted) and its security; None (with a problem added) when it has neither.
AddressReader = Callable[[Any, Location, Problems], tuple[str, str, Requirements | None] | None]


def read_servers(resolved: ResolvedDocument, problems: Problems,
                 address: AddressReader) -> dict[str, Server]:
    """The document's servers, each read by its version's ``address`` reader."""
    servers = resolved.tree.get("servers") or {}
    where = resolved.locate(resolved.root, "servers", servers)
    if not isinstance(servers, dict):
        problems.add(where, "servers must be a mapping of names to Server Objects")
        return {}
    result = {}
    for name, server in servers.items():
        at = resolved.locate(where, name, server)
        found = address(server, at, problems)
        if found is None:
            continue
        written, path, security = found
        result[name] = Server(
            name=name,
            url=written,
            protocol=str(server.get("protocol", "")),
            socketio_path=socketio_path_from_url(path),
            location=at,
            security=security,
            description=str(server.get("description") or ""),
        )
    return result


def substitute_variables(text: str, server: dict[str, Any], at: Location,
                         problems: Problems) -> str:
    variables = server.get("variables") or {}

    def value_of(match: re.Match[str]) -> str:
        variable = variables.get(match.group(1)) if isinstance(variables, dict) else None
        if not isinstance(variable, dict):
            problems.add(at, f"server variable {match.group(1)!r} is not defined")
            return ""
        default = variable.get("default")
        if default is None:
            enum = variable.get("enum") or [""]
            default = enum[0]
        return str(default)

    return VARIABLE.sub(value_of, text)


def socketio_path_from_url(url: str) -> str:
    """``wss://host/api/socket.io`` and ``host/api/socket.io`` both give ``api/socket.io``."""
    parsed = urlsplit(url if "://" in url else f"//{url}")
    path = parsed.path.strip("/")
    return path or DEFAULT_SOCKETIO_PATH
