"""Handler timeouts for every event at the cost of a dict entry, not a timer each.

A timer per event (``asyncio.timeout``) costs more than python-socketio's own work at high
event rates: cancelled timers pile up in the loop's heap. One sweeper task per namespace
cancels handlers past their deadline instead, with a precision of a quarter of the timeout
(at most a second).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any


class Watchdog:
    def __init__(self, timeout: float):
        self.timeout = timeout
        self.interval = min(1.0, timeout / 4)
        self._deadlines: dict[asyncio.Task[Any], float] = {}
        self._expired: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    def watch(self, task: asyncio.Task[Any]) -> None:
        self._deadlines[task] = time.monotonic() + self.timeout
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    def release(self, task: asyncio.Task[Any]) -> bool:
        """Stop watching ``task``; True if it was cancelled for running past its deadline."""
        self._deadlines.pop(task, None)
        if task in self._expired:
            self._expired.discard(task)
            return True
        return False

    async def _sweep(self) -> None:
        while self._deadlines:
            await asyncio.sleep(self.interval)
            now = time.monotonic()
            for task, deadline in list(self._deadlines.items()):
                if deadline <= now:
                    del self._deadlines[task]
                    self._expired.add(task)
                    task.cancel()
