"""A hostile client against a real daphne: broken packets end their own connection at
once, every bound holds, and the Engine.IO protocol is answered as the official suites
expect. Every wait is bounded; no test depends on a quiet period."""

from __future__ import annotations

import json
import time

import websocket

QUICK = 3  # seconds: "at once" for a closing connection (the ping timeout is 45 s)


def closed_within(sock: websocket.WebSocket, seconds: float = QUICK) -> bool:
    """Whether the server closes ``sock`` within ``seconds`` (frames before that skipped)."""
    deadline = time.monotonic() + seconds
    sock.settimeout(seconds)
    try:
        while time.monotonic() < deadline:
            if sock.recv() in ("", b""):
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
        return True
    except websocket.WebSocketTimeoutException:
        return False
    return False


class RawWebSocket:
    """One WebSocket to the live server, spoken frame by frame."""

    def __init__(self, port: int, query: str = ""):
        self.sock = websocket.create_connection(
            f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket{query}", timeout=QUICK)
        self.open = json.loads(self.sock.recv()[1:])

    def connect(self, namespace: str = "/") -> str:
        prefix = "" if namespace == "/" else f"{namespace},"
        self.sock.send(f"40{prefix}")
        return self.next(lambda frame: frame.startswith(f"40{prefix}"))

    def next(self, wanted, seconds: float = QUICK) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            frame = self.sock.recv()
            if isinstance(frame, str) and wanted(frame):
                return frame
        raise AssertionError("no matching frame")

    def closed_within(self, seconds: float = QUICK) -> bool:
        return closed_within(self.sock, seconds)

    def close(self) -> None:
        self.sock.close()
