"""System checks: a broken spec or setting fails ``manage.py check`` and start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

from .building import build
from .conf import docs_access, get_settings

AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


@register("asynction")
def check_spec(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    outcome = build()
    errors = [Error(message, id="asynction.E001") for message in outcome.settings_errors]
    errors += [
        Error(problem.reason, hint=f"in {problem.file} at {problem.pointer}", obj=None,
              id="asynction.E002")
        for problem in outcome.spec_problems
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
