"""Where revocation (:mod:`asynction_django.revocation`) learns that connections come and go.

A connection is indexed once it is accepted (python-socketio's ``_handle_connect`` has run
the namespace's security, so its security info is known) and forgotten wherever
python-socketio ends it: the server's ``disconnect`` (asked here, or through the message
queue by another process) and ``_handle_disconnect`` (the client left or its transport
ended). Connections outside the spec (the Admin UI's namespace, which re-checks its own
users) are left alone. Nothing here runs per event.
"""

from __future__ import annotations

from typing import Any

from ..names import namespace_name
from ..revocation import Revocations
from .presence_hooks import PresenceHooks


class RevocationHooks(PresenceHooks):
    """The layer of :class:`~.asynction_server.AsynctionServer` revocation hooks into (with
    presence's beneath)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.revocations = Revocations(self)

    async def _handle_connect(self, eio_sid: str, namespace: str | None, data: Any) -> None:
        await super()._handle_connect(eio_sid, namespace, data)
        namespace = namespace_name(namespace)
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None:
            return  # refused
        try:
            connection = self.connection(sid, namespace)
        except LookupError:
            return  # outside the spec
        self.revocations.connected(namespace, sid, connection.scope, connection.security)

    async def disconnect(self, sid: str, namespace: str | None = None,
                         ignore_queue: bool = False) -> None:
        await super().disconnect(sid, namespace, ignore_queue)
        self.revocations.left(namespace_name(namespace), sid)

    async def _handle_disconnect(self, eio_sid: str, namespace: str | None,
                                 reason: Any = None) -> None:
        namespace = namespace_name(namespace)
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        await super()._handle_disconnect(eio_sid, namespace, reason)
        if sid is not None:
            self.revocations.left(namespace, sid)
