"""A channel's ``x-presence``: read and checked at start-up, for 2.x and 3.x alike.

``x-presence: true`` keeps presence in every room of the namespace; a mapping narrows it
(``rooms``: glob patterns), names the info function and renames the two events. The
namespace must declare those events as messages the server sends, each one argument:
a server that could not tell the room who came and went is caught here, not at the
first join.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .documents import Location, ResolvedDocument
from .model import Arity, Namespace, Presence
from .problems import Problems
from .reading import text

KEY = "x-presence"
OPTIONS = ("rooms", "info", "join", "leave")
MAX_PATTERN_LENGTH = 200  # as long as a room presence keeps (presence.records)
SHAPE = ("x-presence must be true, false or a mapping with rooms (glob patterns), info "
         "(a dotted path), join and leave (event names)")


def read_presence(resolved: ResolvedDocument, namespaces: dict[str, Namespace],
                  problems: Problems, is_v3: bool) -> dict[str, Namespace]:
    """``namespaces`` with the ``x-presence`` of their channels (2.x: the channel's key is
    the namespace; 3.x: its ``address``, and only one channel of an address may set it)."""
    channels = resolved.tree.get("channels")
    if not isinstance(channels, dict):
        return namespaces
    channels_at = resolved.locate(resolved.root, "channels", channels)
    found: dict[str, str] = {}  # namespace -> the channel that set x-presence
    read = dict(namespaces)
    for channel_id, channel in channels.items():
        if not isinstance(channel, dict) or KEY not in channel:
            continue
        name = channel.get("address") if is_v3 else channel_id
        if not isinstance(name, str) or name not in namespaces:
            continue  # not a namespace: reported by the version's reader
        value = channel[KEY]
        at = resolved.locate(resolved.locate(channels_at, channel_id, channel), KEY, value)
        if name in found:
            problems.add(at, f"channels {found[name]!r} and {channel_id!r} share the address "
                             f"{name!r} (one namespace) and both set x-presence")
            continue
        found[name] = channel_id
        presence = _presence(value, at, problems)
        if presence is not None and _declares_events(namespaces[name], presence, problems):
            read[name] = replace(namespaces[name], presence=presence)
    return read


def _presence(value: Any, at: Location, problems: Problems) -> Presence | None:
    if value is True:
        return Presence(at)
    if value is False or value is None:
        return None
    if not isinstance(value, dict):
        problems.add(at, SHAPE)
        return None
    unknown = [key for key in value if key not in OPTIONS]
    for key in unknown:
        problems.add(at.child(key), f"unknown x-presence option {key!r}: expected one of "
                                    f"{', '.join(OPTIONS)}")
    fine, rooms = _rooms(value, at, problems)
    info = value.get("info")
    if info is not None and text(info) is None:
        problems.add(at.child("info"), "info must be the dotted path of a function "
                                       "info(connection) returning a JSON object or None")
        info = None
    events = {}
    for key in ("join", "leave"):
        event = value.get(key, getattr(Presence, key))
        if text(event) is None:
            problems.add(at.child(key), f"{key} must be an event name (a non-empty string)")
            return None
        events[key] = event
    if events["join"] == events["leave"]:
        problems.add(at.child("leave"), "join and leave must be two different events")
        return None
    if unknown or not fine:
        return None
    return Presence(at, rooms, info, events["join"], events["leave"])


def _rooms(value: dict[str, Any], at: Location,
           problems: Problems) -> tuple[bool, tuple[str, ...] | None]:
    """Whether the room patterns are right, and the patterns (None: every room)."""
    if "rooms" not in value:
        return True, None
    rooms = value["rooms"]
    rooms_at = at.child("rooms")
    if not isinstance(rooms, list) or not rooms:
        problems.add(rooms_at, "rooms must be a non-empty list of room names or glob patterns "
                               "('lobby', 'game:*'); leave it out for every room")
        return False, None
    fine = True
    for index, pattern in enumerate(rooms):
        if text(pattern) is None or len(pattern) > MAX_PATTERN_LENGTH:
            problems.add(rooms_at.child(index), "a room pattern must be a non-empty string of "
                                                f"at most {MAX_PATTERN_LENGTH} characters")
            fine = False
    return fine, tuple(rooms)


def _declares_events(namespace: Namespace, presence: Presence, problems: Problems) -> bool:
    """Whether the namespace sends the join and leave events, each as one argument."""
    fine = True
    for event in (presence.join, presence.leave):
        message = namespace.sent.get(event)
        if message is None:
            problems.add(presence.location,
                         f"x-presence: namespace {namespace.name!r} must declare the event "
                         f"{event!r} as a message the server sends (2.x subscribe, 3.x send), "
                         "with one object as payload: {room, member: {key, info}} "
                         "(docs/presence.md)")
            fine = False
        elif message.payload.arity is not Arity.ONE:
            problems.add(message.payload.location,
                         f"x-presence sends {event!r} with one argument, an object {{room, "
                         "member: {key, info}}: its payload must be one schema, not a tuple "
                         "or nothing")
            fine = False
    return fine
