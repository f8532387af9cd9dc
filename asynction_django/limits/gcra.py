"""The limiting algorithm: GCRA, a token bucket that is stored as one number.

A bucket of ``limit`` tokens refilled at ``limit / per`` tokens a second admits a burst
of ``limit`` events, then one every ``per / limit`` seconds. GCRA (the generic cell rate
algorithm) decides exactly the same without counting tokens: each bucket keeps only its
*theoretical arrival time* (TAT), the moment it would be full again. An event at ``now``
moves it to ``max(TAT, now) + interval``; it is admitted while that stays within ``per``
of ``now``. Why this one: one integer per bucket (no list of timestamps as a sliding log
keeps), no timer refilling anything, a bucket whose TAT has passed is the same as no
bucket (so idle buckets are simply forgotten: an expiry, in memory and in Redis), and the
wait until the next admission falls out of the same subtraction (``retry_after``).

Several buckets are decided together (an event's own limit and its namespace's): either
every one admits it and every one is charged, or none is charged. The Redis store runs the
same steps in Lua (:mod:`.redis_store`), atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    """One bucket an event is charged to: its key and its limit, in microseconds."""

    key: str
    interval_us: int  # per / limit: how long one token takes to come back
    period_us: int  # per: how far ahead of now the TAT may go (the burst)


def decide(buckets: Sequence[Bucket], arrivals: Sequence[int | None],
           now: int) -> tuple[int, list[int]]:
    """``(wait, new arrivals)``: ``wait`` is 0 when every bucket admits the event (then
    store the new arrivals, each to expire when it passes), else the microseconds until all
    of them would (and store nothing)."""
    wait = 0
    updated = []
    for bucket, arrival in zip(buckets, arrivals, strict=True):
        moved = (now if arrival is None else max(arrival, now)) + bucket.interval_us
        wait = max(wait, moved - bucket.period_us - now)
        updated.append(moved)
    return wait, updated
