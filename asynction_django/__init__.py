"""Spec-first Socket.IO APIs for Django, driven by an AsyncAPI document.

The public API: ``emit``/``aemit`` to send validated events from Django code,
``get_server`` for the spec-aware ``socketio.AsyncServer``, and the exceptions.
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
    SecurityError,
    SpecError,
    SpecProblem,
    UnknownEventError,
    ValidationError,
)

if TYPE_CHECKING:
    from .connections import Connection
    from .runtime import aemit, emit, get_connection, get_server

__all__ = [
    "AckValidationError", "AsynctionError", "HandlerError", "HandlerTimeout",
    "HandshakeValidationError",
    "PayloadValidationError", "SecurityError", "SpecError", "SpecProblem",
    "UnknownEventError", "ValidationError", "aemit", "emit", "get_server",
    "Connection", "get_connection",
]

_LAZY = {
    "aemit": "runtime", "emit": "runtime", "get_server": "runtime",
    "Connection": "connections", "get_connection": "runtime",
}


def __getattr__(name: str) -> Any:
    # The runtime needs configured settings; importing it lazily keeps
    # ``import asynction_django`` safe before Django is set up.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
