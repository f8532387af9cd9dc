"""Which of this process's connections a revocation reaches, found without a scan.

Every connection is indexed once, when it is accepted, under the Django users it carries (the
user of its session cookie and a ``user`` its security info names) and under its session;
a revocation then costs one dictionary look-up per user or session it names, whatever the
number of connections, and nothing is looked up per event. Session keys are credentials: only
their SHA-256 is kept here and sent between processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .notice import MAX_REASON

Address = tuple[str, str]  # (namespace, sid)

MAX_KEYS = 1_000  # users or sessions one message from the broker may name


def user_key(user: Any) -> str | None:
    """A signed-in Django user's key (its pk, as text); None for anything else."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return None
    return str(user.pk)


def session_digest(session_key: Any) -> str | None:
    if not isinstance(session_key, str) or not session_key:
        return None
    return hashlib.sha256(session_key.encode()).hexdigest()


@dataclass(frozen=True)
class Revocation:
    """Connections to end, by user or by session, and why."""

    reason: str
    users: frozenset[str] = frozenset()
    sessions: frozenset[str] = frozenset()  # SHA-256 of Django session keys

    def as_fields(self) -> dict[str, Any]:
        return {"reason": self.reason, "users": sorted(self.users),
                "sessions": sorted(self.sessions)}

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> Revocation | None:
        """A revocation another process published; None if it is not one."""
        reason, users, sessions = fields.get("reason"), fields.get("users"), fields.get(
            "sessions")
        if not (isinstance(reason, str) and 0 < len(reason) <= MAX_REASON):
            return None
        named = []
        for keys in (users, sessions):
            if not isinstance(keys, list) or len(keys) > MAX_KEYS or not all(
                    isinstance(key, str) for key in keys):
                return None
            named.append(frozenset(keys))
        return cls(reason, *named)


@dataclass
class ConnectionIndex:
    """This process's connections, by user and by session."""

    by_user: dict[str, set[Address]] = field(default_factory=dict)
    by_session: dict[str, set[Address]] = field(default_factory=dict)
    keys: dict[Address, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)

    def add(self, address: Address, users: Iterable[str], session: str | None) -> None:
        self.remove(address)  # a recovered connection is indexed again, as it is now
        users = tuple(dict.fromkeys(users))
        if not users and session is None:
            return
        self.keys[address] = (users, session)
        for user in users:
            self.by_user.setdefault(user, set()).add(address)
        if session is not None:
            self.by_session.setdefault(session, set()).add(address)

    def remove(self, address: Address) -> None:
        users, session = self.keys.pop(address, ((), None))
        for user in users:
            _discard(self.by_user, user, address)
        if session is not None:
            _discard(self.by_session, session, address)

    def reached_by(self, revocation: Revocation) -> set[Address]:
        found: set[Address] = set()
        for user in revocation.users:
            found |= self.by_user.get(user, set())
        for session in revocation.sessions:
            found |= self.by_session.get(session, set())
        return found


def _discard(index: dict[str, set[Address]], key: str, address: Address) -> None:
    addresses = index.get(key)
    if addresses is not None:
        addresses.discard(address)
        if not addresses:
            del index[key]
