"""The spec's security requirements, enforced at connect time and per event.

A requirement list is an OR; the schemes inside one requirement are an AND; an empty
requirement ``{}`` lets anonymous clients in. Each scheme finds its credential
(:mod:`credentials`), hands it to the info function the spec names, and the mapping
that function returns becomes the connection's security info. An ``exp`` in it says when
the credentials expire (:mod:`asynction_django.revocation.expiry`): one already past is a
refusal, and the connection ends when it comes.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .credentials import Credentials
from .exceptions import Forbidden, SchemeError, SecurityError, Unauthorized
from .handlers import Handler
from .logs import logger
from .revocation import EXP, earliest, expiry_of

CredentialReader = Callable[[Credentials], tuple[Any, ...] | None]


# (type, http scheme) -> the extension naming the info function; looked up with whatever
# type a document gives, hence object.
INFO_FUNCTIONS: dict[tuple[object, str | None], str] = {
    ("http", "basic"): "x-basicInfoFunc",
    ("http", "bearer"): "x-bearerInfoFunc",
    ("httpApiKey", None): "x-apiKeyInfoFunc",
    ("apiKey", None): "x-apiKeyInfoFunc",
    ("oauth2", None): "x-tokenInfoFunc",
    ("openIdConnect", None): "x-tokenInfoFunc",
}


@dataclass
class Scheme:
    """One security scheme, ready to check a connection's credentials."""

    name: str
    kind: str
    credential: CredentialReader
    info: Handler
    validate_scopes: Handler | None

    async def authenticate(self, credentials: Credentials,
                           scopes: Sequence[str]) -> dict[str, Any]:
        found = self.credential(credentials)
        if found is None:
            raise Unauthorized()
        try:
            info = await self.info(*found, required_scopes=list(scopes), scope=credentials.scope)
        except SecurityError:
            raise
        except Exception:  # noqa: BLE001 - a broken info function refuses, it does not crash
            logger.exception("security info function of scheme %r raised", self.name)
            raise Unauthorized() from None
        if not isinstance(info, Mapping):
            raise Unauthorized()
        info = dict(info)
        try:
            expires = expiry_of(info)
        except ValueError as exc:  # when these credentials end cannot be told: no
            logger.error("security info function of scheme %r returned a bad %r: %s",
                         self.name, EXP, exc)
            raise Unauthorized() from None
        if expires is not None and expires <= time.time():
            raise Unauthorized()
        if scopes and not await self._scopes_ok(scopes, info):
            raise Forbidden()
        return info

    async def _scopes_ok(self, required: Sequence[str], info: dict[str, Any]) -> bool:
        granted = granted_scopes(info)
        if self.validate_scopes is None:
            return set(required) <= set(granted)
        try:
            return bool(await self.validate_scopes(list(required), granted, info=info))
        except Exception:  # noqa: BLE001 - a broken validator refuses, it does not crash
            logger.exception("scope validator of security scheme %r raised", self.name)
            return False


def granted_scopes(info: Mapping[str, Any]) -> list[str]:
    """The scopes an info function granted (``scopes``, else ``scope``), as strings.

    Real token claims come in many shapes: a space-separated string, a list, or junk
    (``null``, a number); anything that is not a string or a list of strings grants none.
    """
    granted = info.get("scopes", info.get("scope"))
    if isinstance(granted, str):
        return granted.split()
    if isinstance(granted, (list, tuple, set, frozenset)):
        return [scope for scope in granted if isinstance(scope, str)]
    return []


def build_scheme(name: str, definition: Mapping[str, Any],
                 load: Callable[[str], Callable[..., Any]]) -> Scheme:
    """Compile a Security Scheme Object; SchemeError if it cannot be enforced here."""
    kind = definition.get("type")
    http = str(definition.get("scheme", "")).lower() if kind == "http" else None
    info_key = INFO_FUNCTIONS.get((kind, http)) or INFO_FUNCTIONS.get((kind, None))
    if info_key is None:
        what = f"http scheme {http!r}" if kind == "http" else f"type {kind!r}"
        raise SchemeError(f"security scheme {name!r} has {what}, which a Socket.IO server "
                          "cannot enforce (supported: http basic/bearer, httpApiKey, apiKey, "
                          "oauth2, openIdConnect)")
    if not isinstance(definition.get(info_key), str):
        raise SchemeError(f"security scheme {name!r} needs {info_key}: the dotted path of "
                          "the function that checks its credentials")
    validator = definition.get("x-scopeValidateFunc")
    return Scheme(
        name=name,
        kind=str(kind),
        credential=_credential_reader(name, definition, kind, http)[0],
        info=Handler(load(definition[info_key]), definition[info_key],
                     keywords=("required_scopes", "scope")),
        validate_scopes=(Handler(load(validator), validator, keywords=("info",))
                         if isinstance(validator, str) else None),
    )


BASIC = "Authorization: Basic header, or CONNECT auth {username, password}"
BEARER = "Authorization: Bearer header, or CONNECT auth {token}"
SOURCES = {"query": "query parameter", "header": "header", "cookie": "cookie"}


def _credential_reader(name: str, definition: Mapping[str, Any], kind: Any,
                       http: str | None) -> tuple[CredentialReader, str]:
    """How a scheme's credential is read from a connection, and the same said for people
    (the API docs show it); SchemeError when the scheme does not say enough."""
    if http == "basic":
        return Credentials.basic, BASIC
    if http == "bearer" or kind in ("oauth2", "openIdConnect"):
        return (lambda credentials: _one(credentials.bearer_token())), BEARER
    if kind == "httpApiKey":
        location, key = definition.get("in"), definition.get("name")
        if location not in SOURCES or not isinstance(key, str):
            raise SchemeError(f"httpApiKey scheme {name!r} needs `in` (query, header or "
                              "cookie) and `name`")
        return ((lambda credentials: _one(credentials.api_key(location, key))),
                f"{SOURCES[location]} {key}, or CONNECT auth {{{key}}}")
    location = definition.get("in")
    if location not in ("user", "password"):
        raise SchemeError(f"apiKey scheme {name!r} needs `in: user` or `in: password`")
    part = 0 if location == "user" else 1

    def from_basic(credentials: Credentials) -> tuple[str] | None:
        pair = credentials.basic()
        return (pair[part],) if pair else None

    return from_basic, f"the {location} of {BASIC}"


def describe_credentials(definition: Mapping[str, Any]) -> str:
    """Where a client puts a scheme's credential; "" for a scheme that cannot be served."""
    kind = definition.get("type")
    http = str(definition.get("scheme", "")).lower() if kind == "http" else None
    if kind == "http" and http not in ("basic", "bearer"):
        return ""
    try:
        return _credential_reader("", definition, kind, http)[1]
    except SchemeError:
        return ""


def _one(value: str | None) -> tuple[str] | None:
    return (value,) if value else None


Requirement = Sequence[tuple[Scheme, Sequence[str]]]


class Guard:
    """A list of requirements (OR) of schemes (AND), as compiled at start-up."""

    def __init__(self, requirements: Sequence[Requirement]):
        self.requirements = [r for r in requirements if r]
        self.optional = any(not r for r in requirements)

    async def check(self, credentials: Credentials) -> dict[str, Any]:
        """The merged security info of the first requirement met; raise if none is."""
        refusal: SecurityError = Unauthorized()
        for requirement in self.requirements:
            info: dict[str, Any] = {}
            met = []
            try:
                for scheme, scopes in requirement:
                    met.append(await scheme.authenticate(credentials, scopes))
                    info.update(met[-1])
            except Forbidden as exc:
                refusal = exc
                continue
            except Unauthorized:
                continue
            if len(met) > 1 and EXP in info:  # together, they hold until the first expires
                info[EXP] = earliest(met)
            return info
        if self.optional:
            return {}
        raise refusal


# Built-ins for Django projects -----------------------------------------------------------


def django_session_user(key: str | None = None, required_scopes: Any = None, *,
                        scope: Mapping[str, Any]) -> dict[str, Any] | None:
    """Info function accepting the Django user of the handshake's session cookie.

    Use it as ``x-apiKeyInfoFunc`` of an ``httpApiKey`` scheme ``in: cookie`` named like
    ``SESSION_COOKIE_NAME``; the session itself is checked by Django, not here.
    """
    user = scope.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return {"user": user}


def django_permissions(required_scopes: Sequence[str], granted_scopes: Sequence[str], *,
                       info: Mapping[str, Any]) -> bool:
    """Scope validator: the required scopes are Django permissions the user must have."""
    user = info.get("user")
    return bool(user is not None and user.has_perms(list(required_scopes)))


def constant_time_in(candidate: str, secrets: Sequence[str]) -> bool:
    """Whether ``candidate`` is one of ``secrets``, comparing every one in constant time."""
    found = False
    for secret in secrets:
        found |= hmac.compare_digest(candidate.encode(), secret.encode())
    return found


def django_basic_user(username: str, password: str,
                      required_scopes: Any = None) -> dict[str, Any] | None:
    """Info function for ``http``/``basic``: Django's ``authenticate()`` checks the password.

    Password hashers compare in constant time, and failed logins still run the hasher.
    """
    from django.contrib.auth import authenticate

    user = authenticate(username=username, password=password)
    return {"user": user} if user is not None and user.is_active else None
