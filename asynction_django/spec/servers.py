"""Servers: which one is used, and the Socket.IO path its url gives."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .documents import Location, ResolvedDocument
from .model import Requirements, Server
from .problems import Problems
from .v2 import requirements

DEFAULT_SOCKETIO_PATH = "socket.io"
VARIABLE = re.compile(r"{([^{}]+)}")


SecurityReader = Callable[[Any, Location], Requirements | None]


def read_servers(
    resolved: ResolvedDocument, problems: Problems, security_v3: SecurityReader | None = None
) -> dict[str, Server]:
    """2.x servers (``url``), or 3.x ones (``host`` + ``pathname``) given their security reader."""
    servers = resolved.tree.get("servers") or {}
    where = resolved.locate(resolved.root, "servers", servers)
    if not isinstance(servers, dict):
        problems.add(where, "servers must be a mapping of names to Server Objects")
        return {}
    result = {}
    for name, server in servers.items():
        at = resolved.locate(where, name, server)
        key = "host" if security_v3 else "url"
        if not isinstance(server, dict) or not isinstance(server.get(key), str):
            problems.add(at, f"a server needs a {key}")
            continue
        if security_v3:
            written = server["host"] + str(server.get("pathname") or "")
            path = _substitute_variables(str(server.get("pathname") or ""), server,
                                         at.child("pathname"), problems)
            _substitute_variables(server["host"], server, at.child("host"), problems)
            security = security_v3(server.get("security"), at.child("security"))
        else:
            written = server["url"]
            path = _substitute_variables(written, server, at.child("url"), problems)
            security = requirements(server.get("security"))
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


def _substitute_variables(text: str, server: dict, at: Location, problems: Problems) -> str:
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
