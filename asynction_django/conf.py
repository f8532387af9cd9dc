"""asynction_django's settings: their shape, their defaults (the README's Settings table)
and what can be wrong with them.

Every setting is described here and nowhere else, the options of the optional features
included (``ASYNCTION_ADMIN_UI``, ``ASYNCTION_CONNECTION_STATE_RECOVERY``). This module
imports nothing of the package but the rate-limit syntax (``limits.rules``, shared with the
spec's ``x-rate-limit``; ``limits`` never reads the settings), so any module may read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.utils.module_loading import import_string

from .limits.rules import RuleError, described, parse_rate_limits

PREFIX = "ASYNCTION_"
# ASYNCTION_MESSAGE_QUEUE's URL schemes and the broker each names: the queue managers and
# connection state recovery (which needs Redis: its processes share one log) read this table.
BROKERS = {"redis": "redis", "rediss": "redis", "valkey": "redis", "valkeys": "redis",
           "amqp": "amqp", "amqps": "amqp", "channels": "channels"}
# The budget of the events the spec does not limit (docs/rate-limits.md), per connection and
# namespace: bursts of 100, then 100 a second. None (or False): no default.
DEFAULT_RATE_LIMIT = {"limit": 100, "per": "1s", "by": "connection"}


@dataclass(frozen=True)
class AsynctionSettings:
    SPEC: str | Path | dict[str, Any] | None = None
    SERVER: str | None = None
    VALIDATION: bool = True
    DOCS: bool = True
    DOCS_ACCESS: str | None = None  # "open", "login", "staff", a dotted path; None: see docs_access
    DEFAULT_ERROR_HANDLER: str | None = None
    MESSAGE_QUEUE: str | None = None
    MESSAGE_QUEUE_OPTIONS: dict[str, Any] = field(default_factory=dict)
    SOCKETIO: dict[str, Any] = field(default_factory=dict)
    HANDLER_TIMEOUT: float | None = 60.0  # seconds an event handler may take; None: no limit
    LOG_PACKETS: bool = False  # python-socketio's per-packet INFO logs (CONNECT auth redacted)
    MAX_EVENTS_IN_FLIGHT: int | None = 64  # per connection, then it is read no further
    MAX_ATTACHMENTS: int = 10  # binary attachments in one packet
    CONNECT_TIMEOUT: float | None = 45.0  # seconds to join a namespace after connecting
    ADMIN_UI: bool | dict[str, Any] = False  # the Socket.IO Admin UI (AdminUI below)
    CONNECTION_STATE_RECOVERY: bool | dict[str, Any] | None = None  # off; RecoveryOptions
    PRESENCE: dict[str, Any] | None = None  # how the spec's x-presence is kept; PresenceOptions
    # Requests of a session that reach another process are served through the queue
    # (fleet/): None means on with a Redis message queue.
    FORWARDING: bool | None = None
    # Seconds over which SIGTERM hands a process's clients to the others (fleet/drain.py);
    # None: 5 with forwarding on (a fleet), else 0 (stop at once, as the server does).
    DRAIN_WINDOW: float | None = None
    RATE_LIMIT_DEFAULT: Any = field(default_factory=lambda: dict(DEFAULT_RATE_LIMIT))
    REVOCATION: bool | dict[str, Any] | None = None  # what Django events end connections


NAMES = tuple(AsynctionSettings.__dataclass_fields__)
DOCS_ACCESS_LEVELS = ("open", "login", "staff")


def queue_scheme(url: str) -> str:
    """The scheme of a message-queue URL (``channels`` may be written alone)."""
    return urlsplit(url).scheme or url


def broker_of(url: str | None) -> str | None:
    """``"redis"``, ``"amqp"`` or ``"channels"`` for a message-queue URL; None for no queue
    or a scheme nobody serves."""
    return None if url is None else BROKERS.get(queue_scheme(url))


def queue_channel(options: Any) -> str:
    """The message queue's channel (python-socketio's ``"socketio"`` unless the options name
    one): what tells projects sharing a broker apart, in every key this package writes."""
    channel = options.get("channel") if isinstance(options, dict) else None
    return channel if isinstance(channel, str) and channel else "socketio"


def forwarding_on(values: AsynctionSettings) -> bool:
    """``ASYNCTION_FORWARDING``; by default on whenever the message queue is Redis."""
    if values.FORWARDING is not None:
        return bool(values.FORWARDING)
    return broker_of(values.MESSAGE_QUEUE) == "redis"


DEFAULT_DRAIN_WINDOW = 5.0


def drain_window(values: AsynctionSettings) -> float:
    """``ASYNCTION_DRAIN_WINDOW``, or its default: a fleet drains, a lone process does not."""
    if values.DRAIN_WINDOW is not None:
        return float(values.DRAIN_WINDOW)
    return DEFAULT_DRAIN_WINDOW if forwarding_on(values) else 0.0


def docs_access(values: AsynctionSettings) -> str:
    """Who may read the docs: the setting, else open while DEBUG and staff-only otherwise."""
    if values.DOCS_ACCESS is not None:
        return values.DOCS_ACCESS
    return "open" if django_settings.DEBUG else "staff"


def get_settings() -> AsynctionSettings:
    """Read the ``ASYNCTION_*`` settings now (so ``override_settings`` is honoured)."""
    return AsynctionSettings(
        **{
            name: getattr(django_settings, PREFIX + name)
            for name in NAMES
            if hasattr(django_settings, PREFIX + name)
        }
    )


def check_settings(values: AsynctionSettings) -> list[str]:
    """Every problem with the settings' types, as sentences naming the setting."""
    problems = []
    if values.SPEC is None:
        problems.append("ASYNCTION_SPEC is not set: give the path of your AsyncAPI document "
                        "(or the document as a dict)")
    elif not isinstance(values.SPEC, (str, Path, dict)):
        kind = type(values.SPEC).__name__
        problems.append(f"ASYNCTION_SPEC must be a path or a dict, not {kind}")
    for name in ("SERVER", "DEFAULT_ERROR_HANDLER", "MESSAGE_QUEUE"):
        value = getattr(values, name)
        if value is not None and not isinstance(value, str):
            problems.append(f"ASYNCTION_{name} must be a string or None")
    for name in ("VALIDATION", "DOCS", "LOG_PACKETS"):
        if not isinstance(getattr(values, name), bool):
            problems.append(f"ASYNCTION_{name} must be True or False")
    problems += _docs_access_problems(values.DOCS_ACCESS)
    problems += admin_ui_problems(values.ADMIN_UI)
    for name in ("HANDLER_TIMEOUT", "CONNECT_TIMEOUT"):
        timeout = getattr(values, name)
        if timeout is not None and (isinstance(timeout, bool)
                                    or not isinstance(timeout, (int, float)) or timeout <= 0):
            problems.append(f"ASYNCTION_{name} must be a number of seconds above 0, or None")
    for name, allow_none in (("MAX_EVENTS_IN_FLIGHT", True), ("MAX_ATTACHMENTS", False)):
        value = getattr(values, name)
        if not (value is None and allow_none) and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1):
            problems.append(f"ASYNCTION_{name} must be a whole number above 0"
                            + (", or None" if allow_none else ""))
    problems += _recovery_problems(values)
    try:
        parse_rate_limits(values.RATE_LIMIT_DEFAULT)
    except RuleError as exc:
        problems.append(f"ASYNCTION_RATE_LIMIT_DEFAULT{described(exc.path)}: {exc.reason}")
    problems += _presence_problems(values.PRESENCE)
    try:
        RevocationOptions.from_setting(values.REVOCATION)
    except (TypeError, ValueError) as exc:
        problems.append(f"ASYNCTION_REVOCATION {exc}")
    window = values.DRAIN_WINDOW
    if window is not None and (isinstance(window, bool) or not isinstance(window, (int, float))
                               or window < 0):
        problems.append("ASYNCTION_DRAIN_WINDOW must be a number of seconds (0: no drain), "
                        "or None")
    if values.FORWARDING is not None and not isinstance(values.FORWARDING, bool):
        problems.append("ASYNCTION_FORWARDING must be True, False or None (on with a Redis "
                        "message queue)")
    elif values.FORWARDING and broker_of(values.MESSAGE_QUEUE) != "redis":
        problems.append("ASYNCTION_FORWARDING needs ASYNCTION_MESSAGE_QUEUE on Redis: the "
                        "processes forward each other's requests through it")
    if not isinstance(values.MESSAGE_QUEUE_OPTIONS, dict):
        problems.append("ASYNCTION_MESSAGE_QUEUE_OPTIONS must be a dict of arguments for the "
                        "message queue's manager (for example {\"channel\": \"myapp\"})")
    if not isinstance(values.SOCKETIO, dict):
        problems.append("ASYNCTION_SOCKETIO must be a dict of socketio.AsyncServer arguments")
    elif {"async_mode", "client_manager"} & set(values.SOCKETIO):
        problems.append("ASYNCTION_SOCKETIO cannot set async_mode or client_manager: "
                        "asynction_django chooses them (see ASYNCTION_MESSAGE_QUEUE)")
    return problems


@dataclass(frozen=True)
class RecoveryOptions:
    """``ASYNCTION_CONNECTION_STATE_RECOVERY``; the first three names are Node's."""

    max_disconnection_duration: float = 120.0  # seconds a dropped session is kept
    skip_middlewares: bool = True  # recovered: the connect handler does not run again
    max_packets: int = 10_000  # packets kept for replay (a client missing more starts anew)
    # What the log may hold in all, in bytes of encoded packets: with max_packets alone a
    # burst of large events could pin gigabytes for the whole window.
    max_bytes: int = 16 * 1024 * 1024
    # Where a Redis store keeps its keys; None: "<the message queue's channel>:recovery",
    # so that projects sharing a Redis (each on its own channel) never share a log.
    key_prefix: str | None = None

    @classmethod
    def from_setting(cls, value: Any) -> RecoveryOptions | None:
        """The options a setting asks for (None: off); ValueError names what is wrong."""
        if value is None or value is False:
            return None
        if value is True:
            return cls()
        if not isinstance(value, dict):
            raise ValueError("must be None, True or a dict of options")
        options = cls(**_known_options(cls, value))
        duration = options.max_disconnection_duration
        if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration <= 0:
            raise ValueError("max_disconnection_duration must be a number of seconds above 0")
        if not isinstance(options.skip_middlewares, bool):
            raise ValueError("skip_middlewares must be True or False")
        for name in ("max_packets", "max_bytes"):
            number = getattr(options, name)
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise ValueError(f"{name} must be a whole number above 0")
        prefix = options.key_prefix
        if prefix is not None and (not isinstance(prefix, str) or not prefix):
            raise ValueError("key_prefix must be a non-empty string, or None")
        return options


def _recovery_problems(values: AsynctionSettings) -> list[str]:
    try:
        options = RecoveryOptions.from_setting(values.CONNECTION_STATE_RECOVERY)
    except (TypeError, ValueError) as exc:
        return [f"ASYNCTION_CONNECTION_STATE_RECOVERY {exc}"]
    queue = values.MESSAGE_QUEUE
    if options is not None and isinstance(queue, str) and broker_of(queue) != "redis":
        return ["ASYNCTION_CONNECTION_STATE_RECOVERY needs ASYNCTION_MESSAGE_QUEUE on Redis "
                "(or no message queue): the processes must share one log of what they sent"]
    return []


def _known_options(options_class: Any, value: dict[str, Any]) -> dict[str, Any]:
    """``value`` if it names only fields of ``options_class``; else ValueError naming them."""
    unknown = set(value) - set(options_class.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}: use "
                         f"{', '.join(options_class.__dataclass_fields__)}")
    return value


@dataclass(frozen=True)
class PresenceOptions:
    """``ASYNCTION_PRESENCE``: how the presence the spec asks for (``x-presence``) is kept."""

    # Seconds a process killed outright (SIGKILL) may keep its members listed: it renews
    # its claim on them every ttl / 3 seconds (with a Redis message queue).
    ttl: float = 5.0
    max_rooms: int = 64  # presence rooms one connection is counted in; past it, not counted
    # Where the Redis store keeps its keys; None: "<the message queue's channel>:presence".
    key_prefix: str | None = None

    @classmethod
    def from_setting(cls, value: Any) -> PresenceOptions:
        """The options a setting asks for (None: the defaults); ValueError names what is
        wrong."""
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise ValueError("must be None or a dict of options")
        options = cls(**_known_options(cls, value))
        ttl = options.ttl
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or ttl < 0.1:
            raise ValueError("ttl must be a number of seconds, at least 0.1")
        rooms = options.max_rooms
        if isinstance(rooms, bool) or not isinstance(rooms, int) or rooms < 1:
            raise ValueError("max_rooms must be a whole number above 0")
        prefix = options.key_prefix
        if prefix is not None and (not isinstance(prefix, str) or not prefix):
            raise ValueError("key_prefix must be a non-empty string, or None")
        return options


@dataclass(frozen=True)
class RevocationOptions:
    """``ASYNCTION_REVOCATION``: which of Django's events end connections (an expiry always
    does: the security info says it). None or True: these defaults; False: neither."""

    # "user": a logout ends every connection of that user; "session": only those opened
    # with the session that logged out; None: logouts end nothing.
    logout: str | None = "user"
    deactivation: bool = True  # a user saved with is_active False, or deleted

    @classmethod
    def from_setting(cls, value: Any) -> RevocationOptions:
        if value is None or value is True:
            return cls()
        if value is False:
            return cls(logout=None, deactivation=False)
        if not isinstance(value, dict) or set(value) - {"logout", "deactivation"}:
            raise ValueError("must be None, True, False or a dict of options (logout, "
                             "deactivation)")
        options = cls(**value)
        if options.logout not in ("user", "session", None):
            raise ValueError('logout must be "user", "session" or None')
        if not isinstance(options.deactivation, bool):
            raise ValueError("deactivation must be True or False")
        return options


def _presence_problems(value: Any) -> list[str]:
    try:
        PresenceOptions.from_setting(value)
    except (TypeError, ValueError) as exc:
        return [f"ASYNCTION_PRESENCE {exc}"]
    return []


def _docs_access_problems(value: Any) -> list[str]:
    if value is None or value in DOCS_ACCESS_LEVELS:
        return []
    if isinstance(value, str) and "." in value:
        try:
            import_string(value)
        except ImportError as exc:
            return [f"ASYNCTION_DOCS_ACCESS: cannot import {value!r} ({exc})"]
        return []
    return ['ASYNCTION_DOCS_ACCESS must be None, "open", "login", "staff" or the dotted '
            "path of a function(request) -> bool"]


# ASYNCTION_ADMIN_UI ------------------------------------------------------------------------

ADMIN_UI_LEVELS = ("staff", "superuser")
ADMIN_UI_MODES = ("development", "production")


@dataclass(frozen=True)
class AdminUI:
    """The options of ``ASYNCTION_ADMIN_UI`` (``True`` is all the defaults)."""

    read_only: bool = False  # no joining, leaving, disconnecting or emitting from the UI
    permission: str = "staff"  # "staff", "superuser" or a permission "app_label.codename"
    namespace: str = "/admin"
    server_stats_interval: float = 2  # seconds between the server's stats reports
    mode: str = "development"  # "production": aggregate counts only, no sockets or events
    # seconds between re-checks of an open UI's Django session and user: logged out, or no
    # longer allowed, it is disconnected (Django's logout in this process ends it at once)
    recheck_interval: float = 5


ADMIN_UI_OPTIONS = tuple(option.name for option in fields(AdminUI))


def admin_ui_options(value: Any = None) -> AdminUI | None:
    """The Admin UI's options (``value``, else the setting now), or None when it is off
    (the default)."""
    value = get_settings().ADMIN_UI if value is None else value
    if value is True:
        return AdminUI()
    if not isinstance(value, dict) or not value.get("enabled", True):
        return None
    return AdminUI(**{name: value[name] for name in ADMIN_UI_OPTIONS if name in value})


def admin_ui_problems(value: Any) -> list[str]:
    """What is wrong with ``ASYNCTION_ADMIN_UI``, as sentences naming it."""
    if isinstance(value, bool):
        return []
    options = ", ".join(ADMIN_UI_OPTIONS)
    if not isinstance(value, dict):
        return [f"ASYNCTION_ADMIN_UI must be True, False or a dict of options (enabled, {options})"]
    name = "ASYNCTION_ADMIN_UI"
    problems = [f"{name} has no option {key!r} (options: enabled, {options})"
                for key in value if key != "enabled" and key not in ADMIN_UI_OPTIONS]
    for key in ("enabled", "read_only"):
        if not isinstance(value.get(key, True), bool):
            problems.append(f'{name}["{key}"] must be True or False')
    permission = value.get("permission", "staff")
    if permission not in ADMIN_UI_LEVELS and not (isinstance(permission, str)
                                                  and permission.count(".") == 1
                                                  and all(permission.split("."))):
        problems.append(f'{name}["permission"] must be "staff", "superuser" or a permission '
                        'as "app_label.codename"')
    namespace = value.get("namespace", "/admin")
    if not isinstance(namespace, str) or not namespace.startswith("/") or namespace == "/":
        problems.append(f'{name}["namespace"] must be a namespace other than "/", such as '
                        '"/admin"')
    for key, default in (("server_stats_interval", 2), ("recheck_interval", 5)):
        interval = value.get(key, default)
        if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval <= 0:
            problems.append(f'{name}["{key}"] must be a number of seconds above 0')
    if value.get("mode", "development") not in ADMIN_UI_MODES:
        problems.append(f'{name}["mode"] must be "development" or "production"')
    return problems
