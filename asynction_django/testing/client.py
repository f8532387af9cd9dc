"""An in-process Socket.IO client that speaks the real protocol.

It drives the project's ASGI application directly with a ``websocket`` scope, no sockets
and no daphne, and frames every packet with python-socketio's own encoder, so what passes
here passes on the wire.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client as DjangoClient
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from ..asgi import SocketIORouter, socketio_asgi_app
from ..names import DEFAULT_NAMESPACE, namespace_name
from ..runtime import get_server

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
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._connects: dict[str, asyncio.Future[tuple[int, Any]]] = {}
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._next_ack = 0
        self._arrived = asyncio.Event()
        self._app_task: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        # Connection state recovery, as socket.io-client does it: per namespace
        self.pids: dict[str, str] = {}
        self.offsets: dict[str, str] = {}
        self.recovered: dict[str, bool] = {}
        self.sids: dict[str, str] = {}  # per namespace: the sid its last connect got
        self._auths: dict[str, Any] = {}  # per namespace: the auth it was connected with
        self._dropped: list[str] = []  # the namespaces drop() lost, for connect() to rejoin
        self._silenced: list[asyncio.Task[None]] = []  # dropped silently, still open server-side

    # Engine.IO ---------------------------------------------------------------------------

    async def _open(self, timeout: float) -> None:
        if self._app_task is not None:
            return
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

    async def _next_message(self, timeout: float, what: str) -> dict[str, Any]:
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
        namespace = namespace_name(pkt.namespace)
        kind = pkt.packet_type
        if kind == sio_packet.CONNECT and isinstance(pkt.data, dict):
            pid = pkt.data.get("pid")
            self.recovered[namespace] = pid is not None and self.pids.get(namespace) == pid
            if pid is None:
                self.pids.pop(namespace, None)
            else:
                self.pids[namespace] = pid
        if kind in (sio_packet.CONNECT, sio_packet.CONNECT_ERROR):
            future = self._connects.get(namespace)
            if future is not None and not future.done():
                future.set_result((kind, pkt.data))
        elif kind == sio_packet.EVENT:
            name, *args = pkt.data
            if pkt.id is None and namespace in self.pids and args and isinstance(args[-1], str):
                self.offsets[namespace] = args.pop()  # the recovery offset is not an argument
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

    async def connect(self, namespace: str | None = None, auth: Any = None,
                      timeout: float = DEFAULT_TIMEOUT) -> str:
        """Connect to ``namespace``; return its sid, or raise :class:`ConnectionRefused`.

        ``namespace`` defaults to ``/``, and after :meth:`drop` to the namespaces the client
        had (every one, in order; the first one's sid is returned). After a drop this
        reconnects as socket.io-client does: with the ``auth`` it connected with (unless
        given anew), the session's ``pid`` and last offset, so a server with connection
        state recovery restores it (``self.recovered[namespace]`` tells).
        """
        if namespace is None:
            sids = [await self._connect(name, auth, timeout)
                    for name in list(self._dropped) or [DEFAULT_NAMESPACE]]
            return sids[0]
        return await self._connect(namespace, auth, timeout)

    @property
    def sid(self) -> str | None:
        """The sid of the namespace the client is connected to (or had, before a drop);
        None before its first connect. With several, read ``sids[namespace]``."""
        if len(self._connected) > 1:
            raise ValueError(f"the client is connected to {self._connected}: read "
                             "sids[namespace] to say which one")
        had = self._connected or self._dropped or [DEFAULT_NAMESPACE]
        return self.sids.get(had[0])

    async def _connect(self, namespace: str, auth: Any, timeout: float) -> str:
        await self._open(timeout)
        auth = self._auths.get(namespace) if auth is None else auth
        self._auths[namespace] = auth
        if namespace in self.pids:
            claim = {"pid": self.pids[namespace]}
            if namespace in self.offsets:
                claim["offset"] = self.offsets[namespace]
            auth = {**claim, **auth} if isinstance(auth, dict) else claim
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
        if namespace in self._dropped:
            self._dropped.remove(namespace)
        sid: str = data["sid"]
        self.sids[namespace] = sid
        return sid

    def _namespace(self, namespace: str | None) -> str:
        """``namespace``, checked to be connected; by default the only connected one.

        With no namespace connected (none yet, or the server disconnected them), the
        default is ``/`` and nothing is checked: the event goes out as it always did.
        """
        if namespace is None:
            if len(self._connected) > 1:
                raise ValueError(f"the client is connected to {self._connected}: pass "
                                 "namespace= to say which one")
            return self._connected[0] if self._connected else DEFAULT_NAMESPACE
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

    async def drop(self, silently: bool = False) -> None:
        """Lose the connection as a network would: no DISCONNECT, no CLOSE packet.

        The server sees the transport close, or with ``silently`` sees nothing at all (as
        when a phone goes out of range) until its ping timeout. :meth:`connect` then
        reconnects to the namespaces the client had, asking for recovery.
        """
        if self._app_task is None:
            return
        if self._reader is not None:
            self._reader.cancel()
        if silently:
            self._silenced.append(self._app_task)  # nobody answers its pings any more
        else:
            await self._inbox.put({"type": "websocket.disconnect", "code": 1006})
            try:
                await asyncio.wait_for(asyncio.shield(self._app_task), DEFAULT_TIMEOUT)
            except TimeoutError:
                self._app_task.cancel()
        self._app_task = self._reader = None
        self._inbox, self._outbox = asyncio.Queue(), asyncio.Queue()
        self._dropped = list(self._connected) or self._dropped
        self._connected.clear()

    async def disconnect(self) -> None:
        """Leave every namespace and close the connection, waiting for the server to finish."""
        for silenced in self._silenced:
            silenced.cancel()
        self._silenced.clear()
        if self._app_task is None:
            return
        if not self._app_task.done():
            for namespace in self._connected:  # leaving on purpose, as socket.io-client does
                await self._send(sio_packet.Packet(sio_packet.DISCONNECT, namespace=namespace))
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
