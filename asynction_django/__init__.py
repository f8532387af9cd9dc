"""Spec-first Socket.IO APIs for Django, driven by an AsyncAPI document.

The public API: ``emit``/``aemit`` to send validated events from Django code,
``presence``/``apresence`` to read who is in a room (``x-presence``), ``get_server`` for
the spec-aware ``socketio.AsyncServer``, and the exceptions.

Where things live: a folder per family (``spec/`` reads documents, ``server/`` is the
protocol path, ``recovery/``, ``presences/``, ``queues/``, ``apidocs/``, ``clients/``,
``mock/``, ``admin_ui/``, ``testing/``), and at the top the roles every Django app has
(``apps``, ``conf``, ``checks``, ``urls``, ``asgi``) and the pieces the families share (``building``
assembles the server, ``runtime`` keeps it, ``validation``, ``security``, ``handlers``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import (
    AckValidationError,
    AsynctionError,
    HandlerError,
    HandlerTimeout,
    HandshakeValidationError,
    PayloadValidationError,
    RateLimited,
    SecurityError,
    SpecError,
    SpecProblem,
    UnknownEventError,
    ValidationError,
)

if TYPE_CHECKING:
    from .presences import Member
    from .runtime import aemit, apresence, emit, get_connection, get_server, presence
    from .server import Connection

__all__ = [
    "AckValidationError", "AsynctionError", "HandlerError", "HandlerTimeout",
    "HandshakeValidationError",
    "PayloadValidationError", "RateLimited", "SecurityError", "SpecError", "SpecProblem",
    "UnknownEventError", "ValidationError", "aemit", "emit", "get_server",
    "Connection", "get_connection", "Member", "apresence", "presence",
]

_LAZY = {
    "aemit": "runtime", "emit": "runtime", "get_server": "runtime",
    "Connection": "server.connections", "get_connection": "runtime",
    "Member": "presences", "apresence": "runtime", "presence": "runtime",
}


def __getattr__(name: str) -> Any:
    # The runtime needs configured settings; importing it lazily keeps
    # ``import asynction_django`` safe before Django is set up.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
