"""asynction_validate and asynction_export, as management commands and as the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

import yaml
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from asynction_django.spec import inspect_spec, load_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = Path(__file__).resolve().parent / "specs"
BROKEN = SPECS / "unit" / "broken.yaml"


def run(*args: str, env_project: bool = False) -> subprocess.CompletedProcess:
    """``python -m asynction_django ...`` outside any project, from a neutral directory."""
    env = {"PATH": "/usr/bin:/bin"}
    if env_project:
        env = {**env, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "asynction_django", *args],
                          capture_output=True, text=True, cwd=tempfile.gettempdir(), env=env)


class ValidateTests(SimpleTestCase):
    def call(self, *args):
        out, err = StringIO(), StringIO()
        try:
            call_command("asynction_validate", *args, stdout=out, stderr=err)
        finally:
            self.out, self.err = out.getvalue(), err.getvalue()

    def test_reports_every_problem_with_file_and_pointer(self):
        with self.assertRaisesMessage(CommandError, "problem(s) in the AsyncAPI document"):
            self.call(str(BROKEN), "--spec-only")
        _, problems = inspect_spec(BROKEN, require_handlers=False)
        lines = self.err.strip().splitlines()
        self.assertEqual(len(lines), len(problems))
        self.assertIn(f"{BROKEN}:/channels/~1/publish/message/oneOf/1: event 'twice' is "
                      "defined twice in this operation", self.err)

    def test_in_a_project_handlers_are_imported_too(self):
        with self.assertRaises(CommandError):
            self.call(str(BROKEN))
        self.assertIn("cannot import 'tests.handlers.does_not_exist'", self.err)

    def test_a_valid_document_and_the_projects_own(self):
        self.call(str(SPECS / "wire.yaml"))
        self.assertIn("wire.yaml: a valid AsyncAPI 2.6.0 document (3 namespace(s),", self.out)
        self.call()  # ASYNCTION_SPEC
        self.assertIn("echo.yaml: a valid AsyncAPI", self.out)
        self.call(str(SPECS / "v3" / "chat.yaml"))
        self.assertIn("a valid AsyncAPI 3.0.0 document", self.out)

    def test_missing_file(self):
        with self.assertRaisesMessage(CommandError, "nope.yaml: no such file"):
            self.call("nope.yaml")

    def test_cli_outside_a_project_exits_non_zero(self):
        done = run("validate", str(BROKEN), "--spec-only")
        self.assertEqual(done.returncode, 1)
        self.assertIn("/channels/~1/publish/message/oneOf/1", done.stderr)
        self.assertIn("problem(s) in the AsyncAPI document", done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        done = run("validate", str(SPECS / "echo.yaml"), "--spec-only")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("a valid AsyncAPI 2.6.0 document", done.stdout)

    def test_cli_usage(self):
        done = run()
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("usage: python -m asynction_django {mock,scaffold,validate,export}",
                      done.stderr)


class ExportTests(SimpleTestCase):
    def export(self, *args) -> str:
        out = StringIO()
        call_command("asynction_export", *args, stdout=out)
        return out.getvalue()

    def test_the_resolved_document_as_json_and_yaml(self):
        expected = load_spec(SPECS / "wire.yaml").document
        self.assertEqual(json.loads(self.export(str(SPECS / "wire.yaml"))), expected)
        as_yaml = self.export(str(SPECS / "wire.yaml"), "--format", "yaml")
        self.assertEqual(yaml.safe_load(as_yaml), expected)
        self.assertNotIn("$ref", as_yaml.replace('"#/', ""))  # every $ref resolved

    def test_to_3_0_serves_the_same_events(self):
        converted = json.loads(self.export(str(SPECS / "wire.yaml"), "--to", "3.0"))
        self.assertEqual(converted["asyncapi"], "3.0.0")
        two, three = load_spec(SPECS / "wire.yaml"), load_spec(converted)
        for name, namespace in two.namespaces.items():
            self.assertEqual(namespace.received.keys(), three.namespaces[name].received.keys())
            self.assertEqual(namespace.sent.keys(), three.namespaces[name].sent.keys())

    def test_to_a_file(self):
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "out.yaml"
            err = StringIO()
            call_command("asynction_export", str(SPECS / "echo.yaml"), "--format", "yaml",
                         "--output", str(target), stdout=StringIO(), stderr=err)
            self.assertEqual(yaml.safe_load(target.read_text())["info"]["title"], "Echo")
            self.assertIn(f"wrote {target}", err.getvalue())

    def test_problems_stop_the_export(self):
        with self.assertRaises(CommandError):
            call_command("asynction_export", str(BROKEN), stdout=StringIO(), stderr=StringIO())
        document = SPECS / "unit" / "and_requirement.yaml"
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command("asynction_export", str(document), "--to", "3.0", stdout=StringIO(),
                         stderr=err)
        self.assertIn("/servers/main/security/0: AsyncAPI 3 lists alternative schemes only",
                      err.getvalue())

    def test_cli_in_a_project_uses_its_settings(self):
        done = run("export", env_project=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout)["info"]["title"], "Echo")
