"""Delivery between processes that loses nothing: every process reads the emit log.

With python-socketio's Redis manager, an emit reaches the other processes through Redis
pub/sub, which delivers at most once: a process whose link to Redis blips loses what was
published meanwhile, for its clients that stayed connected (no recovery can help them).
In a fleet with connection state recovery, every emit is already in an ordered log (the
Redis stream of :mod:`.redis_store`), so each process delivers from the log instead: it
reads the stream after the last entry it delivered, and after a blip resumes from there.
A process delivers its own emits at once and skips them in the log; a client that was
just replayed to never gets an entry twice (the server compares offsets).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ..logs import recovery_logger as logger
from .records import LoggedEmit

READ_BLOCK_MS = 5_000  # how long one read waits for a new entry
MAX_BACKOFF = 5.0  # seconds between two tries while Redis is unreachable


class Fanout:
    """This process's reader of the emit log, handing each new entry to ``deliver``."""

    def __init__(self, store: Any, node: str, deliver: Callable[[LoggedEmit], Awaitable[None]]):
        self.store = store  # a RedisStore: position, read_after
        self.node = node
        self.deliver = deliver
        self._reading: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Read from now on (the first connection starts it: a process without clients
        delivers nothing)."""
        if self._reading is None or self._reading.done():
            self._reading = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        last: str | None = None
        backoff = 0.5
        while True:
            try:
                if last is None:
                    last = await self.store.position()
                entries = await self.store.read_after(last, READ_BLOCK_MS)
            except Exception:  # noqa: BLE001 - Redis blipped: resume from the last entry
                logger.warning("reading the emit log failed; resuming where it stopped",
                               exc_info=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 0.5
            for emit, node in entries:
                last = emit.offset
                if node == self.node:
                    continue  # delivered by this process when it was emitted
                try:
                    await self.deliver(emit)
                except Exception:  # noqa: BLE001 - one bad entry stops nothing
                    logger.exception("an emit from the log could not be delivered")

    def stop(self) -> None:
        if self._reading is not None:
            self._reading.cancel()
