"""Where presence (:mod:`asynction_django.presences`) learns that a connection's rooms changed.

python-socketio changes a connection's rooms in the server's ``enter_room``,
``leave_room``, ``close_room`` and ``disconnect`` (asked by the server), in
``_handle_disconnect`` (the client left or its transport ended) and when a connect is
refused after its handler entered rooms. Each hook runs after python-socketio's own work,
so presence reads the rooms as they now are; what no hook sees (a room changed through the
message queue by another process) presence reconciles at its next beat. Without
``x-presence`` in the spec every hook is one ``is None`` test.
"""

from __future__ import annotations

from typing import Any

import socketio

from ..names import namespace_name
from ..presences import Presence
from .connections import Connection


class PresenceHooks(socketio.AsyncServer):
    """The layer of :class:`~.asynction_server.AsynctionServer` presence hooks into."""

    presence: Presence | None = None  # set by building when a channel has x-presence

    def connection(self, sid: str, namespace: str) -> Connection:
        """The connection ``sid`` has to ``namespace`` (LookupError: none)."""
        environ = self.get_environ(sid, namespace)
        handler = self.namespace_handlers.get(namespace)
        state = getattr(handler, "connections", {}).get(sid)
        if environ is None or state is None:
            raise LookupError(f"{sid!r} is not connected to {namespace!r}")
        return Connection(sid, namespace, environ, state.security, state.recovered)

    async def enter_room(self, sid: str, room: Any, namespace: str | None = None) -> None:
        await super().enter_room(sid, room, namespace)
        if self.presence is not None:
            await self.presence.entered(sid, room, namespace_name(namespace))

    async def leave_room(self, sid: str, room: Any, namespace: str | None = None) -> None:
        await super().leave_room(sid, room, namespace)
        if self.presence is not None:
            await self.presence.left(sid, room, namespace_name(namespace))

    async def close_room(self, room: Any, namespace: str | None = None) -> None:
        await super().close_room(room, namespace)
        if self.presence is not None:
            await self.presence.closed(room, namespace_name(namespace))

    async def disconnect(self, sid: str, namespace: str | None = None,
                         ignore_queue: bool = False) -> None:
        await super().disconnect(sid, namespace, ignore_queue)
        if self.presence is not None:
            await self.presence.disconnected(sid, namespace_name(namespace))

    async def _handle_disconnect(self, eio_sid: str, namespace: str | None,
                                 reason: Any = None) -> None:
        namespace = namespace_name(namespace)
        presence = self.presence
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace) if presence else None
        await super()._handle_disconnect(eio_sid, namespace, reason)
        if presence is not None and sid is not None:
            await presence.disconnected(sid, namespace)

    async def _handle_connect(self, eio_sid: str, namespace: str | None, data: Any) -> None:
        await super()._handle_connect(eio_sid, namespace, data)
        namespace = namespace_name(namespace)
        if self.presence is not None and namespace in self.presence.rules:
            accepted = self.manager.sid_from_eio_sid(eio_sid, namespace) is not None
            await self.presence.connected(eio_sid, namespace, accepted)

    async def shutdown(self) -> None:
        await super().shutdown()
        if self.presence is not None:
            await self.presence.close()
