"""Collecting every problem of a document, so users fix them all in one go."""

from __future__ import annotations

from collections.abc import Iterable

from ..exceptions import SpecProblem
from .documents import Location


class Problems(list[SpecProblem]):
    """The errors (the document cannot be served) and, apart, the warnings (it can)."""

    def __init__(self, problems: Iterable[SpecProblem] = ()):
        super().__init__(problems)
        # A copy of another Problems keeps its warnings.
        self.warnings: list[SpecProblem] = list(getattr(problems, "warnings", ()))

    def add(self, location: Location, reason: str) -> None:
        self.append(location.problem(reason))

    def warn(self, location: Location, reason: str) -> None:
        self.warnings.append(location.problem(reason))
