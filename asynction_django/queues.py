"""``ASYNCTION_MESSAGE_QUEUE`` URLs to python-socketio's own client managers."""

from __future__ import annotations

from urllib.parse import urlsplit

import socketio

SCHEMES = {
    "redis": socketio.AsyncRedisManager,
    "rediss": socketio.AsyncRedisManager,
    "valkey": socketio.AsyncRedisManager,
    "amqp": socketio.AsyncAioPikaManager,
    "amqps": socketio.AsyncAioPikaManager,
}


def client_manager_for(url: str | None, write_only: bool = False):
    """The manager for ``url`` (None for the in-process default); ValueError if unknown."""
    if url is None:
        return None
    scheme = urlsplit(url).scheme
    manager = SCHEMES.get(scheme)
    if manager is None:
        raise ValueError(f"unsupported scheme {scheme!r} in {url!r}: use one of "
                         f"{', '.join(sorted(SCHEMES))}")
    try:
        return manager(url, write_only=write_only)
    except RuntimeError as exc:  # python-socketio's word for a missing client library
        raise ValueError(f"{exc} (install asynction-django[{scheme.rstrip('s')}])") from exc
