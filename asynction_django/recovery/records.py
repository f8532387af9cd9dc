"""What recovery keeps: a dropped client's connection, and the emits it may have missed.

Both stores (:mod:`.memory_store`, :mod:`.redis_store`) keep the same two records, and an
emit in the same encoded form, so what one store measures (its size in bytes) and replays
is what the wire carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from socketio import packet as sio_packet


@dataclass
class KeptConnection:
    """A client's connection to one namespace, as recovery needs to restore it.

    Not a "session": Django's session and python-socketio's ``get_session()`` dict are
    other things (the latter is kept here, as ``data``).
    """

    pid: str  # the private id the client presents to come back (the protocol's "pid")
    sid: str
    namespace: str
    base: str  # the log's position when it connected: no replay reaches further back
    user: str | None = None  # the Django user's pk: a connection only comes back to its user
    rooms: list[Any] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # python-socketio's get_session()
    node: str | None = None  # in a fleet: the process it is connected to (None: dropped)

    def as_dict(self) -> dict[str, Any]:
        return {"pid": self.pid, "sid": self.sid, "namespace": self.namespace,
                "base": self.base, "user": self.user, "rooms": self.rooms, "data": self.data,
                "node": self.node}


@dataclass(frozen=True)
class LoggedEmit:
    """An event sent without an ack, as the log keeps it: its packet, encoded once."""

    offset: str
    namespace: str
    rooms: list[Any] | None  # None: every client of the namespace
    skip: list[Any]
    parts: tuple[str | bytes, ...]  # the encoded packet, then its binary attachments

    @property
    def size(self) -> int:
        return sum(len(part) for part in self.parts)

    @property
    def data(self) -> list[Any]:
        """``[event, *args]`` (without the offset), decoded again: replays are rare."""
        pkt = sio_packet.Packet(encoded_packet=self.parts[0])
        for attachment in self.parts[1:]:
            pkt.add_attachment(attachment)
        return list(pkt.data)

    def reaches(self, kept: KeptConnection) -> bool:
        """Whether this emit was addressed to ``kept`` (directly, a room, or all)."""
        if self.namespace != kept.namespace or kept.sid in self.skip:
            return False
        if self.rooms is None:
            return True
        return kept.sid in self.rooms or any(room in self.rooms for room in kept.rooms)


def encode_emit(namespace: str, data: list[Any]) -> tuple[str | bytes, ...]:
    """An event's packet as the wire carries it (the text, then any binary attachments)."""
    encoded = sio_packet.Packet(sio_packet.EVENT, data=data, namespace=namespace).encode()
    return tuple(encoded) if isinstance(encoded, list) else (encoded,)


def as_list(value: Any) -> list[Any]:
    """python-socketio's ``to``/``skip_sid`` arguments (one value or several) as a list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def arguments(data: Any) -> list[Any]:
    """python-socketio's ``data`` (a tuple is several arguments, None none) as a list."""
    if isinstance(data, tuple):
        return list(data)
    return [] if data is None else [data]


def replay_start(parse: Callable[[str], Any], kept: KeptConnection, offset: str | None) -> Any:
    """The parsed offset a replay starts after: the one the client presents (or its own
    start, when it brings none), never before its own start; None if either is malformed."""
    claimed = parse(kept.base if offset is None else offset)
    base = parse(kept.base)
    if claimed is None or base is None:
        return None
    return max(claimed, base)
