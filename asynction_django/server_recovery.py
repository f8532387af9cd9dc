"""The recovery half of :class:`~asynction_django.server.AsynctionServer`.

With ``ASYNCTION_CONNECTION_STATE_RECOVERY`` on, a CONNECT that claims a kept session
(:mod:`.recovery`) gets its sid back (python-socketio asks the engine for the id), its
rooms and ``get_session()`` data, and the packets it missed, before anything new; a
connection whose transport ends has its sessions kept.
"""

from __future__ import annotations

from typing import Any

import socketio
from socketio import packet

from .queues import broker_logger
from .recovery import Session, client_claim, new_pid, user_key, without_claim


class RecoveryMixin:
    """Connection state recovery for a ``socketio.AsyncServer`` with ``self.recovery``."""

    async def _prepare_session(self, eio_sid: str, namespace: str, auth: Any) -> Any:
        """Find the session a CONNECT claims (its sid is then reused); return the auth
        without the protocol's ``pid`` and ``offset``."""
        recovery = self.recovery
        claim = client_claim(auth)
        environ = self.environ.get(eio_sid, {})
        restored, base = None, ""  # without the store: a new session that cannot recover
        try:
            restored = await self._reclaim(eio_sid, namespace, *claim) if claim else None
            if restored is None:
                base = await recovery.store.position()
        except Exception:  # noqa: BLE001 - the store is down: connect without recovery
            broker_logger.exception("connection state recovery is unavailable")
        if restored is not None:
            session, offset = restored
            recovery.restoring[(namespace, session.sid)] = (session, offset)
            self.eio.reused_id = session.sid  # python-socketio asks the engine for an id
        else:
            session = Session(new_pid(), "", namespace, base, user_key(environ))
        recovery.pending[(eio_sid, namespace)] = session
        return without_claim(auth)

    async def _reclaim(self, eio_sid: str, namespace: str, pid: str,
                       offset: str | None) -> tuple[Session, str] | None:
        """The kept session ``pid`` names and the offset to replay from, if it may return."""
        recovery = self.recovery
        user = user_key(self.environ.get(eio_sid, {}))
        live = recovery.live.by_pid.get(pid)
        if live is not None:  # its old transport is dead but not noticed yet: replace it
            if recovery.live.by_sid[live].user != user:
                return None
            old = self.manager.eio_sid_from_sid(live[1], live[0])
            if old is None or old == eio_sid:
                return None
            await self.eio.disconnect(old)  # which keeps its session, taken just below
        session = await recovery.store.take(pid)
        if session is None or session.namespace != namespace or session.user != user:
            return None
        offset = session.base if offset is None else offset
        if not await recovery.store.covers(offset) or self.manager.eio_sid_from_sid(
                session.sid, namespace) is not None:
            return None
        return session, offset

    async def restore_session(self, sid: str, namespace: str) -> None:
        """Put a returning session back in its rooms, with its data (the namespace calls
        this once its checks passed, before the connect handler, which sees them)."""
        session, _ = self.recovery.restoring[(namespace, sid)]
        for room in session.rooms:
            await self.enter_room(sid, room, namespace)
        if session.data:
            await self.save_session(sid, session.data, namespace)

    async def _start_session(self, eio_sid: str, namespace: str, sid: str) -> set[str]:
        """A session was accepted: remember it; if it came back, replay what it missed
        (their offsets are returned)."""
        recovery = self.recovery
        session = recovery.pending.pop((eio_sid, namespace))
        session.sid = sid
        recovery.live.add(session)
        restored = recovery.restoring.pop((namespace, sid), None)
        if restored is None:
            return set()
        offset = restored[1]
        try:
            missed = await recovery.store.missed(session, offset)
        except Exception:  # noqa: BLE001 - the store went down since the claim was checked
            broker_logger.exception("the events a recovered client missed could not be read")
            missed = []
        for kept in missed:
            await socketio.AsyncServer._send_packet(self, eio_sid, self.packet_class(
                packet.EVENT, namespace=namespace, data=[*kept.data, kept.offset]))
        return {kept.offset for kept in missed}

    async def keep_sessions(self, sessions: list[Session]) -> None:
        try:
            await self.recovery.store.keep(sessions)
        except Exception:  # noqa: BLE001 - the store is down: these clients start anew
            broker_logger.exception("dropped sessions could not be kept for recovery")

    async def _keep_sessions(self, eio_sid: str) -> list[Session]:
        """The sessions of a connection whose transport ended, to keep for recovery."""
        kept = []
        for namespace in list(self.manager.get_namespaces()):
            sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
            session = self.recovery.live.pop(namespace, sid) if sid is not None else None
            if session is None or not self.manager.is_connected(sid, namespace):
                continue
            session.rooms = [room for room in self.manager.get_rooms(sid, namespace)
                             if room != sid]
            try:
                session.data = dict((await self.eio.get_session(eio_sid)).get(namespace, {}))
            except KeyError:
                session.data = {}
            kept.append(session)
        return kept


def packet_offset(pkt: Any) -> str | None:
    """The recovery offset an event carries (its last argument), if any."""
    if pkt.packet_type in (packet.EVENT, packet.BINARY_EVENT) and pkt.id is None and len(
            pkt.data) > 1 and isinstance(pkt.data[-1], str):
        return pkt.data[-1]
    return None
