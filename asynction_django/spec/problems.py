"""Collecting every problem of a document, so users fix them all in one go."""

from __future__ import annotations

from ..exceptions import SpecProblem
from .documents import Location


class Problems(list[SpecProblem]):
    def add(self, location: Location, reason: str) -> None:
        self.append(location.problem(reason))
