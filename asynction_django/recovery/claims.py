"""The recovery protocol's words on the wire: what a client claims, what the server stamps.

The server's CONNECT packet carries a private id ``pid`` beside ``sid``, and every event
sent without an ack carries a last argument, its *offset*. Reconnecting, a client puts
``{pid, offset}`` in its CONNECT ``auth``. Everything here is client-controlled input
until proven otherwise: bounded, of one exact form, or ignored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from engineio import packet as eio_packet
from socketio import packet

MAX_PID_LENGTH = 64  # what a client may send as pid; longer is not one of ours
MAX_OFFSET_LENGTH = 64


@dataclass(frozen=True)
class Claim:
    """A CONNECT's ``{pid, offset}``; the offset is checked by the store that gave it."""

    pid: str
    offset: str | None


def new_pid() -> str:
    return secrets.token_urlsafe(16)


def client_claim(auth: Any) -> Claim | None:
    """The claim a CONNECT's auth makes, when it is well formed (else: a new connection)."""
    if not isinstance(auth, dict):
        return None
    pid, offset = auth.get("pid"), auth.get("offset")
    if not isinstance(pid, str) or not 0 < len(pid) <= MAX_PID_LENGTH:
        return None
    if offset is not None and (not isinstance(offset, str) or len(offset) > MAX_OFFSET_LENGTH):
        return None
    return Claim(pid, offset)


PROTOCOL_KEYS = ("pid", "offset", "recovery")


def opts_out(auth: Any) -> bool:
    """Whether a CONNECT says ``"recovery": false``: a client that cannot take the offset
    argument (python-socketio's own client passes it to handlers as one more argument)."""
    return isinstance(auth, dict) and auth.get("recovery") is False


def without_claim(auth: Any) -> Any:
    """The user's own auth: ``pid``, ``offset`` and ``recovery`` are the protocol's."""
    if not isinstance(auth, dict) or not (set(PROTOCOL_KEYS) & set(auth)):
        return auth
    rest = {key: value for key, value in auth.items() if key not in PROTOCOL_KEYS}
    return rest or None


def without_offset(packet_class: Any, eio_pkt: Any) -> Any:
    """The Engine.IO packet of an event without its offset, made once per emit: python-
    socketio hands every recipient the same packet object, so the copy is kept on it."""
    stripped = getattr(eio_pkt, "_asynction_without_offset", None)
    if stripped is not None:
        return stripped
    stripped = eio_pkt
    decoded = packet_class(encoded_packet=eio_pkt.data)
    if packet_offset(decoded) is not None:
        decoded.data = decoded.data[:-1]
        encoded = decoded.encode()
        stripped = eio_packet.Packet(eio_pkt.packet_type,
                                     encoded[0] if isinstance(encoded, list) else encoded)
    eio_pkt._asynction_without_offset = stripped
    return stripped


def packet_offset(pkt: Any) -> str | None:
    """The recovery offset an event carries (its last argument), if any."""
    if pkt.packet_type in (packet.EVENT, packet.BINARY_EVENT) and pkt.id is None and len(
            pkt.data) > 1 and isinstance(pkt.data[-1], str):
        return pkt.data[-1]
    return None
