"""Handlers of tests/specs/presence.yaml."""

from asynction_django import apresence, get_connection, get_server


async def join(sid, room):
    await get_server().enter_room(sid, room, namespace=get_connection(sid).namespace)


async def leave(sid, room):
    await get_server().leave_room(sid, room, namespace=get_connection(sid).namespace)


async def close(sid, room):
    await get_server().close_room(room, namespace=get_connection(sid).namespace)


async def who(sid, room):
    members = await apresence(room, get_connection(sid).namespace)
    return [member.as_dict() for member in members]


def staff_info(connection):
    """Sync, as one that reads the database would be: signed-in users only, with a badge."""
    user = connection.user
    if not user.is_authenticated:
        return None
    return {"name": user.get_username(), "badge": "staff" if user.is_staff else "member"}
