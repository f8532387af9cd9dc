"""Presence of one process with no broker: its own ledger is the whole of it.

Nothing outlives the process, so there is nothing to expire or sweep; a management
command or worker process (which serves no clients) sees no members here.
"""

from __future__ import annotations

from .records import Change, Departure, Ledger, Member


class MemoryStore:
    """Presence in this process (``ASYNCTION_MESSAGE_QUEUE`` unset)."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    async def write(self, change: Change) -> tuple[int, int]:
        return change.previous, change.connections

    async def members(self, namespace: str, room: str) -> list[Member]:
        return self.ledger.members(namespace, room)

    async def beat(self) -> bool:
        return True

    async def sweep(self) -> list[Departure]:
        return []

    async def close(self) -> None:
        return None
