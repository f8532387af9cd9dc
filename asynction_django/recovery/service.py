"""Connection state recovery (Socket.IO 4.6+): a dropped client comes back as itself.

The server (:class:`~asynction_django.server.AsynctionServer`) and its namespaces are
handed one :class:`Recovery` and call its steps in the order a connection meets them:
:meth:`~Recovery.claim` when a CONNECT arrives, :meth:`~Recovery.restore` once the
connection's checks passed (its rooms and data back, before the connect handler),
:meth:`~Recovery.started` once it is accepted (the emits it missed, replayed),
:meth:`~Recovery.dropped` and :meth:`~Recovery.keep` when its transport ends, and
:meth:`~Recovery.stamp` for every emit sent without an ack.

Nothing a connection claims is shared with another: a returning connection's sid is
handed to the engine through a context variable of the task handling that CONNECT
(:func:`~asynction_django.server.engine.reusing_id`), never through process-wide state.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import engineio

from ..conf import RecoveryOptions, broker_of
from ..logs import recovery_logger as logger
from ..names import namespace_name
from .claims import Claim, client_claim, new_pid, without_claim
from .memory_store import MemoryStore
from .records import KeptConnection, LoggedEmit, arguments, as_list, encode_emit
from .redis_store import RedisStore

MAX_PURGE_INTERVAL = 5.0  # seconds between purges of expired emits and connections


class Store(Protocol):
    """What :class:`MemoryStore` and :class:`RedisStore` both do."""

    def parse(self, offset: str) -> Any: ...
    async def position(self) -> str: ...
    async def record(self, namespace: str, rooms: list[Any] | None, skip: list[Any],
                     parts: tuple[str | bytes, ...]) -> str: ...
    async def keep(self, kept: list[KeptConnection]) -> None: ...
    async def take(self, namespace: str, user: str | None,
                   pid: str) -> KeptConnection | None: ...
    async def replay_from(self, kept: KeptConnection, offset: str | None) -> str | None: ...
    async def missed(self, kept: KeptConnection, after: str) -> list[LoggedEmit]: ...
    async def purge(self) -> bool: ...
    async def close(self) -> None: ...


@dataclass
class Live:
    """The connections of this process, by pid (for a return while the old one is open)."""

    by_pid: dict[str, tuple[str, str]] = field(default_factory=dict)  # pid -> (namespace, sid)
    by_sid: dict[tuple[str, str], KeptConnection] = field(default_factory=dict)

    def add(self, kept: KeptConnection) -> None:
        self.by_pid[kept.pid] = (kept.namespace, kept.sid)
        self.by_sid[(kept.namespace, kept.sid)] = kept

    def pop(self, namespace: str, sid: str) -> KeptConnection | None:
        kept = self.by_sid.pop((namespace, sid), None)
        if kept is not None:
            self.by_pid.pop(kept.pid, None)
        return kept


def user_key(environ: dict[str, Any]) -> str | None:
    """Who a connection's Django user is (its pk), for connections to return to them only."""
    user = environ.get("asgi.scope", {}).get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return str(user.pk)


class Recovery:
    """The options, the store, and this process's connections, with the steps above."""

    def __init__(self, options: RecoveryOptions, store: Store, retention: float):
        self.options = options
        self.store = store
        self.live = Live()
        # Connections whose CONNECT is being handled, by (Engine.IO sid, namespace), and
        # where the returning ones' replay starts, by (namespace, sid).
        self._connecting: dict[tuple[str, str], KeptConnection] = {}
        self._returning: dict[tuple[str, str], tuple[KeptConnection, str]] = {}
        self.purge_interval = min(MAX_PURGE_INTERVAL, retention / 4)
        self._purging: asyncio.Task[None] | None = None

    # A CONNECT arrives --------------------------------------------------------------

    async def claim(self, server: Any, eio_sid: str, namespace: str,
                    auth: Any) -> tuple[Any, str | None]:
        """Decide whether a CONNECT comes back as a kept connection: the auth without the
        protocol's ``pid`` and ``offset``, and the sid it must get (None: a new one)."""
        user = user_key(server.environ.get(eio_sid, {}))
        claim = client_claim(auth)
        returning, base = None, ""  # without the store: a new connection that cannot recover
        try:
            if claim is not None:
                returning = await self._reclaim(server, eio_sid, namespace, user, claim)
            if returning is None:
                base = await self.store.position()
        except Exception:  # noqa: BLE001 - the store is down: connect without recovery
            logger.exception("connection state recovery is unavailable")
        if returning is not None:
            kept, after = returning
            self._returning[(namespace, kept.sid)] = (kept, after)
        else:
            kept = KeptConnection(new_pid(), "", namespace, base, user)
        self._connecting[(eio_sid, namespace)] = kept
        return without_claim(auth), kept.sid if returning is not None else None

    async def _reclaim(self, server: Any, eio_sid: str, namespace: str, user: str | None,
                       claim: Claim) -> tuple[KeptConnection, str] | None:
        """The kept connection a claim names and where its replay starts, if it may return."""
        if claim.offset is not None and self.store.parse(claim.offset) is None:
            return None  # not an offset this store gives: a new connection, nothing used up
        live = self.live.by_pid.get(claim.pid)
        if live is not None:  # its old transport may be dead but not noticed yet
            holder = self.live.by_sid[live]
            if live[0] != namespace or user is None or holder.user != user:
                return None  # only its own signed-in user may close a live connection
            old = server.manager.eio_sid_from_sid(live[1], namespace)
            if old is None or old == eio_sid:
                return None
            await server.eio.disconnect(old)  # which keeps it, taken just below
        kept = await self.store.take(namespace, user, claim.pid)
        if kept is None:
            return None
        after = await self.store.replay_from(kept, claim.offset)
        if after is None or server.manager.eio_sid_from_sid(kept.sid, namespace) is not None:
            return None
        return kept, after

    def connect_pid(self, eio_sid: str, namespace: str) -> str | None:
        """The pid the CONNECT packet of a connection being accepted carries."""
        kept = self._connecting.get((eio_sid, namespace))
        return kept.pid if kept is not None else None

    def is_returning(self, namespace: str, sid: str) -> bool:
        return (namespace, sid) in self._returning

    # Its checks passed ---------------------------------------------------------------

    async def restore(self, server: Any, sid: str, namespace: str) -> None:
        """Put a returning connection back in its rooms, with its data (before the
        connect handler, which sees them)."""
        kept, _ = self._returning[(namespace, sid)]
        for room in kept.rooms:
            await server.enter_room(sid, room, namespace)
        if kept.data:
            await server.save_session(sid, kept.data, namespace)

    async def started(self, eio_sid: str, namespace: str, sid: str,
                      send: Callable[[list[Any]], Awaitable[None]]) -> set[str]:
        """A connection was accepted: remember it; if it came back, ``send`` it the emits
        it missed, in order (their offsets are returned, so none goes twice)."""
        kept = self._connecting.pop((eio_sid, namespace))
        returning = self._returning.pop((namespace, sid), None) if kept.sid == sid else None
        kept.sid = sid
        self.live.add(kept)
        if returning is None:
            return set()
        try:
            missed = await self.store.missed(kept, returning[1])
        except Exception:  # noqa: BLE001 - the store went down since the claim was checked
            logger.exception("the events a recovered client missed could not be read")
            missed = []
        for emit in missed:
            await send([*emit.data, emit.offset])
        return {emit.offset for emit in missed}

    def forget(self, eio_sid: str, namespace: str) -> None:
        """Drop what a CONNECT being handled left (nothing, once it was accepted)."""
        kept = self._connecting.pop((eio_sid, namespace), None)
        if kept is not None:
            self._returning.pop((namespace, kept.sid), None)

    def left(self, namespace: str, sid: str) -> None:
        """A connection left its namespace on purpose: it is not kept."""
        self.live.pop(namespace, sid)

    # Its transport ended ------------------------------------------------------------

    async def dropped(self, server: Any, eio_sid: str) -> list[KeptConnection]:
        """The connections of a transport that ended, with their rooms and data, to keep
        (collected before python-socketio forgets them)."""
        kept = []
        for namespace in list(server.manager.get_namespaces()):
            sid = server.manager.sid_from_eio_sid(eio_sid, namespace)
            connection = self.live.pop(namespace, sid) if sid is not None else None
            if connection is None or not server.manager.is_connected(sid, namespace):
                continue
            connection.rooms = [room for room in server.manager.get_rooms(sid, namespace)
                                if room != sid]
            try:
                connection.data = dict(
                    (await server.eio.get_session(eio_sid)).get(namespace, {}))
            except KeyError:
                connection.data = {}
            kept.append(connection)
        return kept

    async def keep(self, kept: list[KeptConnection]) -> None:
        try:
            await self.store.keep(kept)
        except Exception:  # noqa: BLE001 - the store is down: these clients start anew
            logger.exception("dropped connections could not be kept for recovery")
        self._purge_later()

    # Every emit without an ack -------------------------------------------------------

    async def stamp(self, event: str, data: Any, namespace: str | None = None, to: Any = None,
                    room: Any = None, skip_sid: Any = None, **_: Any) -> tuple[Any, ...]:
        """Log an emit (python-socketio's ``emit`` arguments, without a callback); its
        arguments with the offset appended."""
        namespace = namespace_name(namespace)
        args = arguments(data)
        target = to if to is not None else room
        rooms = as_list(target) if target is not None else None
        try:
            offset = await self.store.record(namespace, rooms, as_list(skip_sid),
                                             encode_emit(namespace, [event, *args]))
        except Exception:  # noqa: BLE001 - the store is down: send it, unlogged
            logger.exception("an emit could not be logged for connection state recovery; "
                             "it is sent, but not replayed to clients away")
            return tuple(args)
        self._purge_later()
        return (*args, offset)

    # Expiry -------------------------------------------------------------------------

    def _purge_later(self) -> None:
        """Expired emits and connections go on a timer, not on the next emit: a burst
        followed by silence must not pin its memory (the timer stops when all is gone)."""
        if self._purging is None or self._purging.done():
            self._purging = asyncio.get_running_loop().create_task(self._purge())

    async def _purge(self) -> None:
        while True:
            await asyncio.sleep(self.purge_interval)
            try:
                if not await self.store.purge():
                    return
            except Exception:  # noqa: BLE001 - the store is down: the next emit retries
                logger.warning("expired recovery data could not be purged", exc_info=True)
                return

    async def close(self) -> None:
        if self._purging is not None:
            self._purging.cancel()
        await self.store.close()


def recovery_for(setting: Any, queue: str | None, queue_options: dict[str, Any] | None,
                 ping_budget: float) -> Recovery | None:
    """Recovery as ``ASYNCTION_CONNECTION_STATE_RECOVERY`` asks (None: off): in Redis when
    the message queue is Redis, else in this process. ``ping_budget`` is how long a dead
    transport may go unnoticed (ping interval plus timeout): emits are kept that much
    longer than the window."""
    options = RecoveryOptions.from_setting(setting)
    if options is None:
        return None
    retention = options.max_disconnection_duration + ping_budget
    if queue is not None and broker_of(queue) == "redis":
        channel = (queue_options or {}).get("channel") or "socketio"  # python-socketio's
        prefix = options.key_prefix or f"{channel}:recovery"
        return Recovery(options, RedisStore(queue, options, retention, prefix), retention)
    return Recovery(options, MemoryStore(options, retention), retention)


def ping_budget(socketio_options: dict[str, Any]) -> float:
    """How long a dead transport may go unnoticed: ping interval plus timeout, as
    ``ASYNCTION_SOCKETIO`` sets them, else python-engineio's own defaults."""
    defaults = inspect.signature(engineio.AsyncServer.__init__).parameters
    interval = socketio_options.get("ping_interval", defaults["ping_interval"].default)
    if isinstance(interval, (tuple, list)):  # (interval, grace period)
        interval = sum(interval)
    timeout = socketio_options.get("ping_timeout", defaults["ping_timeout"].default)
    return float(interval) + float(timeout)
