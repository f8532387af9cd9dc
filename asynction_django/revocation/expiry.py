"""When a connection's credentials expire: the ``exp`` its security info carries.

An info function says how long the credentials it accepted are good for the way tokens
already say it: an ``exp`` in the mapping it returns, in seconds since the epoch (JWT's
``exp`` claim, RFC 7662's introspection answer), or as a ``datetime``. A function that
returns a token's claims as they are needs to do nothing more. What is read here is checked
strictly: a malformed ``exp`` is an info function's bug, and credentials whose end cannot be
told are refused rather than kept forever.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

EXP = "exp"  # the key of the security info that says when the credentials expire


def expiry_of(info: Mapping[str, Any]) -> float | None:
    """When ``info``'s credentials expire (seconds since the epoch); None if it does not say.

    ``exp`` may be a number (not a bool, finite) or a ``datetime`` (a naive one is read as
    UTC, as JWT claims are). ValueError for anything else.
    """
    value = info.get(EXP)
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.timestamp()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
            value):
        raise ValueError(f"{EXP} must be seconds since the epoch or a datetime, not "
                         f"{type(value).__name__}")
    return float(value)


def earliest(infos: Iterable[Mapping[str, Any]]) -> Any:
    """The ``exp`` of the mapping that expires first, as it was given (None: none expires).

    Several schemes met together (an AND requirement) hold only while all of them do.
    """
    soonest: tuple[float, Any] | None = None
    for info in infos:
        expires = expiry_of(info)
        if expires is not None and (soonest is None or expires < soonest[0]):
            soonest = (expires, info[EXP])
    return None if soonest is None else soonest[1]
