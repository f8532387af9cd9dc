"""Logging that is safe in production: no payloads or credentials, no floods.

python-socketio and python-engineio log every packet, with its data, at INFO. Under
plain daphne (which sets the root logger to INFO) that puts clients' CONNECT ``auth``,
tokens and message bodies in the server's output. They get :class:`ServerLogger`
instead of a plain logger: their INFO chatter is dropped unless the project sets
``ASYNCTION_LOG_PACKETS = True``, and then credentials are redacted from it.

Warnings a client can cause at will (a frame nobody can decode, an invalid ack) are
repeated at most once a minute per kind, with a count of what was left out, and so are
the errors of a user's handler or info function (with their traceback, once a minute).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

REPEAT_EVERY = 60.0  # seconds between two records of the same kind
MAX_KINDS = 1_000  # kinds remembered; past that the memory starts afresh (it stays bounded)

# A Socket.IO CONNECT packet: "0", an optional "/namespace,", then the client's auth.
_CONNECT_PACKET = re.compile(r"(0(?:/[^,]*,)?)(.+)", re.DOTALL)
REDACTED = "<auth redacted>"


class RepeatFilter(logging.Filter):
    """Lets the first record of each kind through, then one per ``every`` seconds.

    A record's kind is its message template; records logged without arguments count
    as one kind when they differ only in numbers (``retrying in 4 secs``).
    """

    def __init__(self, every: float = REPEAT_EVERY, first_note: str = "",
                 by_message: bool = False):
        super().__init__()
        self.every = every
        self.first_note = first_note
        self.by_message = by_message  # the kind is the whole message, arguments included
        self.clock = time.monotonic
        self._seen: dict[str, tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = record.getMessage() if self.by_message else None
        admitted = self.admit(record.msg, bool(record.args), key)
        if admitted is None:
            return False
        record.msg = admitted
        return True

    def admit(self, msg: Any, has_args: bool, key: str | None = None) -> str | None:
        """The template to log now (with a note on repeats), or None to leave it out."""
        if key is None:
            key = str(msg) if has_args else re.sub(r"\d", "", str(msg))
        now = self.clock()
        last, left_out = self._seen.get(key, (None, 0))
        if last is not None and now - last < self.every:
            self._seen[key] = (last, left_out + 1)
            return None
        if len(self._seen) >= MAX_KINDS and key not in self._seen:
            self._seen.clear()
        self._seen[key] = (now, 0)
        if last is None and self.first_note:
            return f"{msg} ({self.first_note})"
        if left_out:
            return f"{msg} ({left_out} more like this since the last report)"
        return str(msg)


def redact_packet(data: Any) -> Any:
    """A logged Engine.IO packet's data, with a Socket.IO CONNECT's auth replaced."""
    if isinstance(data, str):
        match = _CONNECT_PACKET.fullmatch(data)
        if match:
            return match.group(1) + REDACTED
    return data


class ServerLogger(logging.LoggerAdapter[logging.Logger]):
    """The logger python-socketio and python-engineio are given.

    Below WARNING: dropped, unless ``packets`` is on (then CONNECT auth is redacted).
    WARNING and above: through a :class:`RepeatFilter`, since clients can trigger
    most of them (refused connections, unsupported methods, unknown sids).
    """

    def __init__(self, logger: logging.Logger, packets: bool = False):
        super().__init__(logger, {})
        self.packets = packets
        self.repeats = RepeatFilter()

    def log(self, level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
        if level < logging.WARNING:
            if not self.packets:
                return
            args = tuple(redact_packet(arg) for arg in args)
        elif self.isEnabledFor(level):
            msg = self.repeats.admit(msg, bool(args))
            if msg is None:
                return
        self.logger.log(level, msg, *args, **kwargs)


# Every logger of the package, one per feature, declared here so that a project's LOGGING
# can name them from one list (the README's "Deployment" section has it).
logger = logging.getLogger("asynction_django")  # handlers, info functions, start-up
# What clients can cause at will, from asynction_django itself: rate-limited the same way.
client_logger = logging.getLogger("asynction_django.clients")
client_logger.addFilter(RepeatFilter())
# python-socketio logs every failed publish and every reconnection attempt: during an
# outage with traffic that is a flood, so the first report and then one a minute.
broker_logger = logging.getLogger("asynction_django.broker")
broker_logger.addFilter(RepeatFilter(first_note=(
    "the message broker is unreachable; repeats of this error are logged at most every "
    f"{REPEAT_EVERY:.0f} s")))
# Connection state recovery: its store (Redis) unreachable is the same flood.
recovery_logger = logging.getLogger("asynction_django.recovery")
recovery_logger.addFilter(RepeatFilter(first_note=(
    "the recovery store is unreachable or failing; repeats of this error are logged at "
    f"most every {REPEAT_EVERY:.0f} s")))
# Presence: its Redis store unreachable, or a join/leave the spec refuses, on every join.
presence_logger = logging.getLogger("asynction_django.presence")
presence_logger.addFilter(RepeatFilter())
admin_ui_logger = logging.getLogger("asynction_django.admin_ui")
# Revocation: which connections a logout, a deactivated or deleted user or an expiry ended.
revocation_logger = logging.getLogger("asynction_django.revocation")
# Rate limits: their store (Redis) failing lets events through, once a minute said so.
limits_logger = logging.getLogger("asynction_django.limits")
limits_logger.addFilter(RepeatFilter(first_note=(
    "events go through unlimited while the rate limits' store fails; repeats of this error "
    f"are logged at most every {REPEAT_EVERY:.0f} s")))
# python-socketio's and python-engineio's own loggers, handed to them as ServerLoggers.
socketio_logger = logging.getLogger("socketio.server")
engineio_logger = logging.getLogger("engineio.server")
# Your handlers' and info functions' errors keep their tracebacks, but a client that makes
# one fail on every event gets it logged once a minute (per handler), with a count.
handler_errors = RepeatFilter(by_message=True)
logger.addFilter(handler_errors)
