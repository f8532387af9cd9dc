"""Loading AsyncAPI documents into the normalised model (see ``model``)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from ..exceptions import SpecError, SpecProblem
from .documents import Location, resolve_document
from .model import Arguments, Arity, Handshake, Message, Namespace, Presence, Server, Spec
from .presence import read_presence
from .problems import Problems
from .v2 import SUPPORTED as SUPPORTED_V2
from .v2 import read_v2
from .v3 import SUPPORTED as SUPPORTED_V3
from .v3 import ReaderV3

__all__ = [
    "Arguments", "Arity", "Handshake", "Location", "Message", "Namespace", "Presence",
    "Server", "Spec",
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
    if not isinstance(version, str) or not (SUPPORTED_V3.match(version)
                                            or SUPPORTED_V2.match(version)):
        problems.add(version_at, f"AsyncAPI version {version!r} is not supported: "
                                 "use 2.0.0 to 2.6.0, 3.0.0 or 3.1.0")
        return None, problems
    is_v3 = bool(SUPPORTED_V3.match(version))
    info = doc.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("title"), str):
        problems.add(resolved.locate(resolved.root, "info", info),
                     "info with a title is required")
        info = {}
    read = ReaderV3(resolved, problems, require_handlers).parts if is_v3 else partial(
        read_v2, resolved, problems, require_handlers)
    parts = read()
    spec = Spec(
        version=version,
        title=info.get("title", ""),
        source=resolved.root.file,
        namespaces=read_presence(resolved, parts.namespaces, problems, is_v3),
        servers=parts.servers,
        resolved=resolved,
        security_schemes=parts.security_schemes,
        scheme_locations=parts.scheme_locations,
    )
    return spec, problems


def load_spec(source: str | Path | dict[str, Any], *, require_handlers: bool = True) -> Spec:
    """Load ``source``; raise :class:`SpecError` listing every problem if there are any."""
    spec, problems = inspect_spec(source, require_handlers=require_handlers)
    if problems or spec is None:
        raise SpecError(problems)
    return spec
