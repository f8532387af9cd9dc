"""``ASYNCTION_MESSAGE_QUEUE``: python-socketio's own pub/sub managers, chosen by URL.

``redis://`` (``rediss://``, ``valkey://``) is its Redis manager, ``amqp://`` its AioPika
(RabbitMQ) manager, and ``channels`` (or ``channels://<alias>``) its pub/sub manager over
the project's Channels layer. Their connection errors are logged once per outage
(:class:`OutageLogFilter`) instead of once per emit.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import socketio

from .channel_layer import ChannelLayerManager

SCHEMES = {
    "redis": socketio.AsyncRedisManager,
    "rediss": socketio.AsyncRedisManager,
    "valkey": socketio.AsyncRedisManager,
    "valkeys": socketio.AsyncRedisManager,
    "amqp": socketio.AsyncAioPikaManager,
    "amqps": socketio.AsyncAioPikaManager,
    "channels": ChannelLayerManager,
}
# The client library each scheme needs, and the extra that installs it.
LIBRARIES = {"redis": ("redis", "redis"), "rediss": ("redis", "redis"),
             "valkey": ("valkey", "redis"), "valkeys": ("valkey", "redis"),
             "amqp": ("aio_pika", "amqp"), "amqps": ("aio_pika", "amqp")}
REPEAT_EVERY = 60.0  # seconds between reminders that the broker is still unreachable

broker_logger = logging.getLogger("asynction_django.broker")


class OutageLogFilter(logging.Filter):
    """Lets the first of a run of identical broker errors through, then one a minute.

    python-socketio logs every failed publish and every reconnection attempt; during an
    outage with traffic that is a flood. Messages differing only in numbers (``retrying
    in 4 secs``) count as the same.
    """

    def __init__(self, every: float = REPEAT_EVERY):
        super().__init__()
        self.every = every
        self._seen: dict[str, tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = "".join(char for char in record.getMessage() if not char.isdigit())
        now = time.monotonic()
        last, suppressed = self._seen.get(key, (None, 0))
        if last is not None and now - last < self.every:
            self._seen[key] = (last, suppressed + 1)
            return False
        self._seen[key] = (now, 0)
        if last is None:
            record.msg = f"{record.msg} (the message broker is unreachable; repeats of this "\
                         f"error are logged at most every {self.every:.0f} s)"
        elif suppressed:
            record.msg = f"{record.msg} ({suppressed} more since the last report)"
        return True


broker_logger.addFilter(OutageLogFilter())


def client_manager_for(url: str | None, write_only: bool = False,
                       options: dict[str, Any] | None = None) -> Any:
    """The manager for ``url`` (None for the in-process default); ValueError if unusable."""
    if url is None:
        return None
    parsed = urlsplit(url)
    scheme = parsed.scheme or url
    manager = SCHEMES.get(scheme)
    if manager is None:
        raise ValueError(f"unsupported scheme {scheme!r} in {url!r}: use one of "
                         f"{', '.join(sorted(SCHEMES))}")
    if scheme in LIBRARIES:
        module, extra = LIBRARIES[scheme]
        if importlib.util.find_spec(module) is None:
            raise ValueError(f"{url!r} needs the {module!r} package: "
                             f"pip install 'asynction-django[{extra}]'")
    kwargs: dict[str, Any] = {"write_only": write_only, "logger": broker_logger,
                              **(options or {})}
    try:
        if manager is ChannelLayerManager:
            return manager(alias=parsed.netloc or "default", **kwargs)
        return manager(url, **kwargs)
    except TypeError as exc:
        raise ValueError(f"ASYNCTION_MESSAGE_QUEUE_OPTIONS do not fit {manager.__name__}: "
                         f"{exc}") from exc
