"""`manage.py asynction_export`: the spec as JSON or YAML (2.x as 3.0 too), or typed clients."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import CommandError

from ...clients import RENDERERS, render_client, socketio_path_of
from ...exceptions import SpecError
from ...spec import inspect_spec
from ...spec.convert import convert_to_v3
from ..base import SpecCommand


class Command(SpecCommand):
    help = ("Write the AsyncAPI document with every $ref resolved, as JSON or YAML; "
            "--to 3.0 converts a 2.x document into an equivalent 3.0 one; --format "
            "typescript|python writes a typed client module instead.")

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--format", choices=("json", "yaml", *RENDERERS), default="json",
                            help="typescript: a socket.io-client module with the events' "
                                 "types; python: a typed python-socketio client")
        parser.add_argument("--to", choices=("3.0",), help="convert a 2.x document to 3.0 "
                                                          "($refs kept, x-ack as reply)")
        parser.add_argument("--output", "-o", help="a file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        values = self.settings_values(options)
        assert values.SPEC is not None  # settings_values raises CommandError without one
        spec, problems = inspect_spec(values.SPEC, require_handlers=False)
        if problems or spec is None:
            self.report(problems)
        if options["format"] in RENDERERS:
            if options["to"]:
                raise CommandError("--to applies to the json and yaml formats only")
            text = render_client(spec, options["format"], socketio_path_of(spec, values.SERVER))
            self.write(text, options)
            return
        if options["to"] and not spec.version.startswith("3."):
            try:
                document = convert_to_v3(values.SPEC)
            except SpecError as exc:
                self.report(exc.problems)
        else:
            document = json.loads(json.dumps(spec.document))  # plain data, no YAML anchors
        if options["format"] == "json":
            text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        else:
            text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        self.write(text, options)

    def write(self, text: str, options: dict[str, Any]) -> None:
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            if options["verbosity"] >= 1:
                self.stderr.write(self.style.SUCCESS(f"wrote {options['output']}"))
        else:
            self.stdout.write(text, ending="")
