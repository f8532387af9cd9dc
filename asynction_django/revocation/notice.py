"""What a client is told when its connection is revoked, before the server disconnects it.

A Socket.IO DISCONNECT packet carries no data (socket.io-client treats any as a protocol
error and drops the whole connection), so the reason travels in an event of its own, sent
just before the DISCONNECT on the same connection: ``asynction:revoked`` with
``{"reason": ..., "renewable": ...}``. It is part of the protocol of this server, like the
recovery ``pid``: sent whether or not the spec declares it, never logged for recovery (a
client coming back must not be told again), and not checked against the spec.
"""

from __future__ import annotations

from typing import Any

EVENT = "asynction:revoked"

# Why a connection ended, as its client is told; any other word is a project's own, given to
# revoke_user(). Only an expiry is renewable: the client may connect again with fresh
# credentials (and, with recovery on, gets its session back).
LOGOUT, DEACTIVATED, DELETED, EXPIRED, REVOKED = (
    "logout", "deactivated", "deleted", "expired", "revoked")
MAX_REASON = 64


def notice(reason: str, renewable: bool) -> dict[str, Any]:
    return {"reason": reason, "renewable": renewable}


def checked_reason(reason: Any) -> str:
    """A project's own reason, as the wire may carry it; ValueError otherwise."""
    if not isinstance(reason, str) or not 0 < len(reason) <= MAX_REASON:
        raise ValueError(f"a revocation's reason must be a non-empty string of at most "
                         f"{MAX_REASON} characters")
    return reason
