"""The Socket.IO Admin UI's page (:mod:`.instrumentation` serves its namespace)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.views.decorators.cache import never_cache

from ..conf import admin_ui_options
from ..runtime import get_server
from .instrumentation import permitted

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
