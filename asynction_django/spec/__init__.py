"""Loading AsyncAPI documents into the normalised model (see ``model``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..exceptions import SpecError, SpecProblem
from .documents import Location, resolve_document
from .model import Arguments, Arity, Handshake, Message, Namespace, Server, Spec
from .problems import Problems
from .security import check_requirements
from .servers import read_servers
from .v2 import SUPPORTED as SUPPORTED_V2
from .v2 import read_namespaces
from .v3 import SUPPORTED as SUPPORTED_V3
from .v3 import ReaderV3

__all__ = [
    "Arguments", "Arity", "Handshake", "Location", "Message", "Namespace", "Server", "Spec",
    "SpecError", "SpecProblem", "inspect_spec", "load_spec",
]


def inspect_spec(
    source: str | Path | dict[str, Any], *, require_handlers: bool = True
) -> tuple[Spec | None, list[SpecProblem]]:
    """Load ``source`` and report every problem; the spec is None when it cannot be read."""
    resolved = resolve_document(source)
    problems = Problems(resolved.problems)
    doc = resolved.tree
    if doc is None:
        return None, problems
    if not isinstance(doc, dict):
        problems.add(resolved.root, "an AsyncAPI document must be a mapping")
        return None, problems
    version = doc.get("asyncapi")
    version_at = resolved.root.child("asyncapi")
    is_v3 = isinstance(version, str) and bool(SUPPORTED_V3.match(version))
    if not is_v3 and (not isinstance(version, str) or not SUPPORTED_V2.match(version)):
        problems.add(version_at, f"AsyncAPI version {version!r} is not supported: "
                                 "use 2.0.0 to 2.6.0, 3.0.0 or 3.1.0")
        return None, problems
    info = doc.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("title"), str):
        problems.add(resolved.locate(resolved.root, "info", info),
                     "info with a title is required")
        info = {}
    if is_v3:
        reader = ReaderV3(resolved, problems, require_handlers)
        namespaces = reader.namespaces()
        servers = read_servers(resolved, problems, reader.security)
        check_requirements(resolved, problems, channels_only=True)
        schemes, scheme_locations = reader.schemes, reader.scheme_locations
    else:
        namespaces = read_namespaces(resolved, problems, require_handlers)
        servers = read_servers(resolved, problems)
        check_requirements(resolved, problems)
        schemes = _security_schemes(doc)
        at = resolved.root.child("components").child("securitySchemes")
        scheme_locations = {name: at.child(name) for name in schemes}
    spec = Spec(
        version=version,
        title=info.get("title", ""),
        source=resolved.root.file,
        namespaces=namespaces,
        servers=servers,
        resolved=resolved,
        security_schemes=schemes,
        scheme_locations=scheme_locations,
    )
    return spec, problems


def _security_schemes(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    components = doc.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict):
        return {}
    return {name: scheme for name, scheme in schemes.items() if isinstance(scheme, dict)}


def load_spec(source: str | Path | dict[str, Any], *, require_handlers: bool = True) -> Spec:
    """Load ``source``; raise :class:`SpecError` listing every problem if there are any."""
    spec, problems = inspect_spec(source, require_handlers=require_handlers)
    if problems or spec is None:
        raise SpecError(problems)
    return spec
