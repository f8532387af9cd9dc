"""``ASYNCTION_MESSAGE_QUEUE``: python-socketio's own pub/sub managers, chosen by URL.

``redis://`` (``rediss://``, ``valkey://``) is its Redis manager, ``amqp://`` its AioPika
(RabbitMQ) manager, and ``channels`` (or ``channels://<alias>``) its pub/sub manager over
the project's Channels layer. Which broker a scheme names is written once, in
``conf.BROKERS``, which connection state recovery reads too. The managers' connection errors
are logged once per outage (a :class:`~asynction_django.logs.RepeatFilter`) instead of once
per emit. Each manager also carries this project's own kinds of message beside
python-socketio's (:class:`ProjectMessages`: revocations reach every process that way).
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import socketio
from socketio.async_pubsub_manager import AsyncPubSubManager

from ..conf import BROKERS, queue_scheme
from ..logs import broker_logger
from .channel_layer import ChannelLayerManager

Receiver = Callable[[dict[str, Any]], Awaitable[None]]


class ProjectMessages(AsyncPubSubManager):  # type: ignore[misc]
    """python-socketio's pub/sub manager, carrying this project's own kinds of message too.

    python-socketio's listener (``_thread``) acts on the methods it knows (emit, disconnect,
    rooms, callbacks) and drops any other; each broker's ``_listen`` yields messages as they
    came, which ``_thread`` decodes, or takes as they are when they are a dict already. Here
    ``_listen`` decodes each message itself (so none is decoded twice), hands one whose
    method was registered with :meth:`on_message` to its receiver (awaited in the listener,
    in order with the emits around it; its own messages are skipped, as python-socketio
    skips its own), and yields every other one to ``_thread`` unchanged. One seam, under
    every broker: Redis, RabbitMQ and a Channels layer alike.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.receivers: dict[str, Receiver] = {}

    def on_message(self, method: str, receiver: Receiver) -> None:
        self.receivers[method] = receiver

    async def publish_message(self, method: str, fields: dict[str, Any]) -> None:
        """Tell every other process (a write-only manager too: workers, commands)."""
        await self._publish({**fields, "method": method, "host_id": self.host_id})

    async def _listen(self) -> AsyncIterator[Any]:
        async for message in super()._listen():
            data = message
            if not isinstance(data, dict):
                try:
                    data = self.json.loads(message)
                except (TypeError, ValueError):
                    yield message  # python-socketio drops it too
                    continue
            method = data.get("method") if isinstance(data, dict) else None
            receiver = self.receivers.get(method) if isinstance(method, str) else None
            if receiver is None:
                yield data
            elif data.get("host_id") != self.host_id:
                try:
                    await receiver(data)
                except Exception:  # noqa: BLE001 - one bad message must not end the listener
                    broker_logger.exception("a %r message from the broker failed", method)


class RedisManager(ProjectMessages, socketio.AsyncRedisManager):  # type: ignore[misc]
    """python-socketio's Redis manager, with this project's messages."""


class AioPikaManager(ProjectMessages, socketio.AsyncAioPikaManager):  # type: ignore[misc]
    """python-socketio's RabbitMQ manager, with this project's messages."""


class ChannelsManager(ProjectMessages, ChannelLayerManager):
    """The Channels layer's manager, with this project's messages."""


# python-socketio's manager for each broker, with this project's messages.
MANAGERS = {
    "redis": RedisManager,
    "amqp": AioPikaManager,
    "channels": ChannelsManager,
}
# The client library each scheme needs, and the extra that installs it.
LIBRARIES = {"redis": ("redis", "redis"), "rediss": ("redis", "redis"),
             "valkey": ("valkey", "redis"), "valkeys": ("valkey", "redis"),
             "amqp": ("aio_pika", "amqp"), "amqps": ("aio_pika", "amqp")}


def client_manager_for(url: str | None, write_only: bool = False,
                       options: dict[str, Any] | None = None) -> Any:
    """The manager for ``url`` (None for the in-process default); ValueError if unusable."""
    if url is None:
        return None
    scheme = queue_scheme(url)
    broker = BROKERS.get(scheme)
    if broker is None:
        raise ValueError(f"unsupported scheme {scheme!r} in {url!r}: use one of "
                         f"{', '.join(sorted(BROKERS))}")
    manager = MANAGERS[broker]
    if scheme in LIBRARIES:
        module, extra = LIBRARIES[scheme]
        if importlib.util.find_spec(module) is None:
            raise ValueError(f"{url!r} needs the {module!r} package: "
                             f"pip install 'asynction-django[{extra}]'")
    kwargs: dict[str, Any] = {"write_only": write_only, "logger": broker_logger,
                              **(options or {})}
    try:
        if manager is ChannelsManager:
            return manager(alias=urlsplit(url).netloc or "default", **kwargs)
        return manager(url, **kwargs)
    except TypeError as exc:
        # named for the manager the options are for (python-socketio's), not its subclass here
        owner = next(base for base in manager.__mro__ if base.__module__ != __name__)
        raise ValueError(f"ASYNCTION_MESSAGE_QUEUE_OPTIONS do not fit {owner.__name__}: "
                         f"{exc}") from exc
