"""Buckets shared by every process on one Redis: a client's budget is one, wherever it lands.

Each decision is one Lua script, so it is atomic (two processes charging the same bucket at
once never both take its last token) and costs one round trip. The script reads Redis's own
clock (``TIME``), never a process's, so processes whose clocks disagree still agree on every
bucket. A bucket is a string key holding its arrival time (:mod:`.gcra`) and expiring when
that time passes: an idle bucket, or one a client invented, is gone by itself. Every key
starts with ``<channel>:ratelimit:`` (the message queue's channel), as recovery's keys start
with ``<channel>:recovery:``, so projects sharing a Redis never share a budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..redis_client import open_redis
from .gcra import Bucket

# KEYS: the buckets; ARGV: interval and period of each, in microseconds. Returns 0 when the
# event is admitted (every bucket charged), else the microseconds to wait (nothing charged).
# The steps are gcra.decide's; numbers are Lua doubles, exact for integers below 2**53.
DECIDE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local wait, moved = 0, {}
for i, key in ipairs(KEYS) do
  local interval, period = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local arrival = tonumber(redis.call('GET', key) or now)
  if arrival < now then arrival = now end
  moved[i] = arrival + interval
  if moved[i] - period - now > wait then wait = moved[i] - period - now end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, string.format('%.0f', moved[i]),
             'PX', math.max(1, math.ceil((moved[i] - now) / 1000)))
end
return 0
"""
TIMEOUT = 2.0  # seconds a decision may wait on Redis before the event goes through


class RedisLimiter:
    """GCRA buckets in Redis, decided by one script per event."""

    def __init__(self, url: str, prefix: str, **redis_options: Any):
        redis_options.setdefault("socket_timeout", TIMEOUT)
        redis_options.setdefault("socket_connect_timeout", TIMEOUT)
        # Any: redis-py's asyncio types are loose (str or bytes answers).
        self.redis: Any = open_redis(url, **redis_options)
        self.prefix = f"{prefix}:"
        self._decide = self.redis.register_script(DECIDE)

    async def hit(self, buckets: Sequence[Bucket]) -> float:
        """Seconds until the event would be admitted; 0.0 when it was."""
        arguments: list[int] = []
        for bucket in buckets:
            arguments += (bucket.interval_us, bucket.period_us)
        wait = await self._decide(keys=[self.prefix + bucket.key for bucket in buckets],
                                  args=arguments)
        return int(wait) / 1_000_000

    async def close(self) -> None:
        await self.redis.aclose()
