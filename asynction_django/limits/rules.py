"""The syntax of a rate limit, read alike from the spec's ``x-rate-limit`` and from
``ASYNCTION_RATE_LIMIT_DEFAULT``, so the two can never disagree on what ``10 per 1s`` means.

It imports nothing of the package: ``conf`` checks the setting with it, and ``spec`` reads
the extension with it (each reports a :class:`RuleError` in its own words: the setting's
name, or the document's file and JSON pointer).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

BY = ("connection", "user", "ip")  # whose events share a bucket
KEYS = ("limit", "per", "by")
MAX_PERIOD = 86_400.0  # seconds: a day; longer windows would pin buckets for as long
MICROSECONDS = 1_000_000
UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3_600.0, "d": 86_400.0}
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", re.ASCII)


@dataclass(frozen=True)
class RateLimit:
    """``limit`` events per ``per`` seconds, counted per connection, per user or per IP.

    Kept in whole microseconds, the unit both stores count in (in Python and in Redis's
    Lua, whose numbers are doubles: integers stay exact where sums of 0.1 would not).
    """

    limit: int
    period_us: int  # the window, in microseconds
    by: str = "connection"

    @property
    def per(self) -> float:
        """The window in seconds."""
        return self.period_us / MICROSECONDS

    @property
    def interval_us(self) -> int:
        """The time one event's token takes to come back (at least a microsecond)."""
        return max(1, self.period_us // self.limit)

    def __str__(self) -> str:
        return f"{self.limit} per {self.per:g}s by {self.by}"


RateLimits = tuple[RateLimit, ...]


class RuleError(ValueError):
    """What is wrong with a rate limit, and where inside it (a path of keys and indexes)."""

    def __init__(self, reason: str, path: tuple[str | int, ...] = ()):
        super().__init__(reason)
        self.reason = reason
        self.path = path

    def inside(self, token: str | int) -> RuleError:
        return RuleError(self.reason, (token, *self.path))


def parse_rate_limits(value: Any) -> RateLimits | None:
    """A mapping, a list of mappings, or ``False`` (declared: no limit, ``()``);
    ``None`` is "not declared". Raise :class:`RuleError` for anything else."""
    if value is None:
        return None
    if value is False:
        return ()
    if isinstance(value, dict):
        return (parse_rate_limit(value),)
    if not isinstance(value, list):
        raise RuleError("a rate limit must be {limit: 10, per: 1s, by: connection}, a list "
                        "of them, or false (no limit)")
    if not value:
        raise RuleError("an empty list limits nothing: write false to say there is no limit")
    limits = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise RuleError("each rate limit must be a mapping {limit, per, by}", (index,))
        try:
            limits.append(parse_rate_limit(item))
        except RuleError as exc:
            raise exc.inside(index) from None
    return tuple(limits)


def parse_rate_limit(value: dict[str, Any]) -> RateLimit:
    for key in value:
        if key not in KEYS:
            raise RuleError(f"unknown key {key!r}: a rate limit has limit, per and by",
                            (str(key),))
    for key in ("limit", "per"):
        if key not in value:
            raise RuleError(f"a rate limit needs {key!r} (for example "
                            "{limit: 10, per: 1s})")
    limit = value["limit"]
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise RuleError("limit must be a whole number of events above 0", ("limit",))
    period_us = round(parse_duration(value["per"]) * MICROSECONDS)
    if limit > period_us:
        raise RuleError("limit allows more than one event per microsecond: use a longer "
                        "window", ("limit",))
    by = value.get("by", "connection")
    if by not in BY:
        raise RuleError(f"by must be one of {', '.join(BY)}", ("by",))
    return RateLimit(limit, period_us, by)


def parse_duration(value: Any) -> float:
    """Seconds: a number, or a string such as ``500ms``, ``1s``, ``1.5m``, ``1h``, ``1d``."""
    if isinstance(value, str):
        match = DURATION.fullmatch(value.strip())
        seconds = float(match[1]) * UNITS[match[2]] if match else None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        seconds = None
    if seconds is None or not math.isfinite(seconds):
        raise RuleError("per must be a duration: seconds (a number) or a string such as "
                        "500ms, 1s, 10m, 1h", ("per",))
    if not 0.001 <= seconds <= MAX_PERIOD:
        raise RuleError("per must be between 1ms and 1d", ("per",))
    return seconds


def described(path: tuple[str | int, ...]) -> str:
    """A path inside a setting as Python writes it: ``[0]["per"]``."""
    return "".join(f"[{token!r}]" if isinstance(token, int) else f'["{token}"]'
                   for token in path)
