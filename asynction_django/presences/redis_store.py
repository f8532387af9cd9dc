"""Presence shared by every process on one Redis, and tied to each process's life.

Each process writes its own connections' counts into the rooms' hashes, under a node id
of its own, and renews its claim in the ``<prefix>:nodes`` sorted set every ``ttl / 3``
seconds (scores are expiry times on Redis's clock). Readers count only live processes,
so a process killed outright (SIGKILL: nothing runs at its end) drops out of every answer
within ``ttl`` seconds; a live process then sweeps its counts away and tells the rooms who
left. A process that was taken for dead (stalled past ``ttl``) writes its share again at
its next beat. Keys (``<prefix>`` is ``<the message queue's channel>:presence``):

- ``<prefix>:nodes``: sorted set, node id -> when its claim expires (ms);
- ``<prefix>:room:["<namespace>","<room>"]``: hash, member -> ``{"i": info, "n": {node: n}}``;
- ``<prefix>:rooms:<node>``: set of the rooms a node counts someone in (what a sweep reads);
- ``<prefix>:sweeping:<node>``: who sweeps a dead node (expires by itself).

One writer task per process sends this process's changes, in order, in pipelines: a
burst of joins is one round trip, and a count is never overtaken by an older one.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from ..redis_client import open_redis
from .records import Change, Departure, Member, room_id
from .scripts import BEAT, DEAD, FORGET, MEMBERS, SWEEP, UPDATE

MAX_BATCH = 500  # changes per pipeline
MAX_DEAD = 20  # dead processes swept per beat


class RedisStore:
    """Presence in Redis (with ``ASYNCTION_MESSAGE_QUEUE`` on Redis)."""

    def __init__(self, url: str, prefix: str, ttl: float, **redis_options: Any):
        self.url = url
        self.redis_options = redis_options
        self.redis: Any = open_redis(url, **redis_options)
        self.prefix = prefix
        self.ttl_ms = max(1, round(ttl * 1000))
        self.node = secrets.token_urlsafe(6)
        self.nodes_key = f"{prefix}:nodes"
        self._scripts = _Scripts(self.redis)
        self._home: asyncio.AbstractEventLoop | None = None  # the loop the writer runs on
        self._started: asyncio.Task[bool] | None = None
        self._queue: list[tuple[Change, asyncio.Future[tuple[int, int]]]] = []
        self._writer: asyncio.Task[None] | None = None

    def room_key(self, namespace: str, room: str) -> str:
        return f"{self.prefix}:room:{room_id(namespace, room)}"

    def rooms_key(self, node: str) -> str:
        return f"{self.prefix}:rooms:{node}"

    # This process's changes --------------------------------------------------------

    async def write(self, change: Change) -> tuple[int, int]:
        """Write this process's count of a member; the member's connections (in the whole
        fleet) before and after."""
        await self._start()
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[tuple[int, int]] = loop.create_future()
        self._queue.append((change, answer))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._drain())
        return await answer

    async def _start(self) -> None:
        """The first write waits for the first beat: readers count a process's members
        only once it is known alive."""
        if self._started is None:
            self._started = asyncio.get_running_loop().create_task(self.beat())
        try:
            await asyncio.shield(self._started)
        except Exception:
            self._started = None  # Redis is down: the next write tries again
            raise

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for change, _ in batch:
                        await self._scripts.update(
                            keys=[self.room_key(change.namespace, change.room),
                                  self.nodes_key, self.rooms_key(self.node)],
                            args=[change.member, self.node, change.connections, change.info,
                                  room_id(change.namespace, change.room),
                                  "1" if change.room_left else "0"],
                            client=pipe)
                    results = await pipe.execute()
            except Exception as exc:  # noqa: BLE001 - each caller is told, and logs it
                for _, answer in batch:
                    if not answer.done():
                        answer.set_exception(exc)
                continue
            for (_, answer), (before, after) in zip(batch, results, strict=True):
                if not answer.done():
                    answer.set_result((int(before), int(after)))

    async def beat(self) -> bool:
        """Renew this process's claim; False when it had lapsed (it writes all again)."""
        if self._home is None:  # the serving loop: where this client's connections live
            self._home = asyncio.get_running_loop()
        return bool(await self._scripts.beat(keys=[self.nodes_key],
                                             args=[self.node, self.ttl_ms]))

    # Reading -----------------------------------------------------------------------

    async def members(self, namespace: str, room: str) -> list[Member]:
        """The room's members, counted over every live process.

        Off the serving loop (a command, a worker's ``async_to_sync``) a connection of its
        own is opened and closed: redis-py's connections belong to one event loop.
        """
        keys = [self.room_key(namespace, room), self.nodes_key]
        if self._home is asyncio.get_running_loop():
            found = await self._scripts.members(keys=keys)
        else:
            client = open_redis(self.url, **self.redis_options)
            try:
                found = await client.register_script(MEMBERS)(keys=keys)
            finally:
                await client.aclose()
        members = [Member(_text(found[index]), json.loads(_text(found[index + 1])),
                          int(found[index + 2])) for index in range(0, len(found), 3)]
        return sorted(members, key=lambda member: member.key)

    # Processes that died -----------------------------------------------------------

    async def sweep(self) -> list[Departure]:
        """Take dead processes' counts out of their rooms (one live process sweeps each);
        the members that left with them."""
        departures: list[Departure] = []
        for raw in await self._scripts.dead(keys=[self.nodes_key], args=[MAX_DEAD]):
            node = _text(raw)
            if node == self.node or not await self.redis.set(
                    f"{self.prefix}:sweeping:{node}", self.node, nx=True,
                    px=2 * self.ttl_ms):
                continue
            departures += await self._sweep(node)
        return departures

    async def _sweep(self, node: str) -> list[Departure]:
        departures: list[Departure] = []
        for raw in await self.redis.smembers(self.rooms_key(node)):
            namespace, room = json.loads(_text(raw))
            gone = await self._scripts.sweep(keys=[self.room_key(namespace, room),
                                                   self.nodes_key], args=[node])
            if gone is None:
                return departures  # it came back: it keeps the rest
            departures += [Departure(namespace, room, _text(gone[index]),
                                     _text(gone[index + 1]))
                           for index in range(0, len(gone), 2)]
        await self._scripts.forget(keys=[self.nodes_key, self.rooms_key(node)], args=[node])
        return departures

    async def close(self) -> None:
        """At a clean stop, this process's claim goes at once (its connections were
        disconnected first, so it counts nobody any more)."""
        if self._writer is not None:
            self._writer.cancel()
        try:
            await self.redis.zrem(self.nodes_key, self.node)
        finally:
            await self.redis.aclose()


class _Scripts:
    """The store's scripts, registered once on its client."""

    def __init__(self, redis: Any):
        self.update = redis.register_script(UPDATE)
        self.members = redis.register_script(MEMBERS)
        self.beat = redis.register_script(BEAT)
        self.dead = redis.register_script(DEAD)
        self.sweep = redis.register_script(SWEEP)
        self.forget = redis.register_script(FORGET)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
