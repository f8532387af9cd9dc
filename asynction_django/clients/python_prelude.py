"""The fixed part of every generated Python client: imports, the error a refused event
raises, and the helpers its methods share (kept apart from the renderer, as text)."""

PRELUDE = '''\
from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import %(typing)s

import socketio  # type: ignore[import-untyped, unused-ignore]

SOCKETIO_PATH = %(path)s
"""The Socket.IO path of the server this module was generated for."""


class ErrorDetail(TypedDict):
    pointer: str
    message: str
    keyword: str


class ServerError(Exception):
    """The server answered with its error reply instead of the event's ack."""

    def __init__(self, kind: str, message: str, errors: list[ErrorDetail]) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind, self.message, self.errors = kind, message, errors


class _Unset:
    """An optional argument left out (None would be sent, as null)."""


_UNSET = _Unset()


def _unless_error(value: Any) -> Any:
    """``value``, unless it is the server's error reply: then ServerError is raised."""
    if isinstance(value, dict) and set(value) == {"error"} and isinstance(value["error"], dict):
        error = value["error"]
        raise ServerError(str(error.get("type")), str(error.get("message", "")),
                          list(error.get("errors") or []))
    return value


def _given(*args: Any) -> tuple[Any, ...]:
    """The arguments up to the first one left out."""
    given = []
    for arg in args:
        if arg is _UNSET:
            break
        given.append(arg)
    return tuple(given)


async def _call_all(client: Any, event: str, args: tuple[Any, ...], namespace: str,
                    timeout: float) -> tuple[Any, ...]:
    """Emit and wait for every ack argument: AsyncClient.call folds several into one list,
    and one list argument would be indistinguishable."""
    answer: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def arrived(*values: Any) -> None:
        if not answer.done():
            answer.set_result(values)

    await client.emit(event, args, namespace=namespace, callback=arrived)
    try:
        values = await asyncio.wait_for(answer, timeout)
    except asyncio.TimeoutError:
        raise socketio.exceptions.TimeoutError() from None
    if len(values) == 1:
        _unless_error(values[0])
    return values


def _handler(handler: Callable[..., Any],
             most: int | None) -> Callable[..., Awaitable[Any]]:
    """python-socketio awaits only coroutine functions: await whatever ``handler`` returns.

    A server with connection state recovery adds an offset (a string) after an event's
    arguments; python-socketio's client does not strip it, so past the ``most`` arguments
    the spec allows, it is dropped here.
    """
    async def run(*args: Any) -> Any:
        if most is not None and len(args) == most + 1 and isinstance(args[-1], str):
            args = args[:-1]
        result = handler(*args)
        return await result if inspect.isawaitable(result) else result
    return run
'''
