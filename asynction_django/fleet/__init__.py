"""Many processes, one API: any request of a session may reach any process.

``nodes`` writes the owning process into every session id; ``forwarding`` carries a
request that reached another process to its owner through Redis, and the answer back;
``drain`` hands a stopping process's clients to the others over time.
"""

from __future__ import annotations

from typing import Any

from ..conf import AsynctionSettings, drain_window, forwarding_on, queue_channel
from .drain import Drain
from .forwarding import Forwarder
from .nodes import new_node_id, owner_of

__all__ = ["Drain", "Forwarder", "drain_for", "forwarder_for", "owner_of"]

FORWARD_MARGIN = 10.0  # seconds a forwarded long-poll may take beyond the ping budget


def forwarder_for(values: AsynctionSettings, engine: Any) -> Forwarder | None:
    """The forwarder ``ASYNCTION_FORWARDING`` asks for (None: off) for an Engine.IO server."""
    if not forwarding_on(values) or values.MESSAGE_QUEUE is None:
        return None
    return Forwarder(values.MESSAGE_QUEUE, queue_channel(values.MESSAGE_QUEUE_OPTIONS),
                     new_node_id(), engine.handle_request,
                     reply_timeout=engine.ping_interval + engine.ping_timeout + FORWARD_MARGIN,
                     max_body=engine.max_http_buffer_size, lost=engine.lose,
                     answer_poll=engine.answer_poll)


def drain_for(values: AsynctionSettings, engine: Any) -> Drain | None:
    """The drain ``ASYNCTION_DRAIN_WINDOW`` asks for (None: stop at once)."""
    window = drain_window(values)
    return Drain(engine, window) if window > 0 else None
