"""Handlers of tests/specs/recovery.yaml."""

import asyncio

from asynction_django import aemit, get_connection, get_server

VALID_KEYS = {"key-1"}
connects = []  # (sid, recovered) per connect handler run
disconnects = []  # (sid, reason)
auths = {}  # sid -> the auth its last connect handler run got
rooms_at_connect = {}  # sid -> the rooms its last connect handler run saw


async def connect(sid, environ, auth):
    if isinstance(auth, dict) and auth.get("slow"):
        await asyncio.sleep(0.002)  # as a connect handler that reads the database would
    connects.append((sid, get_connection(sid).recovered))
    auths[sid] = auth
    rooms_at_connect[sid] = sorted(r for r in get_server().rooms(sid) if r != sid)
    if not (isinstance(auth, dict) and auth.get("quiet")):
        await aemit("welcome", "hello", to=sid)


async def disconnect(sid, reason):
    disconnects.append((sid, reason))


async def join(sid, room):
    await get_server().enter_room(sid, room)


async def shout(sid, message):
    await aemit("news", message["text"], to=message["room"])


async def tell(sid, message):
    await aemit("news", message["text"], to=message["sid"])


async def announce(sid, text):
    await aemit("news", text)


async def whoami(sid):
    server, connection = get_server(), get_connection(sid)
    namespace = connection.namespace
    return {"sid": sid, "recovered": connection.recovered,
            "rooms": sorted(r for r in server.rooms(sid, namespace) if r != sid),
            "data": await server.get_session(sid, namespace),
            "user": connection.user.get_username()}


async def remember(sid, value):
    async with get_server().session(sid) as session:
        session["value"] = value


def key_info(key, required_scopes=None):
    return {"key": key} if key in VALID_KEYS else None
