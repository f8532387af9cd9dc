"""Sync handlers take turns, so that one connection's flood cannot hold back the others.

Sync callables run in worker threads. A plain thread pool starts calls first come, first
served: a connection with 64 events in flight (``ASYNCTION_MAX_EVENTS_IN_FLIGHT``) puts 64
calls in line ahead of whatever another client sends next, and that client waits for all of
them. Here each connection has a line of its own and at most two calls running; a free
worker takes the next call of the connection with the fewest running (between equals, the
one that has waited longest since its last turn). Two, not one, so that one slow handler
does not hold up its connection's other events; not more, so that one connection's
CPU-bound handlers cannot take the GIL from the event loop and everyone else. Within a
connection, calls start in the order they came. Why this design: docs/fairness.md.
"""

from __future__ import annotations

import contextvars
import functools
import itertools
import os
import threading
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

SHARE = 2  # calls of one connection running at once
# Whose calls these are: the Engine.IO connection an event came on (set per event by the
# namespace); None for calls made outside any connection, which share one line.
_client: contextvars.ContextVar[Hashable] = contextvars.ContextVar("asynction_client",
                                                                   default=None)
# True inside a call this pool runs: what it calls back into (async_to_sync carries the
# context over) is waited for by a worker, so it must not wait for its connection's turn.
_nested: contextvars.ContextVar[bool] = contextvars.ContextVar("asynction_nested",
                                                               default=False)
_NESTED = object()  # the line of nested calls: served first, never capped
_NOBODY = object()  # no client has a call it may start


class calls_of:  # noqa: N801 - a context manager, named as contextlib's are
    """Within this block, sync calls wait in ``client``'s line.

    A class, not a generator: it is entered for every event, and a generator-based context
    manager would cost a fifth of what the package adds to one.
    """

    __slots__ = ("client", "token")
    token: contextvars.Token[Hashable]

    def __init__(self, client: Hashable):
        self.client = client

    def __enter__(self) -> None:
        self.token = _client.set(self.client)

    def __exit__(self, *exc: object) -> None:
        _client.reset(self.token)


def in_turn(function: Callable[P, T]) -> Callable[P, T]:
    """``function``, marking what it calls back into as nested (see ``_nested``); to run
    through :data:`sync_calls`."""
    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        token = _nested.set(True)  # reset: asgiref copies the call's context back after it
        try:
            return function(*args, **kwargs)
        finally:
            _nested.reset(token)

    return call


@dataclass(slots=True)
class _Call:
    future: Future[Any]
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class FairExecutor(Executor):
    """A thread pool that serves its clients in turn instead of in order of arrival.

    ``workers`` threads (by default as many as asyncio's default executor has) run at most
    ``workers`` calls, each started at once; the calls not yet started wait here, each in
    its client's line, never in the threads' queue. A call cancelled while it waits (a
    handler timeout) never starts, as on a ``ThreadPoolExecutor``. A call that overruns
    keeps its worker and its client's share until it returns: the slot is freed by the
    thread, not by whoever gave up waiting for it.
    """

    def __init__(self, workers: int | None = None, share: int = SHARE):
        self.workers = workers or min(32, (os.cpu_count() or 1) + 4)
        self.share = max(1, min(share, self.workers))
        self.start_afresh()

    def start_afresh(self) -> None:
        """Forget every thread, lock and call: for a forked child, which has none of the
        threads it inherited and maybe a lock one of them held (its event loop is new too,
        so the calls waiting here were its parent's)."""
        self._threads = ThreadPoolExecutor(self.workers, thread_name_prefix="asynction-sync")
        self._lock = threading.Lock()
        self._waiting: dict[Hashable, deque[_Call]] = {}
        self._running: dict[Hashable, int] = {}
        self._busy = 0  # calls running, all clients
        # Clients with calls waiting, by how many they have running (fewest first), each in
        # the order it got in line. A client moves by getting in line again, under a new
        # stamp; an entry whose stamp is not its client's current one is skipped.
        self._lines: list[deque[tuple[Hashable, int]]] = [deque() for _ in range(self.share)]
        self._stamps: dict[Hashable, int] = {}
        self._stamper = itertools.count()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        client = _NESTED if _nested.get() else _client.get()
        with self._lock:
            calls = self._waiting.get(client)
            if calls is None:
                calls = self._waiting[client] = deque()
            calls.append(_Call(future, fn, args, kwargs))
            if len(calls) == 1:  # a client already waiting keeps its place
                self._get_in_line(client)
            self._start_calls()
        return future

    def _get_in_line(self, client: Hashable) -> None:
        """Put ``client`` at the back of its line if it has a call waiting and may start one
        more (else it is in no line). Called with the lock held."""
        running = self._running.get(client, 0)
        if client in self._waiting and running < self.share and client is not _NESTED:
            stamp = self._stamps[client] = next(self._stamper)
            self._lines[running].append((client, stamp))
        else:
            self._stamps.pop(client, None)

    def _next_client(self) -> Hashable:
        if _NESTED in self._waiting:
            return _NESTED
        for line in self._lines:
            while line:
                client, stamp = line.popleft()
                if self._stamps.get(client) == stamp:
                    del self._stamps[client]
                    return client
        return _NOBODY  # (None is a client: calls outside any connection)

    def _start_calls(self) -> None:
        """Start waiting calls while a worker is free. Called with the lock held."""
        while self._busy < self.workers:
            client = self._next_client()
            if client is _NOBODY:
                return
            calls = self._waiting[client]
            call = calls.popleft()
            if not calls:
                del self._waiting[client]
            if call.future.set_running_or_notify_cancel():
                self._running[client] = self._running.get(client, 0) + 1
                self._busy += 1
                try:
                    self._threads.submit(self._run, client, call)
                except RuntimeError as exc:  # the interpreter is shutting down
                    self._busy -= 1
                    self._ended(client)
                    call.future.set_exception(exc)
            self._get_in_line(client)

    def _run(self, client: Hashable, call: _Call) -> None:
        try:
            result = call.function(*call.args, **call.kwargs)
        except BaseException as exc:  # noqa: BLE001 - the caller's, as in a ThreadPoolExecutor
            call.future.set_exception(exc)
        else:
            call.future.set_result(result)
        finally:
            with self._lock:
                self._busy -= 1
                self._ended(client)
                self._get_in_line(client)  # further up: fewer running
                self._start_calls()

    def _ended(self, client: Hashable) -> None:
        running = self._running[client] - 1
        if running:
            self._running[client] = running
        else:
            del self._running[client]


sync_calls = FairExecutor()
"""The pool every sync handler of this process runs in (its threads start on first use)."""
if hasattr(os, "register_at_fork"):  # Handlers hold this very pool: renewed, not replaced
    os.register_at_fork(after_in_child=sync_calls.start_afresh)
