"""Presence, from the spec (``x-presence``): who is in each room, across every process.

``service`` follows connections through the server's room hooks and tells rooms who came
and went, ``identity`` says who a connection is, ``rules`` which rooms count, ``records``
what is kept, and one module per store (``memory_store``, ``redis_store`` with its Lua
``scripts``).
"""

from .records import Member
from .service import Presence, presence_for

__all__ = ["Member", "Presence", "presence_for"]
