"""The handlers the example spec names. Sync ones use the ORM directly; async ones await."""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async

from asynction_django import aemit, emit, get_connection, get_server

from .models import Message

logger = logging.getLogger(__name__)

HISTORY = 50


async def _publish_presence() -> None:
    online = len({user for user in _online_users()})
    await aemit("presence", {"online": online}, namespace="/admin")


def _online_users() -> list[str]:
    server = get_server()
    return [
        get_connection(sid).user.get_username()
        for sid, _ in server.manager.get_participants("/", None)
    ]


async def connect(sid, environ, auth):
    """The spec's `session` security already refused anonymous clients."""
    await _publish_presence()


async def disconnect(sid, reason):
    await _publish_presence()


async def join_room(sid, payload):
    room = payload["room"]
    await get_server().enter_room(sid, room, namespace="/")
    history = await sync_to_async(_history)(room)
    return {"room": room, "history": history}


def _history(room: str) -> list[dict]:
    recent = Message.objects.filter(room=room).select_related("author").order_by("-id")[:HISTORY]
    return [message.as_event() for message in reversed(recent)]


def send_message(sid, payload):
    """Sync: stores with the ORM, then emits with the sync API from this worker thread."""
    user = get_connection(sid).user
    message = Message.objects.create(room=payload["room"], author=user, text=payload["text"])
    emit("new message", message.as_event(), room=message.room, namespace="/")
    return {"id": message.id, "created": message.created.isoformat()}


async def typing(sid, room, is_typing):
    user = get_connection(sid).user.get_username()
    await aemit("typing", {"room": room, "user": user, "typing": is_typing},
                room=room, skip_sid=sid, namespace="/")


def list_rooms(sid):
    rooms = set(Message.objects.values_list("room", flat=True).distinct())
    return sorted(rooms | {"lobby"})


async def admin_connect(sid, environ, auth):
    """Only users with the `auth.view_user` permission get here (the spec's x-security)."""
    online = len(set(_online_users()))
    await aemit("presence", {"online": online}, to=sid, namespace="/admin")
    return True


async def broadcast(sid, announcement):
    await aemit("announcement", announcement, namespace="/")
    return {"delivered": True}


def admin_error(sid, exc):
    """The admin namespace's own error handler: log who was refused, answer as usual."""
    logger.warning("admin event from %s refused: %r", sid, exc)
    return default_error(sid, exc)


def default_error(sid, exc):
    """Every namespace without its own error handler answers refused events like this."""
    if hasattr(exc, "as_wire"):
        return exc.as_wire()
    logger.error("chat handler failed: %r", exc)
    return {"error": {"type": "InternalServerError", "message": "Something went wrong",
                      "errors": []}}
