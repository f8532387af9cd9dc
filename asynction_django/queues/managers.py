"""``ASYNCTION_MESSAGE_QUEUE``: python-socketio's own pub/sub managers, chosen by URL.

``redis://`` (``rediss://``, ``valkey://``) is its Redis manager, ``amqp://`` its AioPika
(RabbitMQ) manager, and ``channels`` (or ``channels://<alias>``) its pub/sub manager over
the project's Channels layer. Which broker a scheme names is written once, in
``conf.BROKERS``, which connection state recovery reads too. The managers' connection errors
are logged once per outage (a :class:`~asynction_django.logs.RepeatFilter`) instead of once
per emit.
"""

from __future__ import annotations

import importlib.util
from typing import Any
from urllib.parse import urlsplit

import socketio

from ..conf import BROKERS, queue_scheme
from ..logs import broker_logger
from .channel_layer import ChannelLayerManager

# python-socketio's manager for each broker.
MANAGERS = {
    "redis": socketio.AsyncRedisManager,
    "amqp": socketio.AsyncAioPikaManager,
    "channels": ChannelLayerManager,
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
        if manager is ChannelLayerManager:
            return manager(alias=urlsplit(url).netloc or "default", **kwargs)
        return manager(url, **kwargs)
    except TypeError as exc:
        raise ValueError(f"ASYNCTION_MESSAGE_QUEUE_OPTIONS do not fit {manager.__name__}: "
                         f"{exc}") from exc
