"""What the typed-client tests share: a test case that runs a real checker (``tsc
--strict``, ``mypy --strict``) on a generated module and usage files, and the APIs they
generate clients for."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from tests.support import ROOT, SPECS

EXAMPLE_2 = ROOT / "example_project" / "asyncapi.yaml"
EXAMPLE_3 = ROOT / "example_project" / "asyncapi-3.yaml"
TUPLES_3 = SPECS / "v3" / "tuples.yaml"
REFUSED = "refused"  # marks the one line of a usage file that must not compile
# Tuples (an optional item), rest arguments, a tuple ack, recursion, unions, consts,
# nullable values, index signatures, keys that are no identifier, a server event with an ack.
LAB = {
    "asyncapi": "2.6.0",
    "info": {"title": "Shapes lab", "version": "2.0"},
    "channels": {
        "/": {
            "publish": {"message": {"oneOf": [
                {"name": "move", "summary": "Move to x, y; the speed is optional.",
                 "payload": {"type": "array", "minItems": 2, "items": False, "prefixItems": [
                     {"type": "integer", "title": "x", "description": "From the left."},
                     {"type": "integer", "title": "y"},
                     {"type": "number", "title": "speed"}]},
                 "x-ack": {"args": {"type": "object", "required": ["ok"],
                                    "properties": {"ok": {"const": True}}}}},
                {"name": "tag", "summary": "A label, then any number of ids.",
                 "payload": {"type": "array", "minItems": 1, "items": {"type": "integer"},
                             "prefixItems": [{"type": "string", "title": "label"}]},
                 "x-ack": {"args": {"type": "array", "minItems": 2, "items": False,
                                    "prefixItems": [{"type": "integer", "title": "count"},
                                                    {"type": "string", "title": "label"}]}}},
                {"name": "save tree", "summary": "Store a tree.",
                 "payload": {"$ref": "#/components/schemas/Tree"},
                 "x-ack": {"args": {"$ref": "#/components/schemas/Tree"}}},
                {"name": "settings", "payload": {
                    "type": "object", "description": "Display settings.",
                    "required": ["theme", "font-size"],
                    "additionalProperties": {"type": "string"},
                    "properties": {
                        "theme": {"enum": ["light", "dark", None]},
                        "font-size": {"type": "integer", "description": "In points."},
                        "nickname": {"type": ["string", "null"]},
                        "legacy": {"type": "string", "nullable": True},
                        "shape": {"oneOf": [{"$ref": "#/components/schemas/Circle"},
                                            {"$ref": "#/components/schemas/Square"}]},
                        "extras": {"type": "object",
                                   "additionalProperties": {"type": "number"}},
                        "class": {"type": "string"},
                    }}},
                {"name": "ping"},
            ]}},
            "subscribe": {"message": {"oneOf": [
                {"name": "tree changed", "payload": {"$ref": "#/components/schemas/Tree"}},
                {"name": "ask", "payload": {"type": "string"},
                 "x-ack": {"args": {"type": "boolean"}}},
                {"name": "scores", "payload": {"type": "array", "items": {"type": "integer"},
                                               "prefixItems": [{"type": "string"}]}},
                {"name": "old news", "deprecated": True,
                 "payload": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            ]}},
        },
        "/lab/v2": {"publish": {"message": {"name": "reset", "payload": {
            "type": "object", "properties": {"hard": {"type": "boolean"}}}}}},
    },
    "components": {"schemas": {
        "Tree": {"type": "object", "description": "A node and its children.",
                 "required": ["name"],
                 "properties": {"name": {"type": "string"},
                                "children": {"type": "array",
                                             "items": {"$ref": "#/components/schemas/Tree"}}}},
        "Circle": {"type": "object", "required": ["kind", "radius"],
                   "properties": {"kind": {"const": "circle"}, "radius": {"type": "number"}}},
        "Square": {"type": "object", "required": ["kind", "side"],
                   "properties": {"kind": {"const": "square"}, "side": {"type": "number"}}},
    }},
}


def errors_by_file(output: str, pattern: re.Pattern[str]) -> dict[str, dict[int, str]]:
    found: dict[str, dict[int, str]] = {}
    for match in pattern.finditer(output):
        lines = found.setdefault(Path(match["file"]).name, {})
        lines[int(match["line"])] = lines.get(int(match["line"]), "") + match["text"]
    return found


def refused_line(text: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if REFUSED in line)


class CompilerTestCase(SimpleTestCase):
    """Writes a generated module and usage files into a folder, runs a checker on them."""

    def folder(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="asynction-typed-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        return folder

    def check(self, command: list[str], files: dict[str, str], folder: Path | None = None
              ) -> subprocess.CompletedProcess[str]:
        folder = folder or self.folder()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return subprocess.run([*command, *files], cwd=folder, capture_output=True, text=True,
                              timeout=300)

    def assert_accepted(self, done: subprocess.CompletedProcess[str]) -> None:
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def assert_refused(self, done: subprocess.CompletedProcess[str], bad: dict[str, str],
                       pattern: re.Pattern[str]) -> None:
        """Each bad file fails on its marked line, and only there."""
        self.assertNotEqual(done.returncode, 0, done.stdout)
        errors = errors_by_file(done.stdout, pattern)
        for name, text in bad.items():
            with self.subTest(file=name):
                self.assertEqual(list(errors.get(name, {})), [refused_line(text)], done.stdout)
