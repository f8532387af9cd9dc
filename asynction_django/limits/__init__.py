"""Rate limits: how often a client may send events (docs/rate-limits.md).

``rules`` is the syntax the spec's ``x-rate-limit`` and ``ASYNCTION_RATE_LIMIT_DEFAULT``
share, ``gcra`` the algorithm, one module per store (``memory_store``, ``redis_store``),
``keys`` whose bucket an event is charged to, and ``enforcement`` what a namespace asks
before each event. Nothing here reads the settings: ``conf`` imports ``rules``, and
``building`` hands the rest what the settings say.
"""

from .enforcement import (
    ABUSE_REFUSALS,
    ABUSE_WINDOW,
    Limiter,
    NamespaceLimits,
    Refusal,
    limiter_for,
    namespace_limits,
)
from .gcra import Bucket
from .memory_store import MemoryLimiter
from .redis_store import RedisLimiter
from .rules import RateLimit, RateLimits, RuleError, parse_rate_limits

__all__ = [
    "ABUSE_REFUSALS", "ABUSE_WINDOW", "Bucket", "Limiter", "MemoryLimiter", "NamespaceLimits",
    "RateLimit", "RateLimits", "Refusal", "RedisLimiter", "RuleError", "limiter_for",
    "namespace_limits", "parse_rate_limits",
]
