"""`manage.py asynction_scaffold`: handler and security-function stubs for what the spec names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from ... import scaffold
from ...spec import inspect_spec
from ..base import SpecCommand


class Command(SpecCommand):
    help = ("Write the handler functions the spec's x-handler/x-handlers paths name, typed "
            "from the schemas, and stubs of the security functions its schemes name "
            "(x-...InfoFunc, x-scopeValidateFunc), which refuse every client until written. "
            "Existing code is never changed: only missing functions are added.")

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--base-dir", help="where new modules go (default: BASE_DIR, "
                                               "else the current directory)")
        parser.add_argument("--dry-run", action="store_true",
                            help="print what would be written, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        values = self.settings_values(options)
        assert values.SPEC is not None  # settings_values raises CommandError without one
        spec, problems = inspect_spec(values.SPEC, require_handlers=False)
        if problems or spec is None:
            self.report(problems)
        base = Path(options["base_dir"] or getattr(settings, "BASE_DIR", None) or Path.cwd())
        plans = scaffold.plan(spec, base)
        if not plans:
            self.stdout.write("The spec names no handlers (x-handler / x-handlers) and no "
                              "security functions (x-...InfoFunc, x-scopeValidateFunc).")
        for module_plan in plans:
            left_alone = sorted(set(module_plan.functions) & module_plan.existing)
            missing = module_plan.missing
            if options["dry_run"] and missing:
                self.stdout.write(f"# {module_plan.path}\n{module_plan.source()}")
            elif missing:
                created = not module_plan.path.exists()
                scaffold.write(module_plan)
                verb = "created" if created else "added to"
                self.stdout.write(self.style.SUCCESS(
                    f"{verb} {module_plan.path}: {', '.join(missing)}"))
            if left_alone and options["verbosity"] >= 1:
                self.stdout.write(f"left alone in {module_plan.path} (already defined): "
                                  f"{', '.join(left_alone)}")
