"""Importing the callables the spec names and calling them the same way, sync or async."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.db import close_old_connections
from django.utils.module_loading import import_string

from .exceptions import HandlerImportError


def import_callable(path: str) -> Callable[..., Any]:
    try:
        target = import_string(path)
    except ImportError as exc:
        raise HandlerImportError(f"cannot import {path!r}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - the module itself failed; say so, don't crash checks
        raise HandlerImportError(
            f"importing {path!r} raised {type(exc).__name__}: {exc}"
        ) from exc
    if not callable(target):
        raise HandlerImportError(f"{path!r} is not callable")
    return target


def _positional_capacity(function: Callable[..., Any]) -> int | None:
    """How many positional arguments ``function`` accepts; None for ``*args``."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    count = 0
    for parameter in parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            return None
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


def _with_fresh_connections(function: Callable[..., Any]) -> Callable[..., Any]:
    """Sync handlers may use the ORM: drop stale connections around them, as Django does."""

    def call(*args: Any) -> Any:
        close_old_connections()
        try:
            return function(*args)
        finally:
            close_old_connections()

    return call


class Handler:
    """A user callable, awaited the same way whether it is sync or async.

    Sync callables run in a worker thread, never on the event loop, so they may block
    and use the ORM. ``max_args`` lets optional trailing arguments (``environ``,
    ``auth``, ``reason``) be passed only to callables that declare them; it is worked
    out once here, not per call.
    """

    def __init__(self, function: Callable[..., Any], path: str, max_args: int | None = None):
        self.function = function
        self.path = path
        capacity = _positional_capacity(function)
        self.arg_count = max_args if capacity is None else min(capacity, max_args or capacity)
        if iscoroutinefunction(function) or iscoroutinefunction(
            getattr(function, "__call__", None)  # noqa: B004 - async callable objects
        ):
            self._call = function
        else:
            self._call = sync_to_async(_with_fresh_connections(function), thread_sensitive=False)

    async def __call__(self, *args: Any) -> Any:
        if self.arg_count is not None:
            args = args[: self.arg_count]
        return await self._call(*args)

    def __repr__(self) -> str:
        return f"<Handler {self.path}>"
