"""The handlers the example spec names. Sync ones use the ORM directly; async ones await."""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async

from asynction_django import aemit, emit, get_connection, get_server

from .models import Message

logger = logging.getLogger(__name__)

HISTORY = 50


async def _publish_presence(*, without: str | None = None) -> None:
    online = len(set(_online_users(without=without)))
    await aemit("presence", {"online": online}, namespace="/admin")


def _username(sid: str) -> str | None:
    try:
        return get_connection(sid, "/").user.get_username()
    except LookupError:  # not (or no longer) connected to the chat
        return None


def _users_in(room: str | None, *, without: str | None = None) -> list[str]:
    """The usernames connected to `room` (`None`: the whole chat), one per connection.

    A disconnect handler passes its own sid as `without`: python-socketio still lists a
    connection while its disconnect handler runs. With several processes sharing a broker,
    each process knows its own connections only: presence here is per process.
    """
    participants = get_server().manager.get_participants("/", room)
    names = (_username(sid) for sid, _ in participants if sid != without)
    return [name for name in names if name is not None]


def _online_users(*, without: str | None = None) -> list[str]:
    return _users_in(None, without=without)


def _rooms_of(sid: str) -> list[str]:
    """The chat rooms a connection is in (python-socketio also puts it in a room of its own)."""
    return [room for room in get_server().rooms(sid, namespace="/") if room != sid]


async def _left(room: str, user: str | None, sid: str) -> None:
    """Tell `room` that `user` left, unless another of their connections is still there."""
    if user is not None and user not in _users_in(room, without=sid):
        await aemit("user left", {"room": room, "user": user}, room=room, skip_sid=sid,
                    namespace="/")


async def connect(sid, environ, auth):
    """The spec's `session` security already refused anonymous clients.

    A connection that dropped and came back (connection state recovery) is in its room
    again, which its disconnect told it had left: say it is back.
    """
    if get_connection(sid).recovered:
        user = _username(sid)
        for room in _rooms_of(sid):
            if user is not None and user not in _users_in(room, without=sid):
                await aemit("user joined", {"room": room, "user": user}, room=room,
                            skip_sid=sid, namespace="/")
    await _publish_presence()


async def disconnect(sid, reason):
    user = _username(sid)
    for room in _rooms_of(sid):
        await _left(room, user, sid)
    await _publish_presence(without=sid)


async def join_room(sid, payload):
    """One room per connection: joining leaves the previous one; the members are told."""
    room = payload["room"]
    server = get_server()
    user = _username(sid)
    for previous in _rooms_of(sid):
        if previous != room:
            await server.leave_room(sid, previous, namespace="/")
            await _left(previous, user, sid)
    already_there = user in _users_in(room)
    await server.enter_room(sid, room, namespace="/")
    if user is not None and not already_there:
        await aemit("user joined", {"room": room, "user": user}, room=room, skip_sid=sid,
                    namespace="/")
    history = await sync_to_async(_history)(room)
    return {"room": room, "history": history, "members": sorted(set(_users_in(room)))}


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
