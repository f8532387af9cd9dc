"""Structural checks of security requirements (enforcement lives in asynction_django.security)."""

from __future__ import annotations

from typing import Any

from .documents import Location, ResolvedDocument
from .problems import Problems


def check_requirements(
    resolved: ResolvedDocument, problems: Problems, channels_only: bool = False
) -> None:
    """Every requirement, wherever it stands, must name defined security schemes.

    In 3.x documents only the channels' ``x-security`` lists requirements; servers and
    operations list Security Scheme objects (read by the 3.x reader).
    """
    doc = resolved.tree
    components = doc.get("components") if isinstance(doc.get("components"), dict) else {}
    schemes = components.get("securitySchemes") or {}
    servers = {} if channels_only else doc.get("servers")
    servers = servers if isinstance(servers, dict) else {}
    servers_at = resolved.locate(resolved.root, "servers", servers)
    for name, server in servers.items():
        if isinstance(server, dict) and "security" in server:
            at = resolved.locate(servers_at, name, server)
            _check_list(server["security"], resolved.locate(at, "security", server["security"]),
                        schemes, problems)
    channels = doc.get("channels") if isinstance(doc.get("channels"), dict) else {}
    channels_at = resolved.locate(resolved.root, "channels", channels)
    for name, channel in channels.items():
        if not isinstance(channel, dict):
            continue
        at = resolved.locate(channels_at, name, channel)
        if "x-security" in channel:
            _check_list(channel["x-security"],
                        resolved.locate(at, "x-security", channel["x-security"]), schemes, problems)
        for key in () if channels_only else ("publish", "subscribe"):
            operation = channel.get(key)
            if isinstance(operation, dict) and "security" in operation:
                op_at = resolved.locate(at, key, operation)
                _check_list(operation["security"],
                            resolved.locate(op_at, "security", operation["security"]),
                            schemes, problems)


def _check_list(requirements: Any, at: Location, schemes: Any, problems: Problems) -> None:
    if not isinstance(requirements, list):
        problems.add(at, "security must be a list of Security Requirement Objects")
        return
    for index, requirement in enumerate(requirements):
        if not isinstance(requirement, dict):
            problems.add(at.child(index), "a security requirement must be a mapping")
            continue
        for scheme in requirement:
            if not isinstance(schemes, dict) or scheme not in schemes:
                problems.add(at.child(index).child(scheme),
                             f"security scheme {scheme!r} is not defined in "
                             "components.securitySchemes")
