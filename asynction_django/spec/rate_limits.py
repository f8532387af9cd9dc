"""``x-rate-limit``: how often clients may send an event, or the events of a namespace.

Read where the document writes it, for 2.x and 3.x alike: on a message, on a 3.x operation
(which wins over its messages', as its ``x-handler`` does) and on a channel (one budget for
every event of the namespace; in 3.x one channel of an address at most may set it). The
syntax is the one ``ASYNCTION_RATE_LIMIT_DEFAULT`` has (:mod:`asynction_django.limits.rules`);
a mistake stops start-up with the file and the JSON pointer of the very key that is wrong.
"""

from __future__ import annotations

from typing import Any

from ..limits.rules import RateLimits, RuleError, parse_rate_limits
from .documents import Location, ResolvedDocument
from .problems import Problems

KEY = "x-rate-limit"


def read_rate_limits(resolved: ResolvedDocument, problems: Problems,
                     *owners: tuple[Any, Location]) -> RateLimits | None:
    """The ``x-rate-limit`` of the first of ``owners`` (an object, and where it is written)
    that has one; None when none has (or it is wrong: reported)."""
    for owner, owner_at in owners:
        if isinstance(owner, dict) and KEY in owner:
            value = owner[KEY]
            return _parsed(resolved, problems, value, resolved.locate(owner_at, KEY, value))
    return None


def channels_rate_limits(resolved: ResolvedDocument, problems: Problems,
                         channels: list[tuple[str, dict[str, Any], Location]]
                         ) -> RateLimits | None:
    """3.x: the ``x-rate-limit`` of the channels (id, channel, where) sharing an address."""
    setting = [(channel_id, channel, at) for channel_id, channel, at in channels
               if KEY in channel]
    for channel_id, channel, at in setting[1:]:
        problems.add(resolved.locate(at, KEY, channel[KEY]),
                     f"channels {setting[0][0]!r} and {channel_id!r} share an address (one "
                     f"namespace) and both set {KEY}")
    return read_rate_limits(resolved, problems,
                            *[(channel, at) for _, channel, at in setting[:1]])


def _parsed(resolved: ResolvedDocument, problems: Problems, value: Any,
            at: Location) -> RateLimits | None:
    try:
        return parse_rate_limits(value)
    except RuleError as exc:
        for token in exc.path:  # down to the key that is wrong
            try:
                value = value[token]
            except (KeyError, IndexError, TypeError):
                value = None
            at = resolved.locate(at, token, value)
        problems.add(at, f"{KEY}: {exc.reason}")
        return None
