"""System checks: a broken spec or setting fails ``manage.py check`` and start-up."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from .building import build


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
