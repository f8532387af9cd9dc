"""Cross-origin checks that follow Django's ``ALLOWED_HOSTS``, on both transports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host


def origin_allowed(origin: str | None, environ: dict[str, Any] | None = None) -> bool:
    """Accept an ``Origin`` whose host Django would accept as a ``Host``.

    Mirrors Channels' ``AllowedHostsOriginValidator``: with ``DEBUG`` and no
    ``ALLOWED_HOSTS``, local hosts are allowed, as Django allows them.
    """
    if not origin:
        return True
    parsed = urlsplit(origin)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return False
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(parsed.netloc)
    return bool(domain) and validate_host(domain, allowed)
