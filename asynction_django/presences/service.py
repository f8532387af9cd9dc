"""Presence (the spec's ``x-presence``): who is in each room, kept as connections move.

The server calls :meth:`Presence.settle` (through :meth:`~Presence.entered`,
:meth:`~Presence.left`, :meth:`~Presence.closed`, :meth:`~Presence.disconnected`)
whenever a connection may have entered or left a room. ``settle`` does not trust the
hook's word: it compares what this process counts with the rooms python-socketio holds
and fixes the difference, so a connection is never counted twice nor missed, whichever
way its rooms changed. When a member's first connection arrives in a room, or its last
one leaves, the room is sent the namespace's join or leave event through the server's
own emit, validated against the spec like any other.

A beat every ``ttl / 3`` seconds renews this process's claim in the store (writing its
share again if the claim had lapsed, and what a failed write left out), sweeps the
processes that died (the rooms are told who left with them) and reconciles the rooms
changed behind the hooks' back: another process's ``close_room`` through the message
queue, a connect refused after its handler entered rooms.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..conf import PresenceOptions, broker_of, queue_channel
from ..exceptions import AsynctionError
from ..handlers import Handler
from ..logs import client_logger
from ..logs import presence_logger as logger
from ..spec import Location, Namespace
from .identity import Identity, identify
from .memory_store import MemoryStore
from .records import Change, Departure, Ledger, Member, diff
from .redis_store import RedisStore
from .rules import Rule, room_pattern

# Seconds a room change may wait for the store: a Redis that stopped answering holds no
# handler's enter_room longer (the change is written again at a later beat).
WRITE_TIMEOUT = 5.0


class Store(Protocol):
    """What :class:`MemoryStore` and :class:`RedisStore` both do."""

    async def write(self, change: Change) -> tuple[int, int]: ...
    async def members(self, namespace: str, room: str) -> list[Member]: ...
    async def beat(self) -> bool: ...
    async def sweep(self) -> list[Departure]: ...
    async def close(self) -> None: ...


@dataclass
class Attendance:
    """One connection as presence counts it: who it is, and the rooms it is counted in."""

    eio_sid: str | None
    identity: Identity | None  # None: its info function left it out of presence
    rooms: set[str] = field(default_factory=set)


class Presence:
    """The namespaces' rules, the store, and this process's connections."""

    def __init__(self, rules: dict[str, Rule], store: Store, ledger: Ledger,
                 options: PresenceOptions):
        self.rules = rules
        self.store = store
        self.ledger = ledger
        self.options = options
        self.interval = options.ttl / 3
        self.server: Any = None  # the AsynctionServer, once attached
        self.attending: dict[tuple[str, str], Attendance] = {}
        self._sids: dict[tuple[str, str | None], str] = {}  # (namespace, Engine.IO sid) -> sid
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._beating: asyncio.Task[None] | None = None
        # Changes the store did not take (namespace, room, member -> info): written again,
        # as they are by then, at the next beat.
        self._unwritten: dict[tuple[str, str, str], str] = {}

    def attach(self, server: Any) -> None:
        self.server = server

    # The server's hooks -------------------------------------------------------------

    async def entered(self, sid: str, room: Any, namespace: str) -> None:
        rule = self.rules.get(namespace)
        if rule is not None and rule.keeps(room):
            await self.settle(namespace, sid, (room,))

    left = entered  # the same check: settle finds out which way it went

    async def closed(self, room: Any, namespace: str) -> None:
        """A room was closed (everyone in it left at once)."""
        for (where, sid), attendance in list(self.attending.items()):
            if where == namespace and room in attendance.rooms:
                await self.settle(namespace, sid, (room,))

    async def disconnected(self, sid: str, namespace: str) -> None:
        if (namespace, sid) in self.attending:
            await self.settle(namespace, sid)

    async def connected(self, eio_sid: str, namespace: str, accepted: bool) -> None:
        """A connect was handled (the beat runs from the first one on); refused, whatever
        rooms its handler entered are left."""
        self._keep_beating()
        sid = None if accepted else self._sids.get((namespace, eio_sid))
        if sid is not None:
            await self.settle(namespace, sid)

    # Counting a connection as python-socketio holds it -------------------------------

    async def settle(self, namespace: str, sid: str, rooms: Iterable[str] | None = None) -> None:
        """Count ``sid`` in exactly those of ``rooms`` (None: all of its rooms) that
        python-socketio has it in; forget it once it is disconnected."""
        self._keep_beating()
        key = (namespace, sid)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            rule = self.rules[namespace]
            attendance = self.attending.get(key)
            connected = self._connected(namespace, sid)
            if rooms is None or not connected:
                rooms = set(attendance.rooms if attendance else ()) | self._rooms_of(rule, sid)
            candidates = [room for room in rooms if self._keeps(rule, room)]
            if attendance is None and any(self._inside(namespace, sid, room)
                                          for room in candidates):
                attendance = await self._attend(rule, sid)
            if attendance is not None:
                for room in candidates:
                    inside = self._inside(namespace, sid, room)  # asked again after awaits
                    if inside and room not in attendance.rooms:
                        await self._join(rule, attendance, room)
                    elif not inside and room in attendance.rooms:
                        await self._leave(rule, attendance, room)
                if not self._connected(namespace, sid):  # gone meanwhile: every room left
                    for room in list(attendance.rooms):
                        await self._leave(rule, attendance, room)
                    self.attending.pop(key, None)
                    self._sids.pop((namespace, attendance.eio_sid), None)
        if key not in self.attending and not lock.locked():
            self._locks.pop(key, None)

    async def _attend(self, rule: Rule, sid: str) -> Attendance | None:
        try:
            connection = self.server.connection(sid, rule.namespace)
        except LookupError:
            return None  # not (or no longer) a connection of the spec's namespace
        identity = await identify(connection, rule.info)
        attendance = Attendance(self.server.manager.eio_sid_from_sid(sid, rule.namespace),
                                identity)
        self.attending[(rule.namespace, sid)] = attendance
        self._sids[(rule.namespace, attendance.eio_sid)] = sid
        return attendance

    async def _join(self, rule: Rule, attendance: Attendance, room: str) -> None:
        identity = attendance.identity
        if identity is None:
            return
        if len(attendance.rooms) >= self.options.max_rooms:
            client_logger.warning("a connection to %s entered more than %d presence rooms: it "
                                  "is not counted in the others (ASYNCTION_PRESENCE "
                                  "max_rooms)", rule.namespace, self.options.max_rooms)
            return
        attendance.rooms.add(room)
        await self._write(rule, self.ledger.add(rule.namespace, room, identity.member,
                                                identity.info))

    async def _leave(self, rule: Rule, attendance: Attendance, room: str) -> None:
        attendance.rooms.discard(room)
        if attendance.identity is None:
            return
        change = self.ledger.remove(rule.namespace, room, attendance.identity.member)
        if change is not None:
            await self._write(rule, change)

    async def _write(self, rule: Rule, change: Change) -> None:
        """Write a change; tell the room when the member arrived or went (fleet-wide)."""
        try:
            before, after = await asyncio.wait_for(self.store.write(change), WRITE_TIMEOUT)
        except Exception:  # noqa: BLE001 - the store is down: written again at the next beat
            logger.exception("presence could not be written; it is written again at the "
                             "next beat")
            self._unwritten[(change.namespace, change.room, change.member)] = change.info
            return
        if before == 0 < after:
            await self.tell(rule.join, rule.namespace, change.room, change.member, change.info)
        elif after == 0 < before:
            await self.tell(rule.leave, rule.namespace, change.room, change.member, change.info)

    async def tell(self, event: str, namespace: str, room: str, member: str, info: str) -> None:
        """Send a join or leave event to the room (validated: the spec says its shape)."""
        try:
            await self.server.emit(event, diff(room, member, info), room=room,
                                   namespace=namespace)
        except AsynctionError as exc:
            logger.error("presence could not send %r to room %r of %s: %s", event, room,
                         namespace, exc)
        except Exception:  # noqa: BLE001 - the broker: the room misses one diff
            logger.exception("presence could not send %r to room %r of %s", event, room,
                             namespace)

    # What python-socketio holds ----------------------------------------------------

    def _connected(self, namespace: str, sid: str) -> bool:
        manager = self.server.manager
        return (sid in manager.rooms.get(namespace, {}).get(None, ())
                and sid not in manager.pending_disconnect.get(namespace, ()))

    def _inside(self, namespace: str, sid: str, room: str) -> bool:
        return (self._connected(namespace, sid)
                and sid in self.server.manager.rooms[namespace].get(room, ()))

    def _keeps(self, rule: Rule, room: Any) -> bool:
        """A room presence counts: one the rule names, not a connection's own sid room."""
        return rule.keeps(room) and room not in self.server.manager.rooms.get(
            rule.namespace, {}).get(None, ())

    def _rooms_of(self, rule: Rule, sid: str) -> set[str]:
        rooms = self.server.manager.rooms.get(rule.namespace, {})
        return {room for room, inside in rooms.items()
                if sid in inside and room is not None and self._keeps(rule, room)}

    # The beat ----------------------------------------------------------------------

    def _keep_beating(self) -> None:
        if self._beating is None or self._beating.done():
            self._beating = asyncio.get_running_loop().create_task(self._beat_forever())

    async def _beat_forever(self) -> None:
        while True:
            try:
                await self.beat()
            except Exception:  # noqa: BLE001 - the store is down: the next beat tries again
                logger.exception("presence: the store is unreachable or failing")
            await asyncio.sleep(self.interval)

    async def beat(self) -> None:
        """Renew the claim (writing everything again if it lapsed), sweep the dead
        processes and reconcile the rooms."""
        lapsed = not await self.store.beat()
        unwritten, self._unwritten = self._unwritten, {}
        changes = [self.ledger.now(*key, info) for key, info in unwritten.items()]
        for change in changes + (self.ledger.changes() if lapsed else []):
            await self._write(self.rules[change.namespace], change)
        for departure in await self.store.sweep():
            rule = self.rules.get(departure.namespace)
            if rule is not None:
                await self.tell(rule.leave, departure.namespace, departure.room,
                                departure.member, departure.info)
        await self.reconcile()

    async def reconcile(self) -> None:
        """Settle every connection whose count differs from python-socketio's rooms."""
        if self.server is None:
            return
        for namespace, rule in self.rules.items():
            for sid in self._unsettled(rule):
                await self.settle(namespace, sid)

    def _unsettled(self, rule: Rule) -> set[str]:
        namespace = rule.namespace
        found = set()
        for room, inside in list(self.server.manager.rooms.get(namespace, {}).items()):
            if room is None or not self._keeps(rule, room):
                continue
            for sid in list(inside):
                attendance = self.attending.get((namespace, sid))
                if attendance is None or (
                        attendance.identity is not None and room not in attendance.rooms
                        and len(attendance.rooms) < self.options.max_rooms):
                    found.add(sid)
        for (where, sid), attendance in list(self.attending.items()):
            if where == namespace and (not self._connected(namespace, sid) or not all(
                    self._inside(namespace, sid, room) for room in attendance.rooms)):
                found.add(sid)
        return found

    # Reading -----------------------------------------------------------------------

    async def members(self, room: str, namespace: str) -> list[Member]:
        """Who is in ``room`` of ``namespace``, over every process."""
        rule = self.rules.get(namespace)
        if rule is None:
            raise LookupError(f"namespace {namespace!r} keeps no presence: its channel has no "
                              "x-presence")
        if not rule.keeps(room):
            raise LookupError(f"room {room!r} of {namespace!r} keeps no presence: it is not "
                              "one of the rooms its x-presence names")
        return await self.store.members(namespace, room)

    async def close(self) -> None:
        """At shutdown: the beat stops, and the store lets go of this process's claim."""
        if self._beating is not None:
            self._beating.cancel()
        try:
            await self.store.close()
        except Exception:  # noqa: BLE001 - Redis is down: the claim expires by itself
            logger.exception("presence: the store could not be closed")


def presence_for(namespaces: dict[str, Namespace], setting: Any, queue: str | None,
                 queue_options: Any,
                 info_handler: Callable[[str, Location], Handler | None]) -> Presence | None:
    """Presence for the spec's ``x-presence`` channels (None: none has it): in Redis when
    the message queue is Redis, else in this process. ``info_handler`` imports an info
    function (None: it cannot be, and the problem is reported). ValueError names a
    setting that cannot serve it."""
    declared = {name: namespace.presence for name, namespace in namespaces.items()
                if namespace.presence is not None}
    if not declared:
        return None
    options = PresenceOptions.from_setting(setting)
    broker = broker_of(queue)
    if queue is not None and broker != "redis":
        raise ValueError("x-presence needs ASYNCTION_MESSAGE_QUEUE on Redis (or no message "
                         "queue): the processes must share who is in each room")
    rules = {name: Rule(name, room_pattern(presence.rooms),
                        info_handler(presence.info, presence.location.child("info"))
                        if presence.info else None, presence.join, presence.leave)
             for name, presence in declared.items()}
    ledger = Ledger()
    store: Store = MemoryStore(ledger)
    if queue is not None:
        prefix = options.key_prefix or f"{queue_channel(queue_options)}:presence"
        store = RedisStore(queue, prefix, options.ttl)
    return Presence(rules, store, ledger, options)
