"""Info functions named by tests/specs/security.yaml: sync and async, as users write them."""

from asynction_django import get_connection
from asynction_django.security import constant_time_in

KEYS = ["key-123"]


def basic_info(username, password, required_scopes=None):
    if username == "ann" and constant_time_in(password, ["s3cret"]):
        return {"user": "ann", "via": "basic"}
    return None


async def bearer_info(token, required_scopes=None):
    if token == "boom":
        raise RuntimeError("info function bug")
    return {"user": "bea", "via": "bearer"} if token == "tok-1" else None


def api_key_info(key, required_scopes=None):
    return {"via": "api key", "key_ok": True} if constant_time_in(key, KEYS) else None


# Scope claims as real tokens carry them, junk included.
SCOPE_CLAIMS = {"full": ["write", "read"], "partial": ["read"], "spaced": "read write",
                "null": None, "number": 7, "true": True, "object": {"read": 1},
                "mixed": ["read", 7, None]}


async def token_info(token):
    if token not in SCOPE_CLAIMS:
        return None
    return {"user": "oli", "scopes": SCOPE_CLAIMS[token]}


def security(sid):
    return dict(get_connection(sid).security)


def security_user(sid):
    return get_connection(sid).security["user"].get_username()
