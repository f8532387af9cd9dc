"""Connection state recovery: a dropped client comes back with its id, rooms and missed emits.

``service`` holds the steps the server calls, ``claims`` the protocol's words on the wire,
``records`` what is kept, and one module per store (``memory_store``, ``redis_store``).
"""

from .claims import packet_offset, without_offset
from .records import KeptConnection, LoggedEmit
from .service import Recovery, ping_budget, recovery_for

__all__ = ["KeptConnection", "LoggedEmit", "Recovery", "packet_offset", "ping_budget",
           "recovery_for", "without_offset"]
