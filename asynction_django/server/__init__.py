"""The protocol path: python-socketio's server, held to the spec and to the protocol.

The modules, in the order a client's packet meets them:

- ``origins``: the ``Origin`` check, by the rules of Django's CSRF protection;
- ``engine``: python-engineio's server and socket (:class:`GuardedSocket`), held to the
  Engine.IO protocol and to its limits;
- ``codec``: the JSON decoder every packet goes through, built once;
- ``packets``: what a client's Socket.IO packet must look like before anything acts on it;
- ``asynction_server``: the spec-aware ``socketio.AsyncServer`` (:class:`AsynctionServer`):
  emits and acks checked, connect-time emits held back, backpressure;
- ``namespaces``: one spec channel as a python-socketio namespace (handshake, security,
  payload, handler, ack);
- ``connections``: who is on the other end (:class:`Connection`, what handlers see);
- ``watchdog``: handler timeouts without a timer each;
- ``django_scope``: the Django session and user of a connection, loaded at its handshake
  (an ASGI middleware in front of all of the above).
"""

from .asynction_server import AsynctionServer, OutgoingEvent
from .connections import Connection, ConnectionState
from .django_scope import ConnectionScopeMiddleware, save_django_session
from .engine import EngineServer, GuardedSocket, GuardedWebSocket
from .namespaces import EventRoute, SpecNamespace
from .origins import origin_allowed
from .watchdog import Watchdog

__all__ = [
    "AsynctionServer", "Connection", "ConnectionScopeMiddleware", "ConnectionState",
    "EngineServer", "EventRoute", "GuardedSocket", "GuardedWebSocket", "OutgoingEvent",
    "SpecNamespace", "Watchdog", "origin_allowed", "save_django_session",
]
