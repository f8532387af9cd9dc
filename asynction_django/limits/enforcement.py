"""What a namespace asks before each event: may this client send it now?

Which buckets each event is charged to is decided once, at start-up (:func:`namespace_limits`):
its own ``x-rate-limit`` and its namespace's, or, when neither says anything,
``ASYNCTION_RATE_LIMIT_DEFAULT``, so that no client is unlimited unless the spec or the
settings say so. The question is asked before validation, security and the handler: a
refusal must cost less than the work it saves. Nothing is logged per refusal; a connection
refused on and on (:data:`ABUSE_REFUSALS` times in :data:`ABUSE_WINDOW` seconds) is told to
leave, and that is logged (once a minute at most, as everything clients can cause).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from ..exceptions import RateLimited
from ..logs import client_logger, limits_logger
from .gcra import Bucket
from .keys import OWN, rule_id, who
from .memory_store import MemoryLimiter
from .redis_store import RedisLimiter
from .rules import MICROSECONDS, RateLimit, RateLimits

# Sustained abuse: a connection whose events were refused more than this many times within
# this many seconds (a bucket of 50 refusals, refilled at 5 a second) is disconnected.
ABUSE_REFUSALS = 50
ABUSE_WINDOW = 10.0


class Limiter(Protocol):
    """What :class:`MemoryLimiter` and :class:`RedisLimiter` both do."""

    async def hit(self, buckets: Sequence[Bucket]) -> float: ...
    async def close(self) -> None: ...


def limiter_for(redis_url: str | None, channel: str) -> Limiter:
    """In Redis when the message queue is (shared by every process, keys under
    ``<channel>:ratelimit:``), else in this process: as recovery chooses its store."""
    if redis_url is not None:
        return RedisLimiter(redis_url, f"{channel}:ratelimit")
    return MemoryLimiter()


@dataclass(frozen=True)
class Rule:
    """A declared limit, placed: what it says and the name of its buckets."""

    limit: RateLimit
    name: str

    def bucket(self, sid: str, environ: Mapping[str, Any] | None) -> Bucket:
        return Bucket(f"{who(self.limit.by, sid, environ)}:{self.name}",
                      self.limit.interval_us, self.limit.period_us)


def _placed(where: str, namespace: str, event: str | None,
            limits: RateLimits | None) -> tuple[Rule, ...]:
    return tuple(Rule(limit, rule_id(where, namespace, event, index, limit))
                 for index, limit in enumerate(limits or ()))


class Refusal(NamedTuple):
    error: RateLimited  # the event's error ack
    expel: bool  # the connection went on past every refusal: disconnect it


class NamespaceLimits:
    """One namespace's rules per event, the store they are counted in, and the abuse rule."""

    def __init__(self, namespace: str, events: dict[str, tuple[Rule, ...]],
                 others: tuple[Rule, ...], limiter: Limiter):
        self.namespace = namespace
        self.events = events
        self.others = others  # events the spec does not have (refused, but counted)
        self.limiter = limiter
        # Refusals per connection: a connection lives in this process, so memory it is.
        self.refusals = MemoryLimiter()
        self.local = MemoryLimiter()  # per-connection buckets (see refusal)
        self._abuse = (round(ABUSE_WINDOW * MICROSECONDS / ABUSE_REFUSALS),
                       round(ABUSE_WINDOW * MICROSECONDS))

    async def refusal(self, sid: str, event: str,
                      environ: Mapping[str, Any] | None) -> Refusal | None:
        """None when ``sid`` may send ``event`` now (it is charged for it); else its error."""
        rules = self.events.get(event, self.others)
        if not rules:
            return None
        buckets = [rule.bucket(sid, environ) for rule in rules]
        # A connection's own buckets live where the connection does: counted here, without
        # a round trip to Redis (the default limit is per connection). Only buckets of a
        # user or an address are shared by the processes.
        wait = self.local.admit([b for b in buckets if b.key.startswith(OWN)]) / MICROSECONDS
        shared = [bucket for bucket in buckets if not bucket.key.startswith(OWN)]
        if wait <= 0 and shared:
            try:
                wait = await self.limiter.hit(shared)
            except Exception:  # noqa: BLE001 - a store outage must not refuse every event
                limits_logger.warning("the rate limits' store failed", exc_info=True)
                return None
        if wait <= 0:
            return None
        expel = self.refusals.admit([Bucket(sid, *self._abuse)]) > 0
        if expel:
            client_logger.warning("disconnected a client of %s: more than %d of its events "
                                  "were refused in %g s (rate limits)", self.namespace,
                                  ABUSE_REFUSALS, ABUSE_WINDOW)
        return Refusal(RateLimited(wait), expel)


def namespace_limits(namespace: str, events: Mapping[str, RateLimits | None],
                     own: RateLimits | None, default: RateLimits | None,
                     limiter: Limiter) -> NamespaceLimits | None:
    """The rules of each event of ``namespace`` (None when none is limited).

    ``events`` are the events' own limits, ``own`` the namespace's (one budget all its
    events share), ``default`` the setting's: it applies, as one budget per namespace, to
    the events whose limits and namespace's limits are both undeclared. ``()`` is a declared
    "no limit" (``x-rate-limit: false``): the default does not apply.
    """
    shared = _placed("namespace", namespace, None, own)
    fallback = shared if own is not None else _placed("default", namespace, None, default)
    rules = {event: fallback if limits is None and own is None
             else _placed("event", namespace, event, limits) + shared
             for event, limits in events.items()}
    if not fallback and not any(rules.values()):
        return None
    return NamespaceLimits(namespace, rules, fallback, limiter)
