"""What a client presents to prove who it is: headers, query, cookies and CONNECT ``auth``.

A browser's WebSocket cannot set headers, so every scheme also reads its credential
from the Socket.IO CONNECT ``auth`` payload (see the README's security section).

Cookies are read once, one way (:func:`cookies_of`), for the security schemes here and for
the Django session (:mod:`asynction_django.server.django_scope`): a malformed header cannot
mean one thing to one and another thing to the other.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import parse_cookie

from .validation import headers_of, query_of


@dataclass(frozen=True)
class Credentials:
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    query: dict[str, Any] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    auth: dict[str, Any] = field(default_factory=dict)
    scope: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_connect(cls, environ: dict[str, Any], auth: Any) -> Credentials:
        scope = environ.get("asgi.scope") or {}
        return cls(
            headers=headers_of(environ),
            query=query_of(environ),
            cookies=cookies_of(scope),
            auth=auth if isinstance(auth, dict) else {},
            scope=scope,
        )

    def authorization(self, kind: str) -> str | None:
        """The credential of an ``Authorization: <kind> <credential>`` header, if that kind."""
        value = self.headers.get("authorization", "")
        found, _, credential = value.strip().partition(" ")
        if found.lower() != kind.lower() or not credential.strip():
            return None
        return credential.strip()

    def bearer_token(self) -> str | None:
        token = self.auth.get("token")
        if isinstance(token, str) and token:
            return token
        return self.authorization("Bearer")

    def basic(self) -> tuple[str, str] | None:
        """Username and password from ``auth`` or ``Authorization: Basic``; None if malformed."""
        username, password = self.auth.get("username"), self.auth.get("password")
        if isinstance(username, str) and isinstance(password, str):
            return (username, password) if username and password else None
        encoded = self.authorization("Basic")
        if encoded is None:
            return None
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, colon, password = decoded.partition(":")
        if not colon or not username or not password:
            return None
        return username, password

    def api_key(self, location: str, name: str) -> str | None:
        """An ``httpApiKey``: from its query/header/cookie, or ``auth[name]``."""
        from_auth = self.auth.get(name)
        if isinstance(from_auth, str) and from_auth:
            return from_auth
        source = {"query": self.query, "header": self.headers, "cookie": self.cookies}[location]
        value = source.get(name.lower() if location == "header" else name)
        return value if isinstance(value, str) and value else None


def cookies_of(scope: Mapping[str, Any]) -> dict[str, str]:
    """The cookies of an ASGI request: Django's ``parse_cookie`` of its first ``Cookie``
    header, as Channels' ``CookieMiddleware`` reads them."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            cookies: dict[str, str] = parse_cookie(value.decode("latin-1"))
            return cookies
    return {}
