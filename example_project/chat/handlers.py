"""The handlers the example spec names. Sync ones use the ORM directly; async ones await.

Who is where is the server's presence (the spec's ``x-presence`` on the chat), not kept
here: it counts each user once however many tabs they have, sends the rooms
``presence:join`` / ``presence:leave``, and with several processes on Redis ``apresence``
answers for all of them.
"""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async

from asynction_django import aemit, apresence, emit, get_connection, get_server

from .models import Message

logger = logging.getLogger(__name__)

HISTORY = 50
# Every chat connection is also in this room, so its presence is "who is online": the staff
# count. Its name cannot be a chat room's (the spec's Room pattern has no "@"), so no one
# can join it, and the page, which shows one room, ignores its join and leave events (each
# user's arrival and departure is one event to every page: fine at this chat's size).
ONLINE = "@online"


async def _members(room: str) -> list[str]:
    """The usernames in ``room``, each once, sorted: from presence, over every process."""
    return sorted(member.info["username"] for member in await apresence(room, namespace="/"))


async def _publish_online(to: str | None = None) -> None:
    """Tell the staff (or the one staff connection ``to``) how many users are online."""
    online = len(await apresence(ONLINE, namespace="/"))
    await aemit("presence", {"online": online}, to=to, namespace="/admin")


def _rooms_of(sid: str) -> list[str]:
    """The chat room a connection is in: not its own sid room, nor ONLINE."""
    return [room for room in get_server().rooms(sid, namespace="/") if room not in (sid, ONLINE)]


async def connect(sid, environ, auth):
    """The spec's `session` security already refused anonymous clients.

    A connection that dropped and came back (connection state recovery) has its rooms
    back; presence counts it there again and tells the rooms, so nothing is said here.
    """
    await get_server().enter_room(sid, ONLINE, namespace="/")
    await _publish_online()


async def disconnect(sid, reason):
    """Presence leaves every room after this handler; ONLINE is left first so that the
    staff count sent now no longer counts this connection."""
    await get_server().leave_room(sid, ONLINE, namespace="/")
    await _publish_online()


async def join_room(sid, payload):
    """One room per connection: joining leaves the previous one (presence tells both rooms);
    the ack lists who is in the room now, which the page updates with presence's events."""
    room = payload["room"]
    server = get_server()
    for previous in _rooms_of(sid):
        if previous != room:
            await server.leave_room(sid, previous, namespace="/")
    await server.enter_room(sid, room, namespace="/")
    history = await sync_to_async(_history)(room)
    return {"room": room, "history": history, "members": await _members(room)}


def _history(room: str) -> list[dict]:
    recent = Message.objects.filter(room=room).select_related("author").order_by("-id")[:HISTORY]
    return [message.as_event() for message in reversed(recent)]


def send_message(sid, payload):
    """Sync: stores with the ORM, then emits with the sync API from this worker thread.

    The spec's x-rate-limit refuses a flood before it gets here (RateLimited, with
    retry_after), so a stuck key or a script cannot fill the database.
    """
    user = get_connection(sid).user
    message = Message.objects.create(room=payload["room"], author=user, text=payload["text"])
    emit("new message", message.as_event(), room=message.room, namespace="/")
    return {"id": message.id, "created": message.created.isoformat()}


async def typing(sid, room, is_typing):
    """Relayed to the room's other members; a room this connection is not in is ignored."""
    if room not in _rooms_of(sid):
        return
    user = get_connection(sid).user.get_username()
    await aemit("typing", {"room": room, "user": user, "typing": is_typing},
                room=room, skip_sid=sid, namespace="/")


def list_rooms(sid):
    rooms = set(Message.objects.values_list("room", flat=True).distinct())
    return sorted(rooms | {"lobby"})


async def admin_connect(sid, environ, auth):
    """Only users with the `auth.view_user` permission get here (the spec's x-security)."""
    await _publish_online(to=sid)
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
