"""Which process of a fleet owns an Engine.IO session: it is written in the session's id.

Every process picks a node id when it starts and begins every Engine.IO sid it issues with
it, so any process that receives a request for a session it does not hold knows, without
asking anyone, which process does. A node announces that it is alive with a Redis key that
expires unless renewed: a request for a session whose node is gone is refused at once (the
client reconnects, and with connection state recovery resumes), instead of waiting for an
answer that cannot come.
"""

from __future__ import annotations

import secrets

NODE_ID_LENGTH = 8  # characters of base64url: 48 random bits, per process start
HEARTBEAT_EVERY = 2.0  # seconds between two renewals of a node's key
HEARTBEAT_TTL = 6  # seconds a node counts as alive after its last renewal


def new_node_id() -> str:
    return secrets.token_urlsafe(6)


def owner_of(sid: str) -> str | None:
    """The node id a session id begins with (None: not an id a fleet node issued)."""
    return sid[:NODE_ID_LENGTH] if len(sid) > NODE_ID_LENGTH else None
