"""Who is on the other end of a Socket.IO connection.

:class:`ConnectionState` is what the server keeps per client and namespace (owned by the
namespace, dropped in one step at disconnect); :class:`Connection` is what handlers see
of it, through :func:`asynction_django.get_connection`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..credentials import Credentials
from ..exceptions import SecurityError
from ..names import DEFAULT_NAMESPACE


@dataclass(frozen=True)
class Connection:
    """A client's connection to one namespace, as handlers see it."""

    sid: str
    namespace: str
    environ: Mapping[str, Any] = field(repr=False)
    security: Mapping[str, Any] = field(default_factory=dict)
    recovered: bool = False  # it came back after a drop, with its sid, rooms and data

    @property
    def scope(self) -> Mapping[str, Any]:
        """The ASGI scope of the handshake request (with its Django session and user)."""
        scope: Mapping[str, Any] = self.environ.get("asgi.scope", {})
        return scope

    @property
    def user(self) -> Any:
        """The Django user of the handshake's session (``AnonymousUser`` if none)."""
        user = self.scope.get("user")
        if user is None:
            from django.contrib.auth.models import AnonymousUser

            return AnonymousUser()
        return user

    @property
    def session(self) -> Any:
        """The Django session of the handshake request, if the client sent its cookie."""
        return self.scope.get("session")


@dataclass
class ConnectionState:
    """What the server keeps about one client in one namespace while it is connected."""

    security: dict[str, Any] = field(default_factory=dict)  # what the security checks returned
    credentials: Credentials | None = None  # kept only when operations have security
    # Each operation guard's outcome, so info functions run once per connection.
    event_checks: dict[int, dict[str, Any] | SecurityError] = field(default_factory=dict)
    session: Any = None  # the Django session of the handshake, saved when handlers change it
    recovered: bool = False  # connection state recovery brought it back


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


def current_namespace(sid: str) -> str:
    """The namespace of the handler serving ``sid`` now, else the default namespace."""
    current = _handling.get()
    return current[1] if current is not None and current[0] == sid else DEFAULT_NAMESPACE
