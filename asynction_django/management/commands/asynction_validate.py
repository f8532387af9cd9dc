"""`manage.py asynction_validate`: the spec checked as the server loads it, all problems at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from ...building import build
from ...spec import inspect_spec
from ...spec.problems import Problems
from ..base import UNWRITTEN_HINT, SpecCommand, unwritten


class Command(SpecCommand):
    help = ("Check an AsyncAPI document and report every problem with its file and JSON "
            "pointer. In a project it also imports the handlers and security functions.")

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--spec-only", action="store_true",
                            help="check the document alone, without importing its handlers")

    def handle(self, *args: Any, **options: Any) -> None:
        values = self.settings_values(options)
        assert values.SPEC is not None  # settings_values raises CommandError without one
        if options["spec_only"]:
            spec, problems = inspect_spec(values.SPEC, require_handlers=False)
            warnings = Problems(problems).warnings
        else:
            outcome = build(values)
            if outcome.configuration_errors:
                raise CommandError("\n".join(outcome.configuration_errors))
            spec = outcome.server.spec if outcome.server else None
            problems, warnings = outcome.spec_problems, outcome.spec_warnings
        for warning in warnings:  # printed, but they do not fail the command
            self.stderr.write(self.style.WARNING(f"{warning.file}:{warning.pointer}: ")
                              + f"warning: {warning.reason}")
        if problems or spec is None:
            self.report(problems, "" if options["spec_only"] or not unwritten(problems)
                        else UNWRITTEN_HINT)
        events = sum(len(ns.received) + len(ns.sent) for ns in spec.namespaces.values())
        self.stdout.write(self.style.SUCCESS(
            f"{spec.source}: a valid AsyncAPI {spec.version} document "
            f"({len(spec.namespaces)} namespace(s), {events} event(s))"))
