"""A fleet's connected clients, kept in Redis while they are connected.

Without this, a connection is written to the store only when its process notices the drop,
which a process killed with SIGKILL never does: its clients would come back to another
process as strangers. With a fleet (a Redis store and request forwarding on), every
connection's record — its rooms, its ``get_session()`` data, where its replay may start and
the node it is connected to — is written when it connects and again whenever its rooms or
data change, and kept alive by its process for as long as it is connected. A claim that
finds a record of a living node asks that node to close the old transport first (the record
it then keeps is the one taken); a record of a dead node is taken as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..logs import recovery_logger as logger
from .records import KeptConnection

# node, namespace, pid, user -> True: that node closed the connection and kept it; False:
# it refused (another user, another namespace) or did not answer; None: the node is gone
TakeOver = Callable[[str, str, str, "str | None"], Awaitable["bool | None"]]


class LiveRecords:
    """This node's connected clients, written through to the Redis store."""

    def __init__(self, store: Any, node: str, window: float, take_over: TakeOver):
        self.store = store  # a RedisStore: write_live, forget, extend
        self.node = node
        self.take_over = take_over
        self.refresh_every = min(30.0, window / 3)
        # A killed node's records outlive it by the window: its clients may come back
        # within the window of its death, as they would within the window of a drop.
        self.ttl = window + 2 * self.refresh_every
        self._refreshing: asyncio.Task[None] | None = None

    async def write(self, connection: KeptConnection,
                    connected: Callable[[], Iterable[KeptConnection]],
                    node: str | None = None) -> None:
        """Write ``connection``'s record, as connected to this node (or to ``node``)."""
        connection.node = node or self.node
        try:
            await self.store.write_live(connection, self.ttl)
        except (TypeError, ValueError):
            logger.warning("a connection to %s cannot be kept in Redis: its rooms or "
                           "get_session() data are not JSON", connection.namespace)
        except Exception:  # noqa: BLE001 - the store is down: written at the next change
            logger.exception("a connected client's record could not be written")
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.get_running_loop().create_task(
                self._refresh(connected))

    async def forget(self, connection: KeptConnection) -> None:
        try:
            await self.store.forget(connection)
        except Exception:  # noqa: BLE001 - it expires by itself
            logger.exception("a departed client's record could not be removed")

    async def _refresh(self, connected: Callable[[], Iterable[KeptConnection]]) -> None:
        """Keep this node's records alive while their clients are connected (the loop ends
        when none is; the next connection starts it again)."""
        while True:
            await asyncio.sleep(self.refresh_every)
            ours = [kept for kept in connected() if kept.node == self.node]
            if not ours:
                return
            try:
                await self.store.extend(ours, self.ttl)
            except Exception:  # noqa: BLE001 - the store is down: tried again next time
                logger.warning("connected clients' records could not be kept alive",
                               exc_info=True)


@dataclass
class Live:
    """The connections of this process, by pid (for a return while the old one is open)."""

    by_pid: dict[str, tuple[str, str]] = field(default_factory=dict)  # pid -> (namespace, sid)
    by_sid: dict[tuple[str, str], KeptConnection] = field(default_factory=dict)

    def add(self, kept: KeptConnection) -> None:
        self.by_pid[kept.pid] = (kept.namespace, kept.sid)
        self.by_sid[(kept.namespace, kept.sid)] = kept

    def pop(self, namespace: str, sid: str) -> KeptConnection | None:
        kept = self.by_sid.pop((namespace, sid), None)
        if kept is not None:
            self.by_pid.pop(kept.pid, None)
        return kept
