"""Ending the connections whose credentials no longer hold, on every process.

The server hands its :class:`Revocations` each connection as it is accepted and as it
leaves (:mod:`asynction_django.server.revocation_hooks`); that is the only work done per
connection (an index entry, and a timer when its credentials expire), and none is done per
event. A revocation — a logout, a deactivated or deleted user, ``revoke_user()`` — is
published to the other processes first, so they start at once, then applied here; each
process ends what its own index finds. Every connection ended is told why
(:mod:`.notice`) just before its DISCONNECT. An expiry is the one renewable end: with
connection state recovery on, the connection is kept as a dropped one would be, so that its
client, back with fresh credentials and its ``pid``, gets its session back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Mapping
from typing import Any

from ..logs import revocation_logger as logger
from ..queues.managers import ProjectMessages
from .expiry import expiry_of
from .index import Address, ConnectionIndex, Revocation, session_digest, user_key
from .notice import EVENT, EXPIRED, notice

METHOD = "asynction:revoke"  # the kind of message revocations travel as, between processes


class Revocations:
    """This process's connections by user and session, their expiry timers, and the way
    to end them."""

    def __init__(self, server: Any):
        self.server = server  # an AsynctionServer
        self.index = ConnectionIndex()
        self._expiries: dict[Address, asyncio.TimerHandle] = {}
        self._ending: set[Address] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        manager = server.manager
        self.broker = manager if isinstance(manager, ProjectMessages) else None
        if self.broker is not None:
            self.broker.on_message(METHOD, self.received)

    # Connections come and go ------------------------------------------------------------

    def connected(self, namespace: str, sid: str, scope: Mapping[str, Any],
                  security: Mapping[str, Any]) -> None:
        """Index an accepted connection; time its end when its credentials expire."""
        address = (namespace, sid)
        users = [key for key in (user_key(scope.get("user")), user_key(security.get("user")))
                 if key is not None]
        session = session_digest(getattr(scope.get("session"), "session_key", None))
        self.index.add(address, users, session)
        self._cancel_expiry(address)
        try:
            expires = expiry_of(security)
        except ValueError:  # refused at connect (security.py); a handler changed it since
            expires = None
        if expires is not None:
            self._expiries[address] = asyncio.get_running_loop().call_later(
                max(0.0, expires - time.time()), self._expired, address)

    def left(self, namespace: str, sid: str) -> None:
        self.index.remove((namespace, sid))
        self._cancel_expiry((namespace, sid))

    def _cancel_expiry(self, address: Address) -> None:
        timer = self._expiries.pop(address, None)
        if timer is not None:
            timer.cancel()

    def _expired(self, address: Address) -> None:
        self._expiries.pop(address, None)
        self._spawn(self.end(*address, EXPIRED, renewable=True))

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Revocations --------------------------------------------------------------------------

    async def revoke(self, revocation: Revocation) -> int:
        """End what ``revocation`` reaches on every process; how many ended here."""
        if self.broker is not None:
            await self.broker.publish_message(METHOD, revocation.as_fields())
        return await self.apply(revocation)

    async def received(self, message: dict[str, Any]) -> None:
        """Another process's revocation, from the broker."""
        revocation = Revocation.from_fields(message)
        if revocation is None:
            logger.warning("ignored a malformed revocation from the message queue")
            return
        await self.apply(revocation)

    async def apply(self, revocation: Revocation) -> int:
        """End this process's connections ``revocation`` reaches; how many."""
        ended = 0
        for namespace, sid in self.index.reached_by(revocation):
            ended += await self.end(namespace, sid, revocation.reason, revoked=revocation)
        if ended:
            logger.info("ended %d connection(s): %s", ended, revocation.reason)
        return ended

    async def end(self, namespace: str, sid: str, reason: str, renewable: bool = False,
                  revoked: Revocation | None = None) -> bool:
        """Tell the client why, then disconnect it from ``namespace``; whether it was here.

        The user and session of a connection's handshake are loaded once, for its whole
        transport: when ``revoked`` names them, the transport's user becomes anonymous
        first, or the client could CONNECT again on it as the user who is gone.
        """
        address = (namespace, sid)
        server = self.server
        if address in self._ending or not server.manager.is_connected(sid, namespace):
            return False
        self._ending.add(address)
        try:
            if revoked is not None:
                _sign_out(server.environ.get(server.manager.eio_sid_from_sid(sid, namespace)),
                          revoked)
            # Past the spec's checks and recovery's log: the notice is this server's own.
            await server.manager.emit(EVENT, notice(reason, renewable), namespace=namespace,
                                      room=sid, ignore_queue=True)
            kept = await self._kept_for_return(namespace, sid) if renewable else None
            await server.disconnect(sid, namespace, ignore_queue=True)
            if kept is not None:
                await server.recovery.keep([kept])
        finally:
            self._ending.discard(address)
        return True

    async def _kept_for_return(self, namespace: str, sid: str) -> Any:
        """With recovery on, the connection as a drop keeps it (its rooms, its data and
        where its replay starts), taken out of recovery's live connections so that the
        disconnect that follows does not end its session for good; None otherwise."""
        server = self.server
        recovery = server.recovery
        eio_sid = server.manager.eio_sid_from_sid(sid, namespace)
        if recovery is None or eio_sid is None or eio_sid in recovery.without_offsets:
            return None
        kept = recovery.live.pop(namespace, sid)
        if kept is None:
            return None
        kept.rooms = [room for room in server.manager.get_rooms(sid, namespace) if room != sid]
        try:
            kept.data = dict((await server.eio.get_session(eio_sid)).get(namespace, {}))
        except KeyError:
            kept.data = {}
        kept.node = None  # nobody holds it now
        return kept


def _sign_out(environ: Mapping[str, Any] | None, revoked: Revocation) -> None:
    """Make a transport's handshake anonymous when ``revoked`` names its user or session,
    as Django's ``logout()`` makes ``request.user`` anonymous."""
    scope = (environ or {}).get("asgi.scope")
    if not isinstance(scope, dict) or user_key(scope.get("user")) is None:
        return
    session = session_digest(getattr(scope.get("session"), "session_key", None))
    if user_key(scope["user"]) in revoked.users or session in revoked.sessions:
        from django.contrib.auth.models import AnonymousUser  # auth is installed: a user is here

        scope["user"] = AnonymousUser()
