"""What presence keeps: members, and this process's own share of them (the ledger).

A member is a Django user (or one anonymous connection) in one room, with how many
connections it has there. Each process counts its own connections in its :class:`Ledger`;
a store adds the processes' shares up. Everything kept is bounded per connection: a room
name and a member's info have a size cap, and a connection is counted in at most
``max_rooms`` rooms (``ASYNCTION_PRESENCE``), so no client can grow presence at will.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

MAX_ROOM_LENGTH = 200  # characters of a room name presence keeps (longer: not counted)
MAX_INFO_BYTES = 2048  # of a member's info as JSON (bigger: the default info is used)


@dataclass(frozen=True)
class Member:
    """Who is in a room: ``key`` (``user:<pk>``, or ``anon:<token>`` for an anonymous
    connection), the ``info`` shown to the room, and ``connections`` to that room."""

    key: str
    info: dict[str, Any]
    connections: int

    def as_dict(self) -> dict[str, Any]:
        """As JSON, for an ack or an emit."""
        return {"key": self.key, "info": self.info, "connections": self.connections}


class Change(NamedTuple):
    """This process's count of one member in one room, just changed (or written again)."""

    namespace: str
    room: str
    member: str
    info: str  # JSON text of the member's info
    connections: int  # the member's connections to the room on this process, now
    previous: int  # and before the change
    room_left: bool  # nobody of this process is in the room any more


class Departure(NamedTuple):
    """A member gone with a dead process: the room is told it left."""

    namespace: str
    room: str
    member: str
    info: str


def diff(room: str, member: str, info: str) -> dict[str, Any]:
    """The payload of a join or leave event (the spec declares its schema)."""
    return {"room": room, "member": {"key": member, "info": json.loads(info)}}


def room_id(namespace: str, room: str) -> str:
    """One room of one namespace as a string (JSON: unambiguous whatever the names hold)."""
    return json.dumps([namespace, room], separators=(",", ":"))


class Ledger:
    """This process's share of presence: per room, each member's info and connections."""

    def __init__(self) -> None:
        self.rooms: dict[tuple[str, str], dict[str, tuple[str, int]]] = {}

    def add(self, namespace: str, room: str, member: str, info: str) -> Change:
        shares = self.rooms.setdefault((namespace, room), {})
        _, previous = shares.get(member, (info, 0))
        shares[member] = (info, previous + 1)
        return Change(namespace, room, member, info, previous + 1, previous, False)

    def remove(self, namespace: str, room: str, member: str) -> Change | None:
        shares = self.rooms.get((namespace, room))
        if shares is None or member not in shares:
            return None
        info, previous = shares[member]
        if previous > 1:
            shares[member] = (info, previous - 1)
        else:
            del shares[member]
        if not shares:
            del self.rooms[(namespace, room)]
        return Change(namespace, room, member, info, previous - 1, previous, not shares)

    def members(self, namespace: str, room: str) -> list[Member]:
        shares = self.rooms.get((namespace, room), {})
        return sorted((Member(member, json.loads(info), count)
                       for member, (info, count) in shares.items()), key=lambda m: m.key)

    def now(self, namespace: str, room: str, member: str, info: str) -> Change:
        """A member's count as it is (0: not here), as a change that writes it again."""
        shares = self.rooms.get((namespace, room), {})
        info, count = shares.get(member, (info, 0))
        return Change(namespace, room, member, info, count, count, not shares)

    def changes(self) -> list[Change]:
        """Everything this process counts, as changes that write it all again."""
        return [Change(namespace, room, member, info, count, count, False)
                for (namespace, room), shares in self.rooms.items()
                for member, (info, count) in shares.items()]
