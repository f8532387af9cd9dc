"""What the asynction_* commands share: which document they work on, and how they fail."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError

from ..conf import AsynctionSettings, get_settings
from ..exceptions import SpecProblem


class SpecCommand(BaseCommand):
    """A command on the project's spec (``ASYNCTION_SPEC``) or on a document given by path.

    The system checks would stop a broken document before these commands could report
    it (or mock it without its handlers), so they run their own.
    """

    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("spec", nargs="?", help="an AsyncAPI document (default: the "
                                                    "project's ASYNCTION_SPEC)")

    def settings_values(self, options: dict[str, Any]) -> AsynctionSettings:
        values = get_settings()
        if options.get("spec"):
            path = Path(options["spec"])
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            values = replace(values, SPEC=path.resolve(), SERVER=None)
        elif values.SPEC is None:
            raise CommandError("give an AsyncAPI document, or set ASYNCTION_SPEC")
        return values

    def report(self, problems: list[SpecProblem], hint: str = "") -> NoReturn:
        """Every problem, styled, then a failing exit (``hint``: what to do about them)."""
        for problem in problems:
            self.stderr.write(self.style.ERROR(f"{problem.file}:{problem.pointer}: ")
                              + problem.reason)
        raise CommandError(f"{len(problems)} problem(s) in the AsyncAPI document{hint}")


UNWRITTEN_HINT = ("; some of its functions do not import yet: asynction_scaffold writes "
                  "stubs of them, and --spec-only checks the document alone")


def unwritten(problems: list[SpecProblem]) -> bool:
    """Whether some problems are handlers or security functions that do not import."""
    return any(problem.reason.startswith("cannot import ") for problem in problems)
