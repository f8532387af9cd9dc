"""Who is on the other end of a Socket.IO connection: the one way handlers ask."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


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


_handling: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "asynction_handling", default=None
)


@contextmanager
def handling(sid: str, namespace: str) -> Iterator[None]:
    """Within this block, handlers serve ``sid`` in ``namespace`` (for ``get_connection``)."""
    token = _handling.set((sid, namespace))
    try:
        yield
    finally:
        _handling.reset(token)


def get_connection(sid: str, namespace: str | None = None) -> Connection:
    """The connection ``sid`` has to ``namespace``.

    Inside a handler the namespace defaults to the handler's own; elsewhere to ``/``.
    """
    if namespace is None:
        current = _handling.get()
        namespace = current[1] if current is not None and current[0] == sid else "/"
    from .runtime import get_server

    server = get_server()
    environ = server.get_environ(sid, namespace)
    if environ is None:
        raise LookupError(f"{sid!r} is not connected to {namespace!r}")
    return Connection(sid, namespace, environ, server.security_info(sid, namespace))
