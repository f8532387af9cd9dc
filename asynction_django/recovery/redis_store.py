"""The recovery store shared by every process on one Redis.

With ``ASYNCTION_MESSAGE_QUEUE`` on Redis, a client may reconnect to another process than
the one it lost. Every process records its emits in one Redis stream (whose ids are the
offsets: one order for all processes) and keeps dropped connections as keys; both expire
with the recovery window, so a client that never comes back costs nothing after it.
Every key starts with the project's prefix (by default its message queue's channel):
projects sharing a Redis never read each other's log.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any

from ..conf import RecoveryOptions
from ..logs import recovery_logger as logger
from ..redis_client import open_redis
from .records import KeptConnection, LoggedEmit, replay_start

STREAM_ID = re.compile(r"([0-9]{1,20})-([0-9]{1,20})", re.ASCII)


class RedisStore:
    """Kept connections and the emit log, in Redis."""

    def __init__(self, url: str, options: RecoveryOptions, retention: float, prefix: str,
                 **redis_options: Any):
        # Any: redis-py types its answers as str or bytes; without decode_responses they
        # are bytes, which is what this module reads.
        self.redis: Any = open_redis(url, **redis_options)
        self.options = options
        self.retention = retention
        self.log_key = f"{prefix}:log"
        self.capped_key = f"{prefix}:capped"  # the first offset kept after a cap trimmed
        self.kept_prefix = f"{prefix}:kept:"
        self.node: str | None = None  # in a fleet: written with each emit (fanout skips its own)

    @staticmethod
    def parse(offset: str) -> tuple[int, int] | None:
        match = STREAM_ID.fullmatch(offset)
        return (int(match[1]), int(match[2])) if match else None

    def _kept_key(self, namespace: str, user: str | None, pid: str) -> str:
        """One key per (namespace, user, pid): a claim finds only its own namespace and
        user, so a wrong one cannot use up another's connection."""
        digest = hashlib.sha256(json.dumps([namespace, user, pid]).encode()).hexdigest()
        return self.kept_prefix + digest

    async def position(self) -> str:
        newest = await self.redis.xrevrange(self.log_key, count=1)
        return str(newest[0][0].decode()) if newest else "0-0"

    async def record(self, namespace: str, rooms: list[Any] | None, skip: list[Any],
                     parts: tuple[str | bytes, ...]) -> str:
        fields: dict[str, Any] = {"m": json.dumps([namespace, rooms, skip])}
        if self.node is not None:
            fields["n"] = self.node
        fields.update({f"p{index}": part for index, part in enumerate(parts)})
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(self.log_key, fields, minid=self._oldest(), approximate=True)
            pipe.xtrim(self.log_key, maxlen=self.options.max_packets, approximate=False)
            pipe.expire(self.log_key, int(self.retention) + 1)
            offset, capped, _ = await pipe.execute()
        if capped:
            await self._note_capped()
        return str(offset.decode())

    def _oldest(self) -> int:
        return int((time.time() - self.retention) * 1000)

    async def _note_capped(self) -> None:
        first = await self.redis.xrange(self.log_key, count=1)
        if first:
            await self.redis.set(self.capped_key, first[0][0], ex=int(self.retention) + 1)

    async def keep(self, kept: list[KeptConnection]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for connection in kept:
                try:
                    stored = json.dumps(connection.as_dict())
                except (TypeError, ValueError):
                    logger.warning("a dropped connection to %s cannot be kept in Redis: its "
                                   "rooms or get_session() data are not JSON",
                                   connection.namespace)
                    continue
                key = self._kept_key(connection.namespace, connection.user, connection.pid)
                pipe.set(key, stored,
                         ex=max(1, round(self.options.max_disconnection_duration)))
            await pipe.execute()

    async def write_live(self, connection: KeptConnection, ttl: float) -> None:
        """Keep a connected client's record (with its node) under the key a claim takes."""
        key = self._kept_key(connection.namespace, connection.user, connection.pid)
        await self.redis.set(key, json.dumps(connection.as_dict()), ex=max(1, round(ttl)))

    async def forget(self, connection: KeptConnection) -> None:
        await self.redis.delete(
            self._kept_key(connection.namespace, connection.user, connection.pid))

    async def extend(self, connections: list[KeptConnection], ttl: float) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for connection in connections:
                pipe.expire(self._kept_key(connection.namespace, connection.user,
                                           connection.pid), max(1, round(ttl)))
            await pipe.execute()

    async def take(self, namespace: str, user: str | None, pid: str) -> KeptConnection | None:
        stored = await self.redis.getdel(self._kept_key(namespace, user, pid))
        if stored is None:
            return None
        return KeptConnection(**json.loads(stored))

    async def replay_from(self, kept: KeptConnection, offset: str | None) -> str | None:
        """Where ``kept``'s replay starts: the offset it presents, never before its own
        start; None when emits after it are gone (or the offset was never given)."""
        after = replay_start(self.parse, kept, offset)
        if after is None:
            return None
        newest = self.parse(await self.position())
        if newest is None or after > newest:
            return None  # an offset this log never gave
        capped = await self.redis.get(self.capped_key)
        first_kept = self.parse(capped.decode()) if capped is not None else None
        if first_kept is not None and after < first_kept:
            return None
        return f"{after[0]}-{after[1]}"

    async def missed(self, kept: KeptConnection, after: str) -> list[LoggedEmit]:
        entries = await self.redis.xrange(self.log_key, min=f"({after}", max="+")
        return [emit for emit, _ in map(_logged, entries) if emit.reaches(kept)]

    async def read_after(self, after: str, block_ms: int,
                         count: int = 500) -> list[tuple[LoggedEmit, str | None]]:
        """The emits logged after ``after`` (waiting up to ``block_ms`` for one), each with
        the node that emitted it (None: a process that serves no clients)."""
        answer = await self.redis.xread({self.log_key: after}, count=count, block=block_ms)
        return [_logged(entry) for _, entries in answer or () for entry in entries]

    async def purge(self) -> bool:
        """Trim what expired, and the log to ``max_bytes`` (as Redis measures it); whether
        anything is left to trim later (kept connections expire in Redis by themselves)."""
        await self.redis.xtrim(self.log_key, minid=self._oldest(), approximate=False)
        used = await self.redis.memory_usage(self.log_key, samples=0) or 0
        length = int(await self.redis.xlen(self.log_key))
        if used > self.options.max_bytes and length:
            keep = int(length * self.options.max_bytes / used * 0.9)
            await self.redis.xtrim(self.log_key, maxlen=keep, approximate=False)
            await self._note_capped()
            length = keep
        return length > 0

    async def close(self) -> None:
        await self.redis.aclose()


def _logged(entry: tuple[bytes, dict[bytes, bytes]]) -> tuple[LoggedEmit, str | None]:
    entry_id, fields = entry
    namespace, rooms, skip = json.loads(fields[b"m"])
    parts: list[str | bytes] = [fields[b"p0"].decode()]
    index = 1
    while f"p{index}".encode() in fields:
        parts.append(fields[f"p{index}".encode()])
        index += 1
    node = fields.get(b"n")
    return (LoggedEmit(entry_id.decode(), namespace, rooms, skip, tuple(parts)),
            node.decode() if node is not None else None)
