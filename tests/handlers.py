"""Handlers named by the wire tests' specs."""

import asyncio
import time

from django.contrib.auth import get_user_model
from django.db import transaction

from asynction_django import (
    AckValidationError,
    PayloadValidationError,
    UnknownEventError,
    aemit,
    get_connection,
    get_server,
)

CALLS = {"echo": 0}


def echo(sid, payload):
    CALLS["echo"] += 1
    return payload["text"]


async def async_echo(sid, payload):
    CALLS["echo"] += 1
    return payload["text"]


def total(sid, numbers):
    return sum(numbers)


def pair(sid, number, text):
    return number, text


def ping(sid):
    return "pong"


async def bad_ack(sid):
    return 42


def boom(sid):
    raise RuntimeError("secret-detail-xyz")


def calls(sid):
    return CALLS["echo"]


def whoami(sid):
    return get_connection(sid).user.get_username()


def remember(sid, value):
    """Keeps ``value`` in the connection's Django session (saved after the handler)."""
    get_connection(sid).session["remembered"] = value
    return get_connection(sid).session.session_key


def add_user(sid, username):
    users = get_user_model()
    users.objects.create(username=username)
    return users.objects.count()


async def connect(sid, environ, auth):
    auth = auth or {}
    if auth.get("refuse"):
        return False
    if auth.get("explode"):
        raise RuntimeError("connect exploded")
    await aemit("welcome", {"text": f"auth={sorted(auth)}"}, to=sid)
    return True


async def emit_invalid(sid):
    try:
        await aemit("news", {"wrong": 1}, to=sid)
    except PayloadValidationError as exc:
        return type(exc).__name__
    return "sent"


async def emit_unknown(sid):
    try:
        await aemit("no such event", {"text": "x"}, to=sid)
    except UnknownEventError as exc:
        return type(exc).__name__
    return "sent"


async def ask(sid, question):
    try:
        return await get_server().call("question", question, to=sid, namespace="/", timeout=5)
    except AckValidationError as exc:
        return type(exc).__name__


async def broadcast(sid, text):
    await aemit("news", {"text": text})
    return True


def refuse(sid, environ, auth):
    return False


def handled(sid, exc):
    return {"handled": type(exc).__name__}


def default_error(sid, exc):
    return {"default handler": type(exc).__name__}


def raw(sid, value):
    return value


def shout(sid, text):
    return text.upper()


def count_words(sid, text):
    return {"words": len(text.split())}


STYLE_EVENTS = []


def style_connect(sid, environ):
    STYLE_EVENTS.append("connect")


def style_disconnect(sid):
    STYLE_EVENTS.append("disconnect")


async def kick(sid):
    await get_server().disconnect(sid, namespace="/")


async def slow(sid):
    await asyncio.sleep(0.5)


async def join(sid, room):
    await get_server().enter_room(sid, room, namespace="/")
    return True


async def tell_room(sid, room, text):
    await aemit("news", {"text": text}, room=room)


def my_sid(sid):
    return sid


async def tell(sid, target, text):
    """Emit to one sid, wherever (whichever process) it is connected."""
    await aemit("news", {"text": text}, to=target)


async def ask_other(sid, target, question):
    """Ask another client (maybe on another process) and return its validated answer."""
    try:
        return await get_server().call("question", question, to=target, namespace="/",
                                        timeout=5)
    except AckValidationError as exc:
        return type(exc).__name__


async def hang(sid):
    await asyncio.sleep(3600)


def hold_database(sid):
    """A sync handler that keeps a write transaction open for a second."""
    with transaction.atomic():
        get_user_model().objects.create_user(f"holder-{time.monotonic_ns()}")
        time.sleep(1)
    return "released"


def count_arguments(sid, *arguments):
    return len(arguments)
