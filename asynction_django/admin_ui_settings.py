"""``ASYNCTION_ADMIN_UI``: its options and what can be wrong with them (read by the
settings checks, so it depends on nothing else of the package)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

LEVELS = ("staff", "superuser")
MODES = ("development", "production")


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


OPTIONS = tuple(option.name for option in fields(AdminUI))


def setting_problems(value: Any) -> list[str]:
    """What is wrong with ``ASYNCTION_ADMIN_UI``, as sentences naming it."""
    if isinstance(value, bool):
        return []
    if not isinstance(value, dict):
        return ["ASYNCTION_ADMIN_UI must be True, False or a dict of options "
                f"(enabled, {', '.join(OPTIONS)})"]
    name = "ASYNCTION_ADMIN_UI"
    problems = [f"{name} has no option {key!r} (options: enabled, {', '.join(OPTIONS)})"
                for key in value if key != "enabled" and key not in OPTIONS]
    for key in ("enabled", "read_only"):
        if not isinstance(value.get(key, True), bool):
            problems.append(f'{name}["{key}"] must be True or False')
    permission = value.get("permission", "staff")
    if permission not in LEVELS and not (isinstance(permission, str)
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
    if value.get("mode", "development") not in MODES:
        problems.append(f'{name}["mode"] must be "development" or "production"')
    return problems
