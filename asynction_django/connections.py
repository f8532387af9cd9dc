"""Who is on the other end of a Socket.IO connection: the one way handlers ask."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .runtime import get_server


@dataclass(frozen=True)
class Connection:
    """A client's connection to one namespace, as handlers see it."""

    sid: str
    namespace: str
    environ: Mapping[str, Any] = field(repr=False)
    security: Mapping[str, Any] = field(default_factory=dict)

    @property
    def scope(self) -> Mapping[str, Any]:
        """The ASGI scope of the handshake request (Channels' middleware filled it)."""
        return self.environ.get("asgi.scope", {})

    @property
    def user(self) -> Any:
        """The Django user Channels' auth middleware loaded (``AnonymousUser`` if none)."""
        user = self.scope.get("user")
        if user is None:
            from django.contrib.auth.models import AnonymousUser

            return AnonymousUser()
        return user

    @property
    def session(self) -> Any:
        """The Django session of the handshake request, if the client sent its cookie."""
        return self.scope.get("session")


def get_connection(sid: str, namespace: str = "/") -> Connection:
    """The connection ``sid`` has to ``namespace``; works in every handler and outside them."""
    server = get_server()
    environ = server.get_environ(sid, namespace)
    if environ is None:
        raise LookupError(f"{sid!r} is not connected to {namespace!r}")
    return Connection(sid, namespace, environ, server.security_info(sid, namespace))
