"""Which rooms of a namespace keep presence, compiled once from its ``x-presence``."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any

from ..handlers import Handler
from .records import MAX_ROOM_LENGTH


def room_pattern(patterns: tuple[str, ...] | None) -> re.Pattern[str] | None:
    """One regular expression for the spec's glob patterns (None: every room)."""
    if patterns is None:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in patterns))


@dataclass(frozen=True)
class Rule:
    """A namespace's presence: its rooms, info function and the two events it sends."""

    namespace: str
    rooms: re.Pattern[str] | None
    info: Handler | None
    join: str
    leave: str

    def keeps(self, room: Any) -> bool:
        """Whether presence counts who is in ``room`` (a string room it names; never a
        room name longer than MAX_ROOM_LENGTH)."""
        return (isinstance(room, str) and 0 < len(room) <= MAX_ROOM_LENGTH
                and (self.rooms is None or self.rooms.match(room) is not None))
