"""Test helpers: an in-process Socket.IO client that speaks the real protocol, its sync
face, and Django test cases that hand them out (see the README's Testing section)."""

from .cases import SocketIOLiveServerTestCase, SocketIOTestCase, SocketIOTestMixin
from .client import AsyncSocketIOClient, ConnectionRefused, ReceivedEvent, session_cookie
from .sync import LoopThread, SocketIOClient

__all__ = [
    "AsyncSocketIOClient", "ConnectionRefused", "LoopThread", "ReceivedEvent",
    "SocketIOClient", "SocketIOLiveServerTestCase", "SocketIOTestCase", "SocketIOTestMixin",
    "session_cookie",
]
