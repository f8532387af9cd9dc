"""The Socket.IO Admin UI's page and system checks (:mod:`.admin_ui` instruments the server)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.views.decorators.cache import never_cache

from .admin_ui import admin_ui_options, namespace_conflict, permitted
from .admin_ui_settings import setting_problems
from .conf import get_settings
from .runtime import current_build, get_server

AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
# The page -------------------------------------------------------------------------------

ASSETS = "asynction_django/vendor/admin-ui/"


@never_cache
def page(request: HttpRequest) -> HttpResponse:
    """The Admin UI, set to connect to this server's admin namespace at once."""
    options = admin_ui_options()
    if options is None:
        raise Http404("the Socket.IO Admin UI is off (ASYNCTION_ADMIN_UI)")
    user = getattr(request, "user", None)
    if not permitted(user, options):
        if user is None or not user.is_authenticated:
            # Imported here: it needs django.contrib.auth, which a project without it lacks.
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    server = get_server()
    # The build loads its images relative to the page: <base> points them at the static
    # files, wherever the storage puts them (a hashed name keeps its folder).
    base = static(f"{ASSETS}favicon.png").rpartition("/")[0] + "/"
    return render(request, "asynction_django/admin_ui.html", {
        "title": server.spec.title,
        "base": base,
        "connection": {
            "namespace": options.namespace,
            "path": f"{get_script_prefix()}{server.socketio_path}",
        },
    })


# System checks ----------------------------------------------------------------------------

def check_admin_ui(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The admin namespace must not be the spec's; nobody can log in without auth."""
    value = get_settings().ADMIN_UI
    options = None if setting_problems(value) else admin_ui_options(value)
    if options is None:
        return []  # off, or malformed (asynction.E001 says so)
    messages: list[CheckMessage] = []
    server = current_build().server
    if server is not None and options.namespace in server.spec.namespaces:
        messages.append(Error(namespace_conflict(options.namespace), id="asynction.E001"))
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
