"""What the docs page says besides the schemas: whom to contact, the licence, each event's
operation id, and how a client meets each security scheme (the playground says it when a
connection is refused)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from ..spec import Spec
from ..spec.model import Requirements
from ..spec.traits import apply_traits_v2, apply_traits_v3

# Links the page makes from the spec's URLs: never javascript: or data:.
LINK_SCHEMES = ("http", "https")
SESSION_INFO_FUNCTION = "asynction_django.security.django_session_user"


@dataclass(frozen=True)
class ContactDoc:
    name: str
    url: str | None
    email: str | None


@dataclass(frozen=True)
class LicenseDoc:
    name: str
    url: str | None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def safe_url(value: Any) -> str | None:
    """``value`` if it is an http(s) URL, the only kind the page links to."""
    text = _text(value)
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    return text if scheme in LINK_SCHEMES else None


def contact_of(info: dict[str, Any]) -> ContactDoc | None:
    """``info.contact``: a name, a URL and an email, any of which may be missing."""
    contact = info.get("contact")
    if not isinstance(contact, dict):
        return None
    email = _text(contact.get("email"))
    found = ContactDoc(_text(contact.get("name")), safe_url(contact.get("url")),
                       email if "@" in email and ":" not in email else None)
    return found if found.name or found.url or found.email else None


def license_of(info: dict[str, Any]) -> LicenseDoc | None:
    """``info.license``: its name (required by AsyncAPI) and URL."""
    licence = info.get("license")
    if not isinstance(licence, dict):
        return None
    url = safe_url(licence.get("url"))
    name = _text(licence.get("name")) or (url or "")
    return LicenseDoc(name, url) if name else None


def operation_ids(spec: Spec) -> dict[tuple[str, str, str], str]:
    """``(namespace, direction, event)`` → the id of the operation the event belongs to.

    2.x: the channel's ``publish`` (received) or ``subscribe`` (sent) ``operationId``;
    3.x: the key of the operation under ``operations`` (its id).
    """
    found: dict[tuple[str, str, str], str] = {}
    if spec.version.startswith("2."):
        for namespace in spec.namespaces.values():
            for key, direction, events in (("publish", "receive", namespace.received),
                                           ("subscribe", "send", namespace.sent)):
                operation = namespace.document.get(key)
                if not isinstance(operation, dict):
                    continue
                operation_id = _text(apply_traits_v2(operation).get("operationId"))
                for event in events if operation_id else ():
                    found[(namespace.name, direction, event)] = operation_id
        return found
    operations = spec.document.get("operations")
    for operation_id, raw in (operations.items() if isinstance(operations, dict) else ()):
        operation = apply_traits_v3(raw) if isinstance(raw, dict) else {}
        channel = operation.get("channel")
        action = operation.get("action")
        if not isinstance(channel, dict) or action not in ("receive", "send"):
            continue
        for event in _v3_events(operation, channel):
            found.setdefault((str(channel.get("address")), str(action), event), str(operation_id))
    return found


def _v3_events(operation: dict[str, Any], channel: dict[str, Any]) -> Iterator[str]:
    """The event names of a 3.x operation's messages (a message's name, else its key)."""
    available = channel.get("messages")
    available = available if isinstance(available, dict) else {}
    listed = operation.get("messages")
    messages = listed if isinstance(listed, list) else list(available.values())
    for message in messages:
        if not isinstance(message, dict):
            continue
        name = apply_traits_v3(message).get("name")
        if isinstance(name, str) and name:
            yield name
            continue
        yield from (key for key, candidate in available.items()
                    if candidate is message or candidate == message)


def _auth(*names: str) -> str:
    return json.dumps(dict.fromkeys(names, "…"), ensure_ascii=False)


BEARER_SEND = ('put it in CONNECT auth as {"token": "…"}, or send an Authorization: Bearer '
               "header (long-polling only)")
BASIC_SEND = (f"put them in CONNECT auth as {_auth('username', 'password')}, or send an "
              "Authorization: Basic header (long-polling only)")


def scheme_hint(name: str, scheme: dict[str, Any]) -> dict[str, Any]:
    """What a client needs for the security scheme ``name`` and where to put it:
    ``{"scheme", "needs", "send", "session"}``; ``session`` when the credential is this
    site's Django session cookie (the playground then offers to log in)."""
    kind = scheme.get("type")
    http = _text(scheme.get("scheme")).lower() if kind == "http" else ""
    location, key = scheme.get("in"), _text(scheme.get("name"))
    needs, send, session = f"a credential of type {kind}", "", False
    if http == "bearer" or kind in ("oauth2", "openIdConnect"):
        token_format = _text(scheme.get("bearerFormat"))
        needs = {"oauth2": "an OAuth 2 access token",
                 "openIdConnect": "an OpenID Connect token"}.get(
            str(kind), f"a bearer token ({token_format})" if token_format else "a bearer token")
        send = BEARER_SEND
    elif http == "basic":
        needs, send = "a username and password (HTTP basic)", BASIC_SEND
    elif kind == "httpApiKey" and location == "cookie" and (
            key == settings.SESSION_COOKIE_NAME
            or scheme.get("x-apiKeyInfoFunc") == SESSION_INFO_FUNCTION):
        needs, session = f"a logged-in user (the session cookie {key})", True
    elif kind == "httpApiKey":
        needs = f"the API key {key}"
        send = {
            "query": f"put it in Query as {key}=…, or in CONNECT auth as {_auth(key)}",
            "header": f"put it in CONNECT auth as {_auth(key)}, or in Headers as {_auth(key)} "
                      "(long-polling only)",
            "cookie": f"put it in CONNECT auth as {_auth(key)} (or the browser sends this "
                      f"site's {key} cookie)",
        }.get(str(location), f"put it in CONNECT auth as {_auth(key)}")
    elif kind == "apiKey":
        needs = f"an API key as the {location} of HTTP basic"
        send = BASIC_SEND
    return {"scheme": name, "needs": needs, "send": send, "session": session}


def security_hints(requirements: Requirements | None,
                   schemes: dict[str, dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Each alternative of ``requirements`` as the hints of its schemes; none when an
    anonymous alternative (``{}``) lets anyone in."""
    if not requirements or any(not requirement for requirement in requirements):
        return []
    return [[scheme_hint(name, schemes.get(name) or {}) for name in requirement]
            for requirement in requirements]
