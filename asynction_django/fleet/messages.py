"""What the processes of a fleet send each other through Redis: one message per request,
answer or frame (a JSON header line, then the bytes), and a tunnel's bounded inbox."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from typing import Any

SCOPE_KEYS = ("type", "method", "path", "root_path", "scheme", "http_version", "client",
              "server", "subprotocols")


def encode(header: dict[str, Any], body: bytes = b"") -> bytes:
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body


def decode(message: bytes) -> tuple[dict[str, Any], bytes]:
    header, _, body = message.partition(b"\n")
    return json.loads(header), body


def scope_to_json(scope: dict[str, Any]) -> dict[str, Any]:
    """What the owner needs of an ASGI scope to serve the request as its own."""
    kept = {key: scope[key] for key in SCOPE_KEYS if key in scope}
    kept["query_string"] = scope.get("query_string", b"").decode("latin-1")
    kept["headers"] = [[name.decode("latin-1"), value.decode("latin-1")]
                       for name, value in scope.get("headers", ())]
    return kept


def scope_from_json(data: dict[str, Any]) -> dict[str, Any]:
    scope = {**data, "asgi": {"version": "3.0"}}
    scope["query_string"] = data["query_string"].encode("latin-1")
    scope["headers"] = [(name.encode("latin-1"), value.encode("latin-1"))
                        for name, value in data["headers"]]
    return scope


class Inbox:
    """A tunnel's frames waiting for their reader, bounded in bytes. Past the bound the
    reader is told at once that the tunnel ended (code 1009, message too big); what waited
    and what comes later is dropped: the other end learns it when this end closes."""

    def __init__(self, limit: int):
        self.limit = limit
        self.pending = 0  # bytes queued and not yet read
        self.overflowed = False
        self._queue: asyncio.Queue[tuple[dict[str, Any], bytes]] = asyncio.Queue()

    def put(self, header: dict[str, Any], body: bytes) -> None:
        if self.overflowed:
            return
        if self.pending + len(body) > self.limit:
            # The tunnel ends now, not after its backlog (a reader that stopped reading
            # might never get that far): what waits is dropped, the end comes first.
            self.overflowed = True
            while not self._queue.empty():
                self._queue.get_nowait()
            self.pending = 0
            end = "ws-end" if header["k"] == "ws-in" else "ws-close"
            self._queue.put_nowait(({"k": end, "id": header["id"], "code": 1009}, b""))
            return
        self.pending += len(body)
        self._queue.put_nowait((header, body))

    def __len__(self) -> int:
        return self._queue.qsize()

    async def get(self) -> tuple[dict[str, Any], bytes]:
        header, body = await self._queue.get()
        self.pending -= len(body)
        return header, body


def frame(header: dict[str, Any], body: bytes) -> dict[str, Any]:
    return {"text": body.decode()} if header.get("t") else {"bytes": body}


def query_sid(query_string: str) -> str | None:
    """The Engine.IO session a request's query string names (None: a new session)."""
    sids = urllib.parse.parse_qs(query_string).get("sid")
    return sids[0] if sids else None
