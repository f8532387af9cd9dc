"""The recovery store of one server process (no broker): the log and kept connections in memory.

Emits are kept for ``retention`` seconds (the window plus the time a dead transport takes
to be noticed), at most ``max_packets`` of them and ``max_bytes`` in all. Dropping old
emits loses nothing a returning client needs: it received them while it was connected.
Only the caps can drop an emit a client missed, and then that client starts anew.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import deque
from typing import Any

from ..conf import RecoveryOptions
from .records import KeptConnection, LoggedEmit, replay_start

OFFSET = re.compile(r"[0-9]{1,20}", re.ASCII)  # what this store hands out: 1, 2, 3...


class MemoryStore:
    """Kept connections and the emit log, in this process."""

    def __init__(self, options: RecoveryOptions, retention: float):
        self.options = options
        self.retention = retention
        self._counter = itertools.count(1)
        self._last = 0
        self._capped = 0  # the newest offset a cap dropped: a claim before it cannot recover
        self._bytes = 0
        self._log: deque[tuple[float, int, LoggedEmit]] = deque()
        # (namespace, user, pid) -> (expires, kept): a claim finds only its own namespace
        # and user, so a wrong one cannot use up another's connection.
        self._kept: dict[tuple[str, str | None, str], tuple[float, KeptConnection]] = {}

    @staticmethod
    def parse(offset: str) -> int | None:
        return int(offset) if OFFSET.fullmatch(offset) else None

    async def position(self) -> str:
        return str(self._last)

    async def record(self, namespace: str, rooms: list[Any] | None, skip: list[Any],
                     parts: tuple[str | bytes, ...]) -> str:
        self._last = next(self._counter)
        emit = LoggedEmit(str(self._last), namespace, rooms, skip, parts)
        self._log.append((time.monotonic(), self._last, emit))
        self._bytes += emit.size
        self._trim()
        return emit.offset

    def _trim(self) -> None:
        log, oldest = self._log, time.monotonic() - self.retention
        while log and log[0][0] < oldest:
            self._bytes -= log.popleft()[2].size
        while log and (len(log) > self.options.max_packets
                       or self._bytes > self.options.max_bytes):
            _, self._capped, dropped = log.popleft()
            self._bytes -= dropped.size

    async def keep(self, kept: list[KeptConnection]) -> None:
        self._expire()
        expires = time.monotonic() + self.options.max_disconnection_duration
        for connection in kept:
            key = (connection.namespace, connection.user, connection.pid)
            self._kept[key] = (expires, connection)

    def _expire(self) -> None:
        now = time.monotonic()
        # Kept in the order they expire (one window for all): drop from the front.
        while self._kept:
            key, (until, _) = next(iter(self._kept.items()))
            if until >= now:
                break
            del self._kept[key]

    async def take(self, namespace: str, user: str | None, pid: str) -> KeptConnection | None:
        expires, connection = self._kept.pop((namespace, user, pid), (0.0, None))
        return connection if expires >= time.monotonic() else None

    async def replay_from(self, kept: KeptConnection, offset: str | None) -> str | None:
        """Where ``kept``'s replay starts: the offset it presents, never before its own
        start; None when emits after it are gone (or the offset was never given)."""
        after = replay_start(self.parse, kept, offset)
        if after is None:
            return None
        return str(after) if self._capped <= after <= self._last else None

    async def missed(self, kept: KeptConnection, after: str) -> list[LoggedEmit]:
        start = int(after)
        return [emit for _, number, emit in self._log if number > start and emit.reaches(kept)]

    async def purge(self) -> bool:
        """Drop what expired; whether anything is left to expire later."""
        self._expire()
        self._trim()
        return bool(self._log or self._kept)

    @property
    def size(self) -> tuple[int, int, int]:
        """Emits logged, their bytes, connections kept (for tests and the bench)."""
        return len(self._log), self._bytes, len(self._kept)

    async def close(self) -> None:
        """Nothing to release in memory."""
