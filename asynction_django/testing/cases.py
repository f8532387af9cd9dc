"""Django test cases with Socket.IO clients: in-process, or against a real daphne."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import socketio
from asgiref.sync import SyncToAsync
from channels.testing import ChannelsLiveServerTestCase
from daphne.testing import DaphneProcess
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.test import TransactionTestCase

from ..runtime import reset_server
from .client import AsyncSocketIOClient
from .sync import LoopThread, SocketIOClient


class SocketIOTestMixin:
    """Gives Django test cases ``socketio_client()`` / ``asocketio_client()``.

    Every client is disconnected after its test and the server is rebuilt for the next
    one, so ``override_settings(ASYNCTION_SPEC=...)`` per test just works.
    """

    # From the unittest.TestCase the mixin is combined with (an annotation: no attribute).
    addCleanup: Callable[..., None]

    def _client(self, query: dict[str, str] | None, headers: dict[str, str] | None,
                cookies: dict[str, str] | None, user: Any) -> AsyncSocketIOClient:
        return AsyncSocketIOClient(query=query, headers=headers, cookies=cookies, user=user)

    def socketio_client(self, namespace: str = "/", *, auth: Any = None,
                        query: dict[str, str] | None = None,
                        headers: dict[str, str] | None = None,
                        cookies: dict[str, str] | None = None,
                        user: Any = None) -> SocketIOClient:
        """A connected sync client (the loop it runs on lives until the test ends)."""
        if not hasattr(self, "_socketio_loop"):
            self._socketio_loop = LoopThread()
            self.addCleanup(self._stop_socketio_loop)
        client = SocketIOClient(self._socketio_loop,
                                self._client(query, headers, cookies, user))
        self.addCleanup(client.disconnect)
        client.connect(namespace, auth)
        return client

    async def asocketio_client(self, namespace: str = "/", *, auth: Any = None,
                               query: dict[str, str] | None = None,
                               headers: dict[str, str] | None = None,
                               cookies: dict[str, str] | None = None,
                               user: Any = None) -> AsyncSocketIOClient:
        """A connected client for ``async def`` tests; use it as ``async with``.

        The test's event loop ends with the test, so the client must be closed inside
        it: ``async with await self.asocketio_client("/chat") as client: ...``.
        """
        client = self._client(query, headers, cookies, user)
        await client.connect(namespace, auth)
        return client

    def _stop_socketio_loop(self) -> None:
        self._socketio_loop.stop()
        del self._socketio_loop
        reset_server()


class SocketIOTestCase(SocketIOTestMixin, TransactionTestCase):
    """A Django test case with Socket.IO clients.

    It is a ``TransactionTestCase``: sync handlers run in worker threads with their own
    database connections, which cannot see the uncommitted transaction of a
    ``TestCase``. Data a test creates is committed, so handlers see it, and is flushed
    after the test.
    """


class _ForkSafeDaphneProcess(DaphneProcess):
    """Daphne in a forked child, with asgiref's worker thread made anew.

    A fork copies asgiref's single-thread executor but not its thread, so the child's
    first ``database_sync_to_async`` (Channels' auth middleware) would wait forever.
    """

    def run(self) -> None:
        SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
        super().run()


class SocketIOLiveServerTestCase(ChannelsLiveServerTestCase):
    """A real daphne (in a child process) for the tests that need real clients.

    The child serves ``ASGI_APPLICATION`` with the settings (and ``override_settings``)
    in force when the class starts, on the test database. That database must be a
    file: an in-memory SQLite database cannot be shared with another process.
    """

    ProtocolServerProcess = _ForkSafeDaphneProcess

    @classmethod
    def setUpClass(cls) -> None:
        for connection in connections.all():
            if connection.vendor == "sqlite" and connection.is_in_memory_db():
                raise ImproperlyConfigured(
                    f"{cls.__name__} runs daphne in another process, which cannot see an "
                    f"in-memory SQLite database: set DATABASES[{connection.alias!r}]['TEST']"
                    "['NAME'] to a file path (for example BASE_DIR / 'test-db.sqlite3')."
                )
        reset_server()  # the child builds its own server from the settings in force
        super().setUpClass()

    @property
    def socketio_url(self) -> str:
        url: str = self.live_server_url
        return url

    def socketio_connect(self, namespace: str = "/", *, transport: str = "websocket",
                         **kwargs: Any) -> Any:
        """A python-socketio ``Client`` connected over ``transport``, closed after the test."""
        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)
        client.connect(self.socketio_url, namespaces=[namespace], transports=[transport],
                       wait_timeout=5, **kwargs)
        return client


