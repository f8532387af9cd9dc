"""Connection state recovery across processes: sessions and the packet log in Redis.

With ``ASYNCTION_MESSAGE_QUEUE`` on Redis, a client may reconnect to another process
than the one it lost. Every process records the packets it emits in one Redis stream
(whose ids are the offsets: one order for all processes) and keeps dropped sessions as
keys; both expire with the recovery window, so a client that never comes back costs
nothing after it.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from socketio import packet as sio_packet

from .recovery import REDIS_SCHEMES, MemoryStore, Packet, Recovery, RecoveryOptions, Session

logger = logging.getLogger("asynction_django.recovery")
STREAM_ID = re.compile(r"\A(\d{1,20})-(\d{1,20})\Z")


def _id(value: str | bytes) -> tuple[int, int]:
    text = value.decode() if isinstance(value, bytes) else value
    match = STREAM_ID.match(text)
    if match is None:
        raise ValueError(text)
    return int(match[1]), int(match[2])


class RedisStore:
    """The recovery store shared by every process on one Redis."""

    def __init__(self, url: str, options: RecoveryOptions, retention: float,
                 prefix: str = "asynction:recovery", **redis_options: Any):
        import redis.asyncio as redis  # the [redis] extra, checked with the message queue

        self.redis = redis.Redis.from_url(url, **redis_options)
        self.options = options
        self.retention = retention
        self.log_key = f"{prefix}:log"
        self.capped_key = f"{prefix}:capped"  # the first offset kept after the cap trimmed
        self.session_prefix = f"{prefix}:session:"

    async def position(self) -> str:
        newest = await self.redis.xrevrange(self.log_key, count=1)
        return newest[0][0].decode() if newest else "0-0"

    async def record(self, namespace: str, rooms: list[Any] | None, skip: list[Any],
                     data: list[Any]) -> str:
        encoded = sio_packet.Packet(sio_packet.EVENT, data=data, namespace=namespace).encode()
        parts = encoded if isinstance(encoded, list) else [encoded]
        fields: dict[str, Any] = {"m": json.dumps([rooms, skip])}
        fields.update({f"p{index}": part for index, part in enumerate(parts)})
        oldest = int((time.time() - self.retention) * 1000)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(self.log_key, fields, minid=oldest, approximate=True)
            pipe.xtrim(self.log_key, maxlen=self.options.max_packets, approximate=False)
            pipe.expire(self.log_key, int(self.retention) + 1)
            offset, capped, _ = await pipe.execute()
        if capped:
            first = await self.redis.xrange(self.log_key, count=1)
            if first:
                await self.redis.set(self.capped_key, first[0][0],
                                     ex=int(self.retention) + 1)
        return offset.decode()

    async def keep(self, sessions: list[Session]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for session in sessions:
                try:
                    stored = json.dumps(session.as_dict())
                except (TypeError, ValueError):
                    logger.warning("a dropped session in %s cannot be kept in Redis: its rooms "
                                   "or get_session() data are not JSON", session.namespace)
                    continue
                pipe.set(self.session_prefix + session.pid, stored,
                         ex=max(1, round(self.options.max_disconnection_duration)))
            await pipe.execute()

    async def take(self, pid: str) -> Session | None:
        stored = await self.redis.getdel(self.session_prefix + pid)
        if stored is None:
            return None
        return Session(**json.loads(stored))

    async def covers(self, offset: str) -> bool:
        """Whether every packet after ``offset`` is still kept (the cap dropped none)."""
        try:
            claimed = _id(offset)
        except ValueError:
            return False
        if claimed > _id(await self.position()):
            return False  # an offset this log never gave
        capped = await self.redis.get(self.capped_key)
        return capped is None or claimed >= _id(capped)

    async def missed(self, session: Session, offset: str) -> list[Packet]:
        entries = await self.redis.xrange(self.log_key, min=f"({offset}", max="+")
        missed = []
        for entry_id, fields in entries:
            rooms, skip = json.loads(fields[b"m"])
            text = fields[b"p0"].decode()
            pkt = sio_packet.Packet(encoded_packet=text)
            for index in range(1, pkt.attachment_count + 1):
                pkt.add_attachment(fields[f"p{index}".encode()])
            kept = Packet(entry_id.decode(), pkt.namespace or "/", rooms, skip, pkt.data)
            if kept.reaches(session):
                missed.append(kept)
        return missed

    async def close(self) -> None:
        await self.redis.aclose()


def recovery_for(setting: Any, queue: str | None, ping_budget: float) -> Recovery | None:
    """Recovery as ``ASYNCTION_CONNECTION_STATE_RECOVERY`` asks (None: off): in Redis when
    the message queue is Redis, else in this process. ``ping_budget`` is how long a dead
    transport may go unnoticed (ping interval plus timeout): packets are kept that much
    longer than the window."""
    options = RecoveryOptions.from_setting(setting)
    if options is None:
        return None
    retention = options.max_disconnection_duration + ping_budget
    if queue is not None and queue.startswith(REDIS_SCHEMES):
        return Recovery(options, RedisStore(queue, options, retention))
    return Recovery(options, MemoryStore(options, retention))


def ping_budget(socketio_options: dict[str, Any]) -> float:
    """Ping interval plus timeout from ``ASYNCTION_SOCKETIO`` (python-engineio's defaults)."""
    interval = socketio_options.get("ping_interval", 25)
    if isinstance(interval, (tuple, list)):
        interval = sum(interval)
    return float(interval) + float(socketio_options.get("ping_timeout", 20))
