"""Handlers and info functions of tests/revocation/revocation.yaml.

A token is ``<username>:<exp>`` (``-`` for no user): what a real bearer info function
returns after checking a signed token's signature, its claims. A key is ``<exp>``, and its
info gives the expiry as a datetime.
"""

from datetime import UTC, datetime

from django.contrib.auth.models import User

from asynction_django import aemit, get_connection, get_server


def token(username: str, exp: float | str) -> str:
    return f"{username}:{exp}"


def token_info(token, required_scopes=None):
    username, _, exp = token.partition(":")
    try:
        expires = float(exp)
    except ValueError:
        expires = exp  # a malformed claim, passed on as an info function would
    if username == "-":
        return {"sub": "-", "exp": expires}
    user = User.objects.filter(username=username).first()
    return {"user": user, "exp": expires} if user is not None else None


def key_info(key, required_scopes=None):
    return {"exp": datetime.fromtimestamp(float(key), UTC)}


async def whoami(sid):
    server, connection = get_server(), get_connection(sid)
    namespace = connection.namespace
    user = connection.security.get("user") or connection.user
    return {"sid": sid, "recovered": connection.recovered, "user": user.get_username(),
            "rooms": sorted(r for r in server.rooms(sid, namespace) if r != sid),
            "data": await server.get_session(sid, namespace)}


async def join(sid, room):
    await get_server().enter_room(sid, room)


async def remember(sid, value):
    async with get_server().session(sid) as session:
        session["value"] = value


async def shout(sid, message):
    await aemit("news", message["text"], to=message["room"])
