"""Test helpers: an in-process Socket.IO client that speaks the real protocol.

The client drives the project's ASGI application directly with a ``websocket`` scope,
no sockets and no daphne, and frames every packet with python-socketio's own encoder,
so what passes here passes on the wire.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from asgiref.sync import SyncToAsync, sync_to_async
from channels.testing import ChannelsLiveServerTestCase
from daphne.testing import DaphneProcess
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.test import Client as DjangoClient
from django.test import TransactionTestCase
from engineio import packet as eio_packet
from socketio import packet as sio_packet

DEFAULT_TIMEOUT = 2.0


class ConnectionRefused(AssertionError):
    """The server answered a namespace CONNECT with CONNECT_ERROR."""

    def __init__(self, namespace: str, data: Any):
        super().__init__(f"connection to {namespace!r} refused: {data!r}")
        self.namespace = namespace
        self.data = data


@dataclass(frozen=True)
class ReceivedEvent:
    namespace: str
    name: str
    args: list[Any]


def session_cookie(user: Any) -> str:
    """A real Django session logged in as ``user``, as a ``Cookie`` header value."""
    client = DjangoClient()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _ack_value(args: list[Any]) -> Any:
    """python-socketio's convention: no argument is None, several are a tuple."""
    if not args:
        return None
    return args[0] if len(args) == 1 else tuple(args)


class AsyncSocketIOClient:
    """One Engine.IO connection to an ASGI application, several namespaces on it."""

    def __init__(self, application: Any = None, *, socketio_path: str | None = None,
                 query: dict[str, str] | None = None, headers: dict[str, str] | None = None,
                 cookies: dict[str, str] | None = None, user: Any = None):
        if application is None:
            from .asgi import SocketIORouter, socketio_asgi_app

            application = SocketIORouter(socketio_asgi_app())
        self.application = application
        self.socketio_path = socketio_path
        self.query = dict(query or {})
        self.headers = {name.lower(): value for name, value in (headers or {}).items()}
        self.cookies = dict(cookies or {})
        self.user = user
        self.events: list[ReceivedEvent] = []
        self.disconnected: dict[str, Any] = {}
        self._connected: list[str] = []
        self.responders: dict[tuple[str, str], Callable[..., Any]] = {}
        self._inbox: asyncio.Queue[dict] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict] = asyncio.Queue()
        self._connects: dict[str, asyncio.Future] = {}
        self._acks: dict[int, asyncio.Future] = {}
        self._next_ack = 0
        self._arrived = asyncio.Event()
        self._app_task: asyncio.Task | None = None
        self._reader: asyncio.Task | None = None

    # Engine.IO ---------------------------------------------------------------------------

    async def _open(self, timeout: float) -> None:
        if self._app_task is not None:
            return
        from .runtime import get_server

        path = self.socketio_path or get_server().socketio_path
        cookies = [f"{name}={value}" for name, value in self.cookies.items()]
        if self.user is not None:
            cookies.append(await sync_to_async(session_cookie)(self.user))
        if cookies:
            self.headers["cookie"] = "; ".join(filter(None, [self.headers.get("cookie"),
                                                              *cookies]))
        query = urlencode({**self.query, "EIO": "4", "transport": "websocket"})
        headers = [(b"host", b"testserver"), (b"upgrade", b"websocket"),
                   (b"connection", b"Upgrade")] + [
            (name.lower().encode(), value.encode()) for name, value in self.headers.items()
        ]
        scope = {
            "type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws",
            "path": f"/{path.strip('/')}/", "raw_path": f"/{path.strip('/')}/".encode(),
            "query_string": query.encode(), "headers": headers, "root_path": "",
            "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "subprotocols": [],
        }
        self._app_task = asyncio.ensure_future(
            self.application(scope, self._inbox.get, self._outbox.put))
        await self._inbox.put({"type": "websocket.connect"})
        accepted = await self._next_message(timeout, "the websocket accept")
        if accepted["type"] != "websocket.accept":
            raise AssertionError(f"the application did not accept the websocket: {accepted}")
        opened = await self._next_message(timeout, "the Engine.IO OPEN packet")
        if not opened.get("text", "").startswith("0"):
            raise AssertionError(f"expected the Engine.IO OPEN packet, got {opened}")
        self._reader = asyncio.ensure_future(self._read())

    async def _next_message(self, timeout: float, what: str) -> dict:
        try:
            return await asyncio.wait_for(self._outbox.get(), timeout)
        except TimeoutError:
            raise AssertionError(f"expected {what} within {timeout}s; nothing came") from None

    async def _send(self, pkt: Any) -> None:
        encoded = eio_packet.Packet(eio_packet.MESSAGE, pkt.encode()).encode()
        await self._inbox.put({"type": "websocket.receive", "text": encoded})

    async def _read(self) -> None:
        while True:
            message = await self._outbox.get()
            if message["type"] == "websocket.close":
                for namespace in list(self._connects):
                    self.disconnected.setdefault(namespace, "transport close")
                self._connected.clear()
                self._arrived.set()
                return
            frame = eio_packet.Packet(encoded_packet=message.get("text") or message["bytes"])
            if frame.packet_type == eio_packet.PING:
                pong = eio_packet.Packet(eio_packet.PONG, frame.data).encode()
                await self._inbox.put({"type": "websocket.receive", "text": pong})
            elif frame.packet_type == eio_packet.MESSAGE:
                await self._handle(sio_packet.Packet(encoded_packet=frame.data))
            elif frame.packet_type == eio_packet.CLOSE:
                return

    async def _handle(self, pkt: Any) -> None:
        namespace = pkt.namespace or "/"
        kind = pkt.packet_type
        if kind in (sio_packet.CONNECT, sio_packet.CONNECT_ERROR):
            future = self._connects.get(namespace)
            if future is not None and not future.done():
                future.set_result((kind, pkt.data))
        elif kind == sio_packet.EVENT:
            name, *args = pkt.data
            responder = self.responders.get((namespace, name))
            if pkt.id is not None and responder is not None:
                reply = responder(*args)
                data = [] if reply is None else list(reply) if isinstance(reply, tuple) else [reply]
                await self._send(sio_packet.Packet(sio_packet.ACK, data=data,
                                                   namespace=namespace, id=pkt.id))
            self.events.append(ReceivedEvent(namespace, name, args))
        elif kind == sio_packet.ACK:
            future = self._acks.pop(pkt.id, None)
            if future is not None and not future.done():
                future.set_result(pkt.data)
        elif kind == sio_packet.DISCONNECT:
            self.disconnected[namespace] = "server disconnect"
            if namespace in self._connected:
                self._connected.remove(namespace)
        self._arrived.set()

    # Socket.IO ---------------------------------------------------------------------------

    async def connect(self, namespace: str = "/", auth: Any = None,
                      timeout: float = DEFAULT_TIMEOUT) -> str:
        """Connect to ``namespace``; return its sid, or raise :class:`ConnectionRefused`."""
        await self._open(timeout)
        future = asyncio.get_running_loop().create_future()
        self._connects[namespace] = future
        await self._send(sio_packet.Packet(sio_packet.CONNECT, data=auth, namespace=namespace))
        try:
            kind, data = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AssertionError(
                f"expected CONNECT or CONNECT_ERROR for {namespace!r} within {timeout}s"
            ) from None
        if kind == sio_packet.CONNECT_ERROR:
            raise ConnectionRefused(namespace, data)
        if namespace not in self._connected:
            self._connected.append(namespace)
        return data["sid"]

    def _namespace(self, namespace: str | None) -> str:
        """``namespace``, checked to be connected; by default the only connected one.

        With no namespace connected (none yet, or the server disconnected them), the
        default is ``/`` and nothing is checked: the event goes out as it always did.
        """
        if namespace is None:
            if len(self._connected) > 1:
                raise ValueError(f"the client is connected to {self._connected}: pass "
                                 "namespace= to say which one")
            return self._connected[0] if self._connected else "/"
        if namespace not in self._connected:
            why = f" ({self.disconnected[namespace]})" if namespace in self.disconnected else ""
            raise AssertionError(f"not connected to {namespace!r}{why}; connected: "
                                 f"{self._connected}")
        return namespace

    async def emit(self, event: str, *args: Any, namespace: str | None = None) -> None:
        """Send ``event`` without asking for an ack.

        ``namespace`` defaults to the only namespace the client is connected to (``/`` if
        none); with several, pass it. A namespace the client is not connected to fails at
        once.
        """
        namespace = self._namespace(namespace)
        await self._send(sio_packet.Packet(sio_packet.EVENT, data=[event, *args],
                                           namespace=namespace))

    async def call(self, event: str, *args: Any, namespace: str | None = None,
                   timeout: float = DEFAULT_TIMEOUT) -> Any:
        """Send ``event`` and return its ack (one value, a tuple of several, or None).

        ``namespace`` is chosen as for :meth:`emit`.
        """
        namespace = self._namespace(namespace)
        self._next_ack += 1
        ack_id = self._next_ack
        future = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        await self._send(sio_packet.Packet(sio_packet.EVENT, data=[event, *args],
                                           namespace=namespace, id=ack_id))
        try:
            return _ack_value(await asyncio.wait_for(future, timeout))
        except TimeoutError:
            raise AssertionError(
                f"expected an ack for {event!r} within {timeout}s; received events: "
                f"{[(e.name, e.args) for e in self.events]}"
            ) from None

    def on(self, event: str, responder: Callable[..., Any], namespace: str = "/") -> None:
        """Answer the server's ``call(event, ...)`` with ``responder(*args)``."""
        self.responders[(namespace, event)] = responder

    async def receive(self, event: str | None = None, namespace: str | None = None,
                      timeout: float = DEFAULT_TIMEOUT) -> ReceivedEvent:
        """The next server event (named ``event`` if given) in ``namespace``.

        ``namespace`` is chosen as for :meth:`emit`; events that arrived before the
        server disconnected a namespace can still be received from it.
        """
        explicit = namespace is not None
        if namespace is None:
            namespace = self._namespace(None)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index, received in enumerate(self.events):
                if received.namespace == namespace and event in (None, received.name):
                    return self.events.pop(index)
            if explicit:
                self._namespace(namespace)  # nothing more can come: fail now
            remaining = deadline - loop.time()
            if remaining <= 0:
                wanted = f"event {event!r}" if event else "an event"
                raise AssertionError(
                    f"expected {wanted} in {namespace!r} within {timeout}s; received: "
                    f"{[(e.namespace, e.name, e.args) for e in self.events]}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                continue

    async def __aenter__(self) -> AsyncSocketIOClient:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.disconnect()

    async def disconnect(self) -> None:
        """Leave every namespace and close the connection, waiting for the server to finish."""
        if self._app_task is None:
            return
        if not self._app_task.done():
            close = eio_packet.Packet(eio_packet.CLOSE).encode()
            await self._inbox.put({"type": "websocket.receive", "text": close})
            await self._inbox.put({"type": "websocket.disconnect", "code": 1000})
            try:
                await asyncio.wait_for(asyncio.shield(self._app_task), DEFAULT_TIMEOUT)
            except TimeoutError:
                self._app_task.cancel()
        if self._reader is not None:
            self._reader.cancel()
        self._app_task = None
        self._connected.clear()


async def _cancel_other_tasks() -> None:
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class _LoopThread:
    """An event loop in a thread, where the server and async clients of sync tests live."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                       name="asynction-test-loop")
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, Any], timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout + 1)

    def stop(self) -> None:
        # engineio leaves ping timers behind; end them so closing the loop is quiet.
        self.run(_cancel_other_tasks(), DEFAULT_TIMEOUT)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class SocketIOClient:
    """The sync face of :class:`AsyncSocketIOClient`, for ordinary ``def test_…`` methods."""

    def __init__(self, loop: _LoopThread, client: AsyncSocketIOClient):
        self._loop = loop
        self.async_client = client

    def _run(self, coroutine: Coroutine[Any, Any, Any], timeout: float = DEFAULT_TIMEOUT) -> Any:
        return self._loop.run(coroutine, timeout)

    def connect(self, namespace: str = "/", auth: Any = None,
                timeout: float = DEFAULT_TIMEOUT) -> str:
        return self._run(self.async_client.connect(namespace, auth, timeout), timeout)

    def emit(self, event: str, *args: Any, namespace: str | None = None) -> None:
        """See :meth:`AsyncSocketIOClient.emit` (``namespace`` by default: the connected one)."""
        self._run(self.async_client.emit(event, *args, namespace=namespace))

    def call(self, event: str, *args: Any, namespace: str | None = None,
             timeout: float = DEFAULT_TIMEOUT) -> Any:
        """See :meth:`AsyncSocketIOClient.call`."""
        return self._run(self.async_client.call(event, *args, namespace=namespace,
                                                timeout=timeout), timeout)

    def receive(self, event: str | None = None, namespace: str | None = None,
                timeout: float = DEFAULT_TIMEOUT) -> ReceivedEvent:
        """See :meth:`AsyncSocketIOClient.receive`."""
        return self._run(self.async_client.receive(event, namespace, timeout), timeout)

    def on(self, event: str, responder: Callable[..., Any], namespace: str = "/") -> None:
        self.async_client.on(event, responder, namespace)

    def disconnect(self) -> None:
        self._run(self.async_client.disconnect())

    @property
    def disconnected(self) -> dict[str, Any]:
        return self.async_client.disconnected


class SocketIOTestMixin:
    """Gives Django test cases ``socketio_client()`` / ``asocketio_client()``.

    Every client is disconnected after its test and the server is rebuilt for the next
    one, so ``override_settings(ASYNCTION_SPEC=...)`` per test just works.
    """

    def _client(self, query, headers, cookies, user) -> AsyncSocketIOClient:
        return AsyncSocketIOClient(query=query, headers=headers, cookies=cookies, user=user)

    def socketio_client(self, namespace: str = "/", *, auth: Any = None,
                        query: dict[str, str] | None = None,
                        headers: dict[str, str] | None = None,
                        cookies: dict[str, str] | None = None,
                        user: Any = None) -> SocketIOClient:
        """A connected sync client (the loop it runs on lives until the test ends)."""
        if not hasattr(self, "_socketio_loop"):
            self._socketio_loop = _LoopThread()
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
        from .runtime import reset_server

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
        from .runtime import reset_server

        reset_server()  # the child builds its own server from the settings in force
        super().setUpClass()

    @property
    def socketio_url(self) -> str:
        return self.live_server_url

    def socketio_connect(self, namespace: str = "/", *, transport: str = "websocket",
                         **kwargs: Any) -> Any:
        """A python-socketio ``Client`` connected over ``transport``, closed after the test."""
        import socketio

        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)
        client.connect(self.socketio_url, namespaces=[namespace], transports=[transport],
                       wait_timeout=5, **kwargs)
        return client


__all__ = [
    "AsyncSocketIOClient", "ConnectionRefused", "ReceivedEvent", "SocketIOClient",
    "SocketIOLiveServerTestCase", "SocketIOTestCase", "SocketIOTestMixin", "session_cookie",
]
