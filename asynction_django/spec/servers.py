"""Servers: which one is used, and the Socket.IO path its url gives."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .documents import Location, ResolvedDocument
from .model import Server
from .problems import Problems
from .v2 import requirements

DEFAULT_SOCKETIO_PATH = "socket.io"
VARIABLE = re.compile(r"{([^{}]+)}")


def read_servers(resolved: ResolvedDocument, problems: Problems) -> dict[str, Server]:
    servers = resolved.tree.get("servers") or {}
    where = resolved.locate(resolved.root, "servers", servers)
    if not isinstance(servers, dict):
        problems.add(where, "servers must be a mapping of names to Server Objects")
        return {}
    result = {}
    for name, server in servers.items():
        at = resolved.locate(where, name, server)
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            problems.add(at, "a server needs a url")
            continue
        url = _substitute_variables(server, at, problems)
        result[name] = Server(
            name=name,
            url=server["url"],
            protocol=str(server.get("protocol", "")),
            socketio_path=socketio_path_from_url(url),
            location=at,
            security=requirements(server.get("security")),
            description=str(server.get("description") or ""),
        )
    return result


def _substitute_variables(server: dict, at: Location, problems: Problems) -> str:
    variables = server.get("variables") or {}

    def value_of(match: re.Match[str]) -> str:
        variable = variables.get(match.group(1)) if isinstance(variables, dict) else None
        if not isinstance(variable, dict):
            problems.add(at.child("url"), f"server variable {match.group(1)!r} is not defined")
            return ""
        default = variable.get("default")
        if default is None:
            enum = variable.get("enum") or [""]
            default = enum[0]
        return str(default)

    return VARIABLE.sub(value_of, server["url"])


def socketio_path_from_url(url: str) -> str:
    """``wss://host/api/socket.io`` and ``host/api/socket.io`` both give ``api/socket.io``."""
    parsed = urlsplit(url if "://" in url else f"//{url}")
    path = parsed.path.strip("/")
    return path or DEFAULT_SOCKETIO_PATH
