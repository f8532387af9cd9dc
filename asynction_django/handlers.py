"""Importing the callables the spec names and calling them the same way, sync or async."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import iscoroutinefunction
from channels.db import database_sync_to_async
from django.utils.module_loading import import_string

from .exceptions import ErrorDetail, HandlerImportError, PayloadValidationError


def import_callable(path: str) -> Callable[..., Any]:
    try:
        target: Callable[..., Any] = import_string(path)
    except ImportError as exc:
        raise HandlerImportError(f"cannot import {path!r}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - the module itself failed; say so, don't crash checks
        raise HandlerImportError(
            f"importing {path!r} raised {type(exc).__name__}: {exc}"
        ) from exc
    if not callable(target):
        raise HandlerImportError(f"{path!r} is not callable")
    return target


def positional_range(function: Callable[..., Any]) -> tuple[int, int | None]:
    """How many positional arguments ``function`` requires, and accepts at most (None: any)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 0, None
    required, accepted = 0, 0
    for parameter in parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            return required, None
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            accepted += 1
            required += parameter.default is parameter.empty
    return required, accepted


def counted(fewest: int, most: int | None) -> str:
    """A range of argument counts in words (``most`` None: no upper bound)."""
    if most is None:
        return "any number of arguments" if fewest == 0 else f"{fewest} or more arguments"
    if most == 0:
        return "no arguments"
    if fewest == most:
        return f"exactly {most} argument{'s' if most != 1 else ''}"
    return f"{fewest} to {most} arguments"


@dataclass(frozen=True)
class Takes:
    """How many arguments an event handler takes after ``sid``, read once from its signature.

    The schema says what a client may send; the signature says what a call can carry
    without a TypeError. The two may differ: asynction writes a tuple as ``prefixItems``
    alone, which as JSON Schema lets any number of arguments through, and its handlers
    take exactly the tuple's items. The signature is the last word: a call it cannot take
    is refused like an invalid payload, before the handler runs, instead of raising inside
    python-socketio or losing arguments.
    """

    fewest: int
    most: int | None  # None: any number (``*args``)

    @classmethod
    def of(cls, function: Callable[..., Any]) -> Takes | None:
        """None when ``function`` cannot take even ``sid``."""
        required, accepted = positional_range(function)
        if accepted == 0:
            return None
        return cls(max(required - 1, 0), None if accepted is None else accepted - 1)

    def __str__(self) -> str:
        return counted(self.fewest, self.most)

    def admits(self, count: int) -> bool:
        return self.fewest <= count and (self.most is None or count <= self.most)

    def disjoint(self, fewest: int, most: int | None) -> bool:
        """Whether no count from ``fewest`` to ``most`` (None: unbounded) can be taken."""
        return ((self.most is not None and fewest > self.most)
                or (most is not None and self.fewest > most))

    def check(self, event: str, args: tuple[Any, ...]) -> None:
        """Raise the PayloadValidationError of an event whose arguments cannot be taken."""
        count = len(args)
        if self.admits(count):
            return
        keyword = "minItems" if count < self.fewest else "maxItems"
        raise PayloadValidationError(f"event {event!r} takes {self}, got {count}",
                                     [ErrorDetail("", f"expected {self}, got {count}", keyword)])


def _keywords(function: Callable[..., Any], optional: tuple[str, ...]) -> frozenset[str]:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return frozenset()
    takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    return frozenset(name for name in optional if takes_any or name in parameters)


class Handler:
    """A user callable (handler, info function, scope validator), awaited the same way
    whether it is sync or async.

    Sync callables run in a worker thread through Channels' ``database_sync_to_async``
    (stale database connections closed around each call, as Django does per request),
    never on the event loop, so they may block and use the ORM. What is worked out from
    the signature is worked out once, here:

    - ``max_args``: optional trailing arguments (``environ``, ``auth``, ``reason``) are
      passed only to callables that declare them (connect, disconnect, error handlers);
    - ``keywords``: optional keyword arguments passed only if declared (info functions'
      ``required_scopes``, ``scope``; scope validators' ``info``).
    """

    def __init__(self, function: Callable[..., Any], path: str, max_args: int | None = None,
                 keywords: tuple[str, ...] = ()):
        self.function = function
        self.path = path
        self.arg_count = None
        if max_args is not None:
            accepted = positional_range(function)[1]
            self.arg_count = max_args if accepted is None else min(accepted, max_args)
        self.keywords = _keywords(function, keywords)
        if iscoroutinefunction(function) or iscoroutinefunction(
            getattr(function, "__call__", None)  # noqa: B004 - async callable objects
        ):
            self._call = function
        else:
            self._call = database_sync_to_async(function, thread_sensitive=False)

    async def __call__(self, *args: Any, **optional: Any) -> Any:
        if self.arg_count is not None:
            args = args[: self.arg_count]
        if optional:
            optional = {name: value for name, value in optional.items() if name in self.keywords}
        return await self._call(*args, **optional)

    def __repr__(self) -> str:
        return f"<Handler {self.path}>"
