"""System checks: a broken spec or setting fails ``manage.py check`` and start-up."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, resolve
from django.utils.module_loading import import_string

from .asgi import SocketIOApp
from .conf import admin_ui_options, admin_ui_problems, docs_access, get_settings
from .runtime import current_build

AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
# A handler or security function that does not import: most often, not written yet.
UNWRITTEN_HINT = ("; `manage.py asynction_scaffold` writes stubs of the functions the document "
                  "names, and `manage.py asynction_validate --spec-only` checks the document "
                  "without them")


@register("asynction")
def check_spec(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    outcome = current_build()
    errors: list[CheckMessage] = [Error(message, id="asynction.E001")
                                  for message in outcome.settings_errors]
    errors += [
        Error(problem.reason, hint=f"in {problem.file} at {problem.pointer}"
              + (UNWRITTEN_HINT if problem.reason.startswith("cannot import ") else ""),
              obj=None, id="asynction.E002")
        for problem in outcome.spec_problems
    ]
    errors += [
        Warning(warning.reason, hint=f"in {warning.file} at {warning.pointer}", obj=None,
                id="asynction.W002")
        for warning in outcome.spec_warnings
    ]
    return errors


@register("asynction")
def check_docs_access(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Docs for logged-in users or staff need Django's authentication middleware."""
    values = get_settings()
    access = docs_access(values)
    needs_login = values.DOCS and access in ("login", "staff")
    if not needs_login or AUTH_MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [Warning(
        f"the API docs are for {access} users only, but {AUTH_MIDDLEWARE} is not in MIDDLEWARE, "
        "so no request is ever logged in and nobody can read them",
        hint="add the middleware, or set ASYNCTION_DOCS_ACCESS (\"open\", or a function of "
             "the request), or ASYNCTION_DOCS = False",
        id="asynction.W001",
    )]


@register("asynction")
def check_admin_ui(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The admin namespace must not be the spec's; nobody can log in without auth."""
    value = get_settings().ADMIN_UI
    if admin_ui_problems(value) or admin_ui_options(value) is None:
        return []  # malformed (asynction.E001 says so), or off
    messages: list[CheckMessage] = [Error(message, id="asynction.E001")
                                    for message in current_build().admin_ui_errors]
    missing = [name for name in ("django.contrib.auth", "django.contrib.sessions")
               if name not in settings.INSTALLED_APPS]
    if missing or AUTH_MIDDLEWARE not in settings.MIDDLEWARE:
        messages.append(Warning(
            "the Socket.IO Admin UI is for logged-in users, but "
            + (f"{' and '.join(missing)} is not installed" if missing
               else f"{AUTH_MIDDLEWARE} is not in MIDDLEWARE")
            + ", so nobody can ever open it",
            hint="use Django's authentication, or turn ASYNCTION_ADMIN_UI off",
            id="asynction.W001",
        ))
    return messages


@register("asynction")
def check_login_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Pages that send anonymous visitors to ``LOGIN_URL`` need it to lead somewhere.

    A new project (``django-admin startproject``) wires no login view, so the default
    ``/accounts/login/`` is a 404: the staff-only docs (``DEBUG`` off) and the Admin UI would
    send everyone there.
    """
    values = get_settings()
    pages = []
    if values.DOCS and docs_access(values) != "open":
        pages.append("the API docs")
    ui = values.ADMIN_UI
    if not admin_ui_problems(ui) and admin_ui_options(ui) is not None:
        pages.append("the Socket.IO Admin UI")
    if not pages or "django.contrib.auth" not in settings.INSTALLED_APPS:
        return []  # nobody is sent there, or W001 already says nobody can log in
    problem = login_url_problem(str(settings.LOGIN_URL))
    if problem is None:
        return []
    return [Warning(
        f"anonymous visitors of {' and '.join(pages)} are sent to LOGIN_URL, but {problem}",
        hint='add `path("accounts/", include("django.contrib.auth.urls"))` to your URLconf '
             "(with a registration/login.html template), or log in through the admin: "
             '`LOGIN_URL = "admin:login"` with django.contrib.admin\'s URLs included',
        id="asynction.W004",
    )]


def login_url_problem(login_url: str) -> str | None:
    """Why ``login_url`` leads nowhere in the project's URLconf, or None if it resolves
    (or points to another site, which cannot be checked from here)."""
    try:
        url = str(resolve_url(login_url))
    except NoReverseMatch:
        return f"{login_url!r} is neither a URL name of the URLconf nor a path"
    except Exception:  # noqa: BLE001 - a broken URLconf is Django's own checks' to report
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    prefix = get_script_prefix()
    path = parts.path[len(prefix) - 1:] if parts.path.startswith(prefix) else parts.path
    try:
        resolve(path)
    except Resolver404:
        return f"{url} is not in the URLconf (a 404)"
    except Exception:  # noqa: BLE001 - a broken URLconf is Django's own checks' to report
        return None
    return None


@register("asynction")
def check_asgi_application(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The project's ASGI application must route to the Socket.IO endpoint.

    Django's generated ``asgi.py`` serves views only: ``/socket.io/`` and the docs would
    then be 404s while everything else looks fine.
    """
    dotted = asgi_application_path()
    if dotted is None:
        return []
    try:
        application = import_string(dotted)
    except Exception as exc:  # noqa: BLE001 - reported, never raised, by a check
        return [Warning(f"cannot import the ASGI application {dotted!r} to check that it "
                        f"serves the Socket.IO API: {exc}", id="asynction.W003")]
    if serves_socketio(application):
        return []
    return [Warning(
        f"the ASGI application {dotted!r} does not serve the Socket.IO API: /socket.io/ and "
        "the docs are 404 there",
        hint="in asgi.py, `from asynction_django.asgi import get_asgi_application` instead "
             "of Django's, or mount asynction_django.asgi.socketio_asgi_app() in your "
             "ProtocolTypeRouter for both http and websocket",
        id="asynction.W003",
    )]


def asgi_application_path() -> str | None:
    """``ASGI_APPLICATION``, else the ``asgi`` module beside ``WSGI_APPLICATION``."""
    dotted = getattr(settings, "ASGI_APPLICATION", None)
    if isinstance(dotted, str) and dotted:
        return dotted
    wsgi = getattr(settings, "WSGI_APPLICATION", None)
    if isinstance(wsgi, str) and wsgi.endswith(".wsgi.application"):
        return wsgi.removesuffix(".wsgi.application") + ".asgi.application"
    return None


# Where ASGI routers and middleware keep the applications they hand requests to.
INNER_APPLICATIONS = ("inner", "application", "app", "socketio", "fallback")


def serves_socketio(application: Any, depth: int = 0) -> bool:
    """Whether the Socket.IO endpoint is reachable through ``application``."""
    if isinstance(application, SocketIOApp):
        return True
    if depth > 20 or application is None:
        return False
    inner = [getattr(application, name, None) for name in INNER_APPLICATIONS]
    inner += list(getattr(application, "application_mapping", {}).values())
    routes = getattr(application, "routes", None)  # channels.routing.URLRouter
    if isinstance(routes, (list, tuple)):
        inner += [getattr(route, "callback", None) for route in routes]
    return any(serves_socketio(child, depth + 1) for child in inner if child is not application)
