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
import time
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, Protocol

import engineio

from ..conf import RecoveryOptions, broker_of, queue_channel
from ..logs import recovery_logger as logger
from ..names import namespace_name
from .claims import Claim, client_claim, new_pid, opts_out, packet_offset, without_claim
from .fanout import Fanout
from .live_records import Live, LiveRecords, TakeOver
from .memory_store import MemoryStore
from .records import KeptConnection, LoggedEmit, arguments, as_list, encode_emit
from .redis_store import RedisStore

MAX_PURGE_INTERVAL = 5.0  # seconds between purges of expired emits and connections
# Seconds after a recovery during which live emits to that client are checked against what
# it has: an emit logged before the replay was read may still be on its way to this process.
REPLAY_OVERLAP = 10.0
ENDING_WAIT = 5.0  # seconds a claim waits for the old transport of its connection to end


class Stamped(NamedTuple):
    """An emit's arguments as sent (the offset last), and whether the log has it."""

    data: tuple[Any, ...]
    logged: bool


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
        # Engine.IO connections that said "recovery": false: no offsets, nothing kept.
        self.without_offsets: set[str] = set()
        self.purge_interval = min(MAX_PURGE_INTERVAL, retention / 4)
        self.records: LiveRecords | None = None  # in a fleet: see attach_fleet
        # In a fleet: emits reach the other processes through the log (fanout.py), so a
        # logged emit is delivered locally only; this process's reader, once attached.
        self.fans_out = False
        self.fanout: Fanout | None = None
        # Engine.IO sid -> (namespace, the newest offset replayed to it, until when)
        self.replayed_upto: dict[str, tuple[str, Any, float]] = {}
        self._purging: asyncio.Task[None] | None = None
        # In a fleet: whether an Engine.IO session's transport is known dead (its
        # WebSocket was tunnelled through a process that is gone).
        self.transport_gone: Callable[[str], Awaitable[bool]] | None = None

    # A CONNECT arrives --------------------------------------------------------------

    async def claim(self, server: Any, eio_sid: str, namespace: str,
                    auth: Any) -> tuple[Any, str | None]:
        """Decide whether a CONNECT comes back as a kept connection: the auth without the
        protocol's ``pid`` and ``offset``, and the sid it must get (None: a new one)."""
        user = user_key(server.environ.get(eio_sid, {}))
        if self.fanout is not None:
            self.fanout.start()  # before the connection's base is read: nothing falls between
        if opts_out(auth):
            self.without_offsets.add(eio_sid)
        claim = None if eio_sid in self.without_offsets else client_claim(auth)
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
        # Open here still: its old transport may be dead, not noticed yet. Closing it keeps
        # it (taken just below); a claim that may not close it is a new connection.
        if claim.pid in self.live.by_pid and not await self._close_for(
                server, claim.pid, namespace, user, eio_sid):
            return None
        kept = await self.store.take(namespace, user, claim.pid)
        if kept is None:
            return None
        records = self.records
        if records is not None and kept.node is not None and kept.node != records.node:
            handed = await records.take_over(kept.node, namespace, claim.pid, user)
            if handed is False:  # open there, and staying: put its record back
                await records.write(kept, self.live.by_sid.values, node=kept.node)
                return None
            if handed:  # that node closed it and kept it as of that moment: restore that
                kept = await self.store.take(namespace, user, claim.pid) or kept
            # None: its node is gone (SIGKILL): the record as last written is restored
        after = await self.store.replay_from(kept, claim.offset)
        if after is None or server.manager.eio_sid_from_sid(kept.sid, namespace) is not None:
            return None
        return kept, after

    def connect_pid(self, eio_sid: str, namespace: str) -> str | None:
        """The pid the CONNECT packet of a connection being accepted carries (none for a
        client that opted out: it then never tries to come back)."""
        if eio_sid in self.without_offsets:
            return None
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

    async def started(self, server: Any, eio_sid: str, namespace: str, sid: str,
                      send: Callable[[list[Any]], Awaitable[None]]) -> set[str]:
        """A connection was accepted: remember it; if it came back, ``send`` it the emits
        it missed, in order (their offsets are returned, so none goes twice)."""
        kept = self._connecting.pop((eio_sid, namespace))
        returning = self._returning.pop((namespace, sid), None) if kept.sid == sid else None
        kept.sid = sid
        self.live.add(kept)
        if self.records is not None and eio_sid not in self.without_offsets:
            await self._snapshot(server, eio_sid, kept)
            await self.records.write(kept, self.live.by_sid.values)
        if returning is None:
            return set()
        try:
            missed = await self.store.missed(kept, returning[1])
        except Exception:  # noqa: BLE001 - the store went down since the claim was checked
            logger.exception("the events a recovered client missed could not be read")
            missed = []
        for emit in missed:
            await send([*emit.data, emit.offset])
        # The client has every emit up to the newest replayed (or, with nothing missed, up
        # to the offset it presented): a process's fanout still behind that point must not
        # deliver those to it a second time.
        newest = self.store.parse(missed[-1].offset if missed else returning[1])
        self.replayed_upto[eio_sid] = (namespace, newest, time.monotonic() + REPLAY_OVERLAP)
        return {emit.offset for emit in missed}

    def repeats_replay(self, eio_sid: str, pkt: Any) -> bool:
        """Whether a live emit to a client that just recovered is one it has already (it was
        logged before the replay was read, or before the offset the client presented, and
        reached this process after)."""
        return self.has_already(eio_sid, namespace_name(pkt.namespace), packet_offset(pkt))

    def has_already(self, eio_sid: str, namespace: str, offset: str | None) -> bool:
        """Whether the emit logged at ``offset`` is one a client that just recovered has
        (see :meth:`repeats_replay`; also for what was held while it connected)."""
        guard = self.replayed_upto.get(eio_sid)
        if guard is None or offset is None:
            return False
        guarded, newest, until = guard
        if time.monotonic() > until:
            del self.replayed_upto[eio_sid]
            return False
        parsed = self.store.parse(offset)
        return namespace == guarded and parsed is not None and parsed <= newest

    def forget(self, eio_sid: str, namespace: str) -> None:
        """Drop what a CONNECT being handled left (nothing, once it was accepted)."""
        kept = self._connecting.pop((eio_sid, namespace), None)
        if kept is not None:
            self._returning.pop((namespace, kept.sid), None)

    async def left(self, namespace: str, sid: str) -> None:
        """A connection left its namespace on purpose: it is not kept."""
        kept = self.live.pop(namespace, sid)
        if kept is not None and self.records is not None and kept.node is not None:
            await self.records.forget(kept)

    async def changed(self, server: Any, sid: str, namespace: str) -> None:
        """A connection's rooms or data changed: in a fleet, its record is written again."""
        kept = self.live.by_sid.get((namespace, sid))
        if kept is None or self.records is None or kept.node is None:
            return
        eio_sid = server.manager.eio_sid_from_sid(sid, namespace)
        if eio_sid is not None:
            await self._snapshot(server, eio_sid, kept)
            await self.records.write(kept, self.live.by_sid.values)

    async def _snapshot(self, server: Any, eio_sid: str, kept: KeptConnection) -> None:
        """``kept``'s rooms and ``get_session()`` data, as they are now."""
        kept.rooms = [room for room in server.manager.get_rooms(kept.sid, kept.namespace)
                      if room != kept.sid]
        try:
            kept.data = dict((await server.eio.get_session(eio_sid)).get(kept.namespace, {}))
        except KeyError:
            kept.data = {}

    def attach_fleet(self, node: str, take_over: TakeOver,
                     deliver: Callable[[LoggedEmit], Awaitable[None]]) -> None:
        """Keep connected clients' records in Redis (live_records) and deliver the other
        processes' emits from the log (fanout): a fleet."""
        if isinstance(self.store, RedisStore):
            self.store.node = node
            self.records = LiveRecords(self.store, node,
                                       self.options.max_disconnection_duration, take_over)
            self.fanout = Fanout(self.store, node, deliver)

    async def hand_over(self, server: Any, namespace: str, pid: str,
                        user: str | None) -> bool:
        """Another node's claim on a connection open here: close its transport, which
        keeps it (only for its own signed-in user, on its own namespace)."""
        if pid not in self.live.by_pid:
            return True  # not open here (any more): what the store has is the newest
        return await self._close_for(server, pid, namespace, user)

    async def _close_for(self, server: Any, pid: str, namespace: str, user: str | None,
                         claimant: str | None = None) -> bool:
        """Close the open connection ``pid`` names for a claim on it (which keeps it), if
        the claim may: only its own signed-in user may close a connection that works; any
        holder of its pid may take one whose transport is known dead (tunnelled through a
        process that was killed), as it may take one that dropped."""
        namespace_of, sid = self.live.by_pid[pid]
        eio_sid = server.manager.eio_sid_from_sid(sid, namespace)
        if namespace_of != namespace or eio_sid is None or eio_sid == claimant:
            return False
        socket = server.eio.sockets.get(eio_sid)
        ending = socket is None or socket.closing or socket.closed
        if not ending and (user is None or self.live.by_sid[(namespace, sid)].user != user):
            gone = self.transport_gone
            if gone is None or not await gone(eio_sid):
                return False
        if not ending:
            await server.eio.disconnect(eio_sid)  # which keeps it
        # A transport already ending (its client is back before this process noticed it
        # was gone) is waited for: its record is kept as it leaves.
        deadline = time.monotonic() + ENDING_WAIT
        while (server.manager.eio_sid_from_sid(sid, namespace) is not None
               and time.monotonic() < deadline):
            await asyncio.sleep(0.01)
        return server.manager.eio_sid_from_sid(sid, namespace) is None

    # Its transport ended ------------------------------------------------------------

    async def dropped(self, server: Any, eio_sid: str) -> list[KeptConnection]:
        """The connections of a transport that ended, with their rooms and data, to keep
        (collected before python-socketio forgets them)."""
        kept = []
        self.replayed_upto.pop(eio_sid, None)
        opted_out = eio_sid in self.without_offsets
        self.without_offsets.discard(eio_sid)
        for namespace in list(server.manager.get_namespaces()):
            sid = server.manager.sid_from_eio_sid(eio_sid, namespace)
            connection = self.live.pop(namespace, sid) if sid is not None else None
            if opted_out:
                continue
            if connection is None or not server.manager.is_connected(sid, namespace):
                continue
            await self._snapshot(server, eio_sid, connection)
            connection.node = None  # dropped: nobody holds it any more
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
                    room: Any = None, skip_sid: Any = None, **_: Any) -> Stamped:
        """Log an emit (python-socketio's ``emit`` arguments, without a callback); its
        arguments with the offset appended, and whether it was logged."""
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
            return Stamped(tuple(args), logged=False)
        self._purge_later()
        return Stamped((*args, offset), logged=True)

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
                 ping_budget: float, fleet: bool = False) -> Recovery | None:
    """Recovery as ``ASYNCTION_CONNECTION_STATE_RECOVERY`` asks (None: off): in Redis when
    the message queue is Redis, else in this process. ``ping_budget`` is how long a dead
    transport may go unnoticed (ping interval plus timeout): emits are kept that much
    longer than the window. In a ``fleet`` (Redis, forwarding on) the processes deliver
    each other's emits from the log (:mod:`.fanout`), not through pub/sub."""
    options = RecoveryOptions.from_setting(setting)
    if options is None:
        return None
    retention = options.max_disconnection_duration + ping_budget
    if queue is not None and broker_of(queue) == "redis":
        prefix = options.key_prefix or f"{queue_channel(queue_options)}:recovery"
        recovery = Recovery(options, RedisStore(queue, options, retention, prefix), retention)
        recovery.fans_out = fleet
        return recovery
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
