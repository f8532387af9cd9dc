"""Redis for this package's own connections (the fleet's channel, the recovery store).

redis-py's asyncio pool refuses a command outright ("Too many connections") once all of its
connections are busy, which under a burst — hundreds of clients reconnecting after a process
died, a forwarded reply per long-poll — is a lost answer and a client that fails. A blocking
pool makes a command wait its turn for a connection instead, for up to ``POOL_WAIT`` seconds.
"""

from __future__ import annotations

from typing import Any

POOL_SIZE = 64  # connections per process and purpose; commands beyond them wait their turn
POOL_WAIT = 20.0  # seconds a command may wait for a connection before it fails


def open_redis(url: str, **options: Any) -> Any:
    """A ``redis.asyncio.Redis`` on a blocking pool (``options`` go to the connections)."""
    import redis.asyncio as redis  # the [redis] extra, checked with the message queue

    pool = redis.BlockingConnectionPool.from_url(
        url, max_connections=options.pop("max_connections", POOL_SIZE),
        timeout=options.pop("timeout", POOL_WAIT), **options)
    return redis.Redis.from_pool(pool)  # closing the client closes its pool
