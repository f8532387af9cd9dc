"""Buckets in this process (no broker): one integer per bucket, in a dict that stays bounded.

Keys come from clients (a connection, a user, an address), so a client inventing them
(connecting again and again, from many addresses) must not grow memory without end. A
bucket whose arrival time has passed is the same as no bucket (:mod:`.gcra`), so it is
dropped: each call looks at a few buckets at the front of the dict (the oldest written),
drops the idle ones and moves the live ones to the back, so the whole dict is swept while
traffic flows, faster than it grows. Past ``max_buckets`` the oldest go first, whatever
their state: a limit may then start afresh for a key, never the memory run out.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from .gcra import Bucket, decide

MAX_BUCKETS = 100_000  # about 15 MB of keys and integers
SWEEP_STEP = 8  # buckets looked at per call: more than one event can write (its limits)


def monotonic_us() -> int:
    return time.monotonic_ns() // 1_000


class MemoryLimiter:
    """GCRA buckets in a dict: key -> theoretical arrival time, in microseconds."""

    def __init__(self, max_buckets: int = MAX_BUCKETS,
                 clock: Callable[[], int] = monotonic_us):
        self.max_buckets = max_buckets
        self.clock = clock  # microseconds, only ever compared with itself
        self.arrivals: OrderedDict[str, int] = OrderedDict()

    def admit(self, buckets: Sequence[Bucket]) -> int:
        """0 if the event is admitted (and charged to every bucket), else the
        microseconds until it would be."""
        now = self.clock()
        self._sweep(now)
        arrivals = self.arrivals
        wait, updated = decide(buckets, [arrivals.get(bucket.key) for bucket in buckets], now)
        if wait > 0:
            return wait
        for bucket, arrival in zip(buckets, updated, strict=True):
            arrivals[bucket.key] = arrival
            arrivals.move_to_end(bucket.key)  # to the back: the sweep reaches it last
        while len(arrivals) > self.max_buckets:
            arrivals.popitem(last=False)
        return 0

    async def hit(self, buckets: Sequence[Bucket]) -> float:
        """Seconds until the event would be admitted; 0.0 when it was."""
        return self.admit(buckets) / 1_000_000

    def _sweep(self, now: int) -> None:
        arrivals = self.arrivals
        for _ in range(min(SWEEP_STEP, len(arrivals))):
            key, arrival = arrivals.popitem(last=False)
            if arrival > now:
                arrivals[key] = arrival  # still counting: to the back

    async def close(self) -> None:
        self.arrivals.clear()
