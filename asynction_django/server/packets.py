"""What a client's Socket.IO packets must look like before anything acts on them.

python-socketio trusts the shape of what it decodes: ``42{}`` or ``42[]`` raise inside
its dispatch (logged with a traceback, the connection left open), and a binary event
may announce up to 9,999,999,999 attachments, every one of which it keeps in memory.
Here a packet that breaks the protocol ends its own connection, and a binary packet's
attachments are bounded in count and in total size.
"""

from __future__ import annotations

from typing import Any

from socketio import packet

from ..exceptions import InvalidPacket

BINARY = (packet.BINARY_EVENT, packet.BINARY_ACK)
# Names Socket.IO keeps for itself: a client event by one of these names would run the
# server's connect or disconnect logic (as Node's parser does, such a packet is invalid).
RESERVED_EVENTS = frozenset({"connect", "connect_error", "disconnect", "disconnecting",
                             "newListener", "removeListener"})


def decode(packet_class: type, data: Any, max_attachments: int) -> Any:
    """Decode one client packet and check its shape; raise :class:`InvalidPacket`."""
    if not isinstance(data, str):
        raise InvalidPacket("a binary frame that no packet announced")
    try:
        pkt = packet_class(encoded_packet=data)
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
        raise InvalidPacket(f"undecodable packet ({type(exc).__name__})") from None
    kind, payload = pkt.packet_type, pkt.data
    if kind in (packet.EVENT, packet.BINARY_EVENT):
        if not (isinstance(payload, list) and payload and isinstance(payload[0], str)):
            raise InvalidPacket("an event must be an array starting with its name")
        if payload[0] in RESERVED_EVENTS:
            raise InvalidPacket(f"{payload[0]!r} is a reserved event name")
    elif kind in (packet.ACK, packet.BINARY_ACK):
        if not isinstance(payload, list):
            raise InvalidPacket("an ack must be an array")
    elif kind == packet.CONNECT:
        if payload is not None and not isinstance(payload, dict):
            raise InvalidPacket("a CONNECT payload must be an object")
    elif kind != packet.DISCONNECT:
        raise InvalidPacket("a packet type clients may not send")
    if kind in BINARY and not 1 <= pkt.attachment_count <= max_attachments:
        raise InvalidPacket(f"a binary packet must announce 1 to {max_attachments} "
                            f"attachments, not {pkt.attachment_count}")
    return pkt


def check_attachment(pending: Any, data: Any, max_bytes: int) -> None:
    """Raise :class:`InvalidPacket` unless ``data`` may be the next attachment of ``pending``."""
    if not isinstance(data, bytes):
        raise InvalidPacket("a text packet where a binary attachment was announced")
    if sum(map(len, pending.attachments)) + len(data) > max_bytes:
        raise InvalidPacket(f"binary attachments over {max_bytes} bytes in all")
