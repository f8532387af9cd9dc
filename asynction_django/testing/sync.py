"""The sync face of the test client: a loop in a thread, for ordinary ``def test_…``."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from .client import DEFAULT_TIMEOUT, AsyncSocketIOClient, ReceivedEvent

T = TypeVar("T")


async def _cancel_other_tasks() -> None:
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class LoopThread:
    """An event loop in a thread, where the server and async clients of sync tests live."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                       name="asynction-test-loop")
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout + 1)

    def stop(self) -> None:
        # engineio leaves ping timers behind; end them so closing the loop is quiet.
        self.run(_cancel_other_tasks(), DEFAULT_TIMEOUT)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class SocketIOClient:
    """The sync face of :class:`AsyncSocketIOClient`, for ordinary ``def test_…`` methods."""

    def __init__(self, loop: LoopThread, client: AsyncSocketIOClient):
        self._loop = loop
        self.async_client = client

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float = DEFAULT_TIMEOUT) -> T:
        return self._loop.run(coroutine, timeout)

    def connect(self, namespace: str | None = None, auth: Any = None,
                timeout: float = DEFAULT_TIMEOUT) -> str:
        """See :meth:`AsyncSocketIOClient.connect` (``namespace`` by default: ``/``, or after
        :meth:`drop` the namespaces the client had)."""
        rejoining = len(self.async_client._dropped) if namespace is None else 1
        return self._run(self.async_client.connect(namespace, auth, timeout),
                         timeout * max(rejoining, 1))  # each connect has its own timeout

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

    def drop(self, silently: bool = False) -> None:
        """See :meth:`AsyncSocketIOClient.drop`: lose the connection as a network would."""
        self._run(self.async_client.drop(silently))

    def disconnect(self) -> None:
        self._run(self.async_client.disconnect())

    @property
    def sid(self) -> str | None:
        """See :attr:`AsyncSocketIOClient.sid`: the sid in the namespace it is connected to."""
        return self.async_client.sid

    @property
    def sids(self) -> dict[str, str]:
        """Per namespace: the sid its last connect got."""
        return self.async_client.sids

    @property
    def recovered(self) -> dict[str, bool]:
        """Per namespace: whether its last connect recovered the session."""
        return self.async_client.recovered

    @property
    def disconnected(self) -> dict[str, Any]:
        return self.async_client.disconnected


