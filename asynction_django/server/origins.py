"""Cross-origin checks, on both transports, by the rules of Django's CSRF protection."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_allowed(origin: str | None, environ: dict[str, Any] | None = None) -> bool:
    """Accept an ``Origin`` that is the request's own origin or one of ``CSRF_TRUSTED_ORIGINS``.

    python-engineio calls this with the request's environ before any handshake, poll, POST
    or WebSocket is served; a refusal is a 400 (a WebSocket is closed before it is
    accepted). The rules are Django's CSRF middleware's, because a cookie-authenticated
    Socket.IO connection is worth as much as a POST: the scheme, host and port must all
    match (``http://localhost:6666`` is not the origin of ``https://localhost``). A request
    without ``Origin`` does not come from a browser page (python-socketio's client sends
    none), so it is allowed; the one browser request that sends none, a ``<script src>``,
    is refused by the engine, which serves no JSONP.
    """
    if not origin:
        return True
    parsed = urlsplit(origin)
    if parsed.path or parsed.query or parsed.fragment:
        return False  # an Origin header is a scheme, a host and a port, nothing else
    wanted = _normalised(parsed.scheme, parsed.netloc)
    if wanted is None:
        return False
    own = _own_origin(environ) if environ is not None else None
    return wanted == own or _trusted(origin, parsed.scheme, parsed.netloc.lower())


def _normalised(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)``, the default port written out, or ``None`` if not HTTP(S)."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    return parts.scheme, parts.hostname, DEFAULT_PORTS[parts.scheme] if port is None else port


def _own_origin(environ: dict[str, Any]) -> tuple[str, str, int] | None:
    """The origin the request was made to, as Django would see it.

    Django's ``HttpRequest`` reads it: ``get_host()`` (``ALLOWED_HOSTS``,
    ``USE_X_FORWARDED_HOST``) and ``scheme`` (``SECURE_PROXY_SSL_HEADER``). Only the scheme
    comes from here: python-engineio's ``wsgi.url_scheme`` is ``X-Forwarded-Proto``
    whoever sent it, so the ASGI scope's scheme (set by the server) is used instead.
    """
    if "HTTP_HOST" not in environ and not (
            settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ):
        return None  # Django would fall back to SERVER_NAME, which no browser targeted
    request = _Request(environ)
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return _normalised(request.scheme, host)


class _Request(HttpRequest):
    """Just enough of a Django request, over python-engineio's environ, to name its origin."""

    def __init__(self, environ: dict[str, Any]):
        super().__init__()
        self.META = environ  # python-engineio's environ names headers as WSGI does: HTTP_*

    def _get_scheme(self) -> str:
        scope = self.META.get("asgi.scope")
        if scope is None:  # a WSGI server's own environ: its url_scheme is its own
            return str(self.META.get("wsgi.url_scheme", "http"))
        scheme = scope.get("scheme") or ("ws" if scope.get("type") == "websocket" else "http")
        return {"ws": "http", "wss": "https"}.get(scheme, scheme)


def _trusted(origin: str, scheme: str, netloc: str) -> bool:
    """Whether ``CSRF_TRUSTED_ORIGINS`` lists ``origin``, as Django's CSRF check reads it:
    an entry without ``*`` is compared whole, ``https://*.example.com`` admits
    ``example.com`` and its subdomains over that scheme (and port, if it names one)."""
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        if "*" not in trusted:
            if trusted == origin:
                return True
            continue
        entry = urlsplit(trusted)
        if entry.scheme == scheme and is_same_domain(netloc, entry.netloc.lstrip("*")):
            return True
    return False
