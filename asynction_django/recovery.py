"""Connection state recovery (Socket.IO 4.6+): a dropped client comes back as itself.

The protocol: the server's CONNECT packet carries a private id ``pid`` beside ``sid``,
and every event the server sends without an ack carries a last argument, its *offset*,
that the client strips and remembers. Reconnecting, the client puts ``{pid, offset}`` in
its CONNECT ``auth``; if its session is still kept, the server answers with the same
``sid`` and ``pid``, puts it back in its rooms and sends it, in order, every packet
addressed to it after ``offset``.

This module keeps what that needs: the log of recent packets and the sessions of
clients that dropped, in this process (:class:`MemoryStore`) or in Redis
(:mod:`.recovery_redis`), and the live sessions of this process. The server wires it in
(:class:`.server.AsynctionServer`).
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .queues import broker_logger

MAX_PID_LENGTH = 64  # what a client may send as pid and offset; longer is not ours
MAX_OFFSET_LENGTH = 64
REDIS_SCHEMES = ("redis:", "rediss:", "valkey:", "valkeys:")  # queues that can share a log


@dataclass(frozen=True)
class RecoveryOptions:
    """``ASYNCTION_CONNECTION_STATE_RECOVERY``; the names are Node's."""

    max_disconnection_duration: float = 120.0  # seconds a dropped session is kept
    skip_middlewares: bool = True  # recovered: the connect handler does not run again
    max_packets: int = 10_000  # packets kept for replay (a client missing more starts anew)

    @classmethod
    def from_setting(cls, value: Any) -> RecoveryOptions | None:
        """The options a setting asks for (None: off); ValueError names what is wrong."""
        if value is None or value is False:
            return None
        if value is True:
            return cls()
        if not isinstance(value, dict):
            raise ValueError("must be None, True or a dict of options")
        unknown = set(value) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown options {sorted(unknown)}: use "
                             f"{', '.join(cls.__dataclass_fields__)}")
        options = cls(**value)
        duration = options.max_disconnection_duration
        if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration <= 0:
            raise ValueError("max_disconnection_duration must be a number of seconds above 0")
        if not isinstance(options.skip_middlewares, bool):
            raise ValueError("skip_middlewares must be True or False")
        if (isinstance(options.max_packets, bool) or not isinstance(options.max_packets, int)
                or options.max_packets < 1):
            raise ValueError("max_packets must be a whole number above 0")
        return options


@dataclass
class Session:
    """A client's connection to one namespace, as recovery needs to restore it."""

    pid: str
    sid: str
    namespace: str
    base: str  # the log's position when it connected: what it missed if it got nothing
    user: str | None = None  # the Django user's pk: a session only comes back to its user
    rooms: list[Any] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # python-socketio's get_session()

    def as_dict(self) -> dict[str, Any]:
        return {"pid": self.pid, "sid": self.sid, "namespace": self.namespace,
                "base": self.base, "user": self.user, "rooms": self.rooms, "data": self.data}


@dataclass(frozen=True)
class Packet:
    """An event sent without an ack, as the log keeps it (its arguments without offset)."""

    offset: str
    namespace: str
    rooms: list[Any] | None  # None: every client of the namespace
    skip: list[Any]
    data: list[Any]  # [event, *args]

    def reaches(self, session: Session) -> bool:
        """Whether this packet was addressed to ``session`` (directly, a room, or all)."""
        if self.namespace != session.namespace or session.sid in self.skip:
            return False
        if self.rooms is None:
            return True
        return session.sid in self.rooms or any(room in self.rooms for room in session.rooms)


def new_pid() -> str:
    return secrets.token_urlsafe(16)


def as_list(value: Any) -> list[Any]:
    """python-socketio's ``to``/``skip_sid`` arguments (one value or several) as a list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def client_claim(auth: Any) -> tuple[str, str | None] | None:
    """The ``(pid, offset)`` a CONNECT's auth claims, when it is well formed."""
    if not isinstance(auth, dict):
        return None
    pid, offset = auth.get("pid"), auth.get("offset")
    if not isinstance(pid, str) or not 0 < len(pid) <= MAX_PID_LENGTH:
        return None
    if offset is not None and (not isinstance(offset, str) or len(offset) > MAX_OFFSET_LENGTH):
        return None
    return pid, offset


def without_claim(auth: Any) -> Any:
    """The user's own auth: ``pid`` and ``offset`` are the protocol's, not theirs."""
    if not isinstance(auth, dict) or not ({"pid", "offset"} & set(auth)):
        return auth
    rest = {key: value for key, value in auth.items() if key not in ("pid", "offset")}
    return rest or None


class MemoryStore:
    """Sessions and the packet log in this process (one server process, no broker).

    Packets are kept for ``retention`` seconds (the window plus the time a dead transport
    takes to be noticed), at most ``max_packets`` of them. Dropping old packets loses
    nothing a returning client needs: it received them while it was connected. Only the
    cap can drop a packet a client missed, and then that client starts a new session.
    """

    def __init__(self, options: RecoveryOptions, retention: float):
        self.options = options
        self.retention = retention
        self._counter = itertools.count(1)
        self._last = 0
        self._capped = 0  # the newest offset the cap dropped: older claims cannot recover
        self._log: deque[tuple[float, int, Packet]] = deque()
        self._sessions: dict[str, tuple[float, Session]] = {}

    async def position(self) -> str:
        return str(self._last)

    async def record(self, namespace: str, rooms: list[Any] | None, skip: list[Any],
                     data: list[Any]) -> str:
        self._last = next(self._counter)
        offset = str(self._last)
        self._log.append((time.monotonic(), self._last, Packet(offset, namespace, rooms, skip,
                                                                data)))
        self._trim()
        return offset

    def _trim(self) -> None:
        log, oldest = self._log, time.monotonic() - self.retention
        while log and log[0][0] < oldest:
            log.popleft()
        while len(log) > self.options.max_packets:
            self._capped = log.popleft()[1]

    async def keep(self, sessions: list[Session]) -> None:
        now = time.monotonic()
        # Kept in the order they expire (one window for all): drop from the front.
        while self._sessions:
            pid, (until, _) = next(iter(self._sessions.items()))
            if until >= now:
                break
            del self._sessions[pid]
        self._trim()
        expires = now + self.options.max_disconnection_duration
        for session in sessions:
            self._sessions[session.pid] = (expires, session)

    async def take(self, pid: str) -> Session | None:
        expires, session = self._sessions.pop(pid, (0.0, None))
        return session if expires >= time.monotonic() else None

    async def covers(self, offset: str) -> bool:
        """Whether every packet after ``offset`` is still kept (the cap dropped none)."""
        return offset.isdigit() and self._capped <= int(offset) <= self._last

    async def missed(self, session: Session, offset: str) -> list[Packet]:
        after = int(offset)
        return [pkt for _, number, pkt in self._log if number > after and pkt.reaches(session)]

    async def close(self) -> None:
        """Nothing to release in memory."""


@dataclass
class Live:
    """The sessions connected to this process, by pid (to take over a dead transport)."""

    by_pid: dict[str, tuple[str, str]] = field(default_factory=dict)  # pid -> (namespace, sid)
    by_sid: dict[tuple[str, str], Session] = field(default_factory=dict)

    def add(self, session: Session) -> None:
        self.by_pid[session.pid] = (session.namespace, session.sid)
        self.by_sid[(session.namespace, session.sid)] = session

    def pop(self, namespace: str, sid: str) -> Session | None:
        session = self.by_sid.pop((namespace, sid), None)
        if session is not None:
            self.by_pid.pop(session.pid, None)
        return session


def user_key(environ: dict[str, Any]) -> str | None:
    """Who a connection's Django user is (its pk), for sessions to come back to them only."""
    user = environ.get("asgi.scope", {}).get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return str(user.pk)


def arguments(data: Any) -> list[Any]:
    """python-socketio's ``data`` (a tuple is several arguments, None none) as a list."""
    if isinstance(data, tuple):
        return list(data)
    return [] if data is None else [data]


class Recovery:
    """What the server needs for recovery: its options, the store, the live sessions."""

    def __init__(self, options: RecoveryOptions, store: Any):
        self.options = options
        self.store = store  # MemoryStore, or recovery_redis.RedisStore
        self.live = Live()
        # Sessions whose CONNECT is being handled, by (Engine.IO sid, namespace), and the
        # offsets the returning ones replay from, by (namespace, sid).
        self.pending: dict[tuple[str, str], Session] = {}
        self.restoring: dict[tuple[str, str], tuple[Session, str]] = {}

    def forget(self, eio_sid: str, namespace: str) -> None:
        """Drop what a CONNECT being handled left (nothing, once it was accepted)."""
        session = self.pending.pop((eio_sid, namespace), None)
        if session is not None:
            self.restoring.pop((namespace, session.sid), None)

    async def stamp(self, namespace: str, event: str, data: Any, to: Any = None,
                    room: Any = None, skip_sid: Any = None) -> tuple[Any, ...]:
        """Log an event sent without an ack; its arguments with the offset appended."""
        args = arguments(data)
        target = to if to is not None else room
        rooms = as_list(target) if target is not None else None
        try:
            offset = await self.store.record(namespace, rooms, as_list(skip_sid),
                                             [event, *args])
        except Exception:  # noqa: BLE001 - the store is down: send it, unlogged
            broker_logger.exception("an emit could not be logged for connection state "
                                    "recovery; it is sent, but not replayed to clients away")
            return tuple(args)
        return (*args, offset)
