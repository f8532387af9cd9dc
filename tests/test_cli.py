"""``python -m asynction_django``: its help, and each command's (issue #25)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
PROG = "python -m asynction_django"
COMMANDS = ("mock", "scaffold", "validate", "export")
OWN_OPTIONS = {
    "mock": ["--host", "--port", "--interval", "--accept-any-credentials", "--seed"],
    "scaffold": ["--base-dir", "--dry-run"],
    "validate": ["--spec-only"],
    "export": ["--format", "--to", "--output"],
}
DJANGO_ONLY = ["--settings", "--pythonpath", "--traceback", "--no-color", "--force-color",
               "--skip-checks", "--version"]


def run(*args: str, project: bool = False) -> subprocess.CompletedProcess:
    """``python -m asynction_django …`` from a neutral directory, in a project or not."""
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "100"}
    if project:
        env = {**env, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "asynction_django", *args],
                          capture_output=True, text=True, cwd=tempfile.gettempdir(), env=env)


class CliHelpTests(SimpleTestCase):
    def test_help_lists_every_command_with_a_line_each(self):
        for args in (["--help"], ["-h"]):
            done = run(*args)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertTrue(done.stdout.startswith(
                f"usage: {PROG} {{mock,scaffold,validate,export}} [document] [options]\n"))
            listed = [line.split()[0] for line in
                      done.stdout.split("commands:\n")[1].split("\n\n")[0].splitlines()]
            self.assertEqual(listed, list(COMMANDS))
            self.assertRegex(done.stdout, r"\n  mock +serve the API with fake data")
            self.assertIn(f"`{PROG} <command> --help` shows a command's options", done.stdout)

    def test_no_command_or_an_unknown_one_is_an_error_with_the_usage(self):
        done = run()
        self.assertEqual(done.returncode, 2)
        self.assertIn("commands:\n  mock", done.stderr)
        done = run("serve")
        self.assertEqual(done.returncode, 2)
        self.assertIn(f"usage: {PROG} {{mock,scaffold,validate,export}}", done.stderr)
        self.assertIn("unknown command 'serve' (choose from mock, scaffold, validate, export)",
                      done.stderr)

    def test_each_command_has_its_own_prog_and_only_the_options_that_apply(self):
        for project in (False, True):
            for command in COMMANDS:
                with self.subTest(command=command, project=project):
                    done = run(command, "--help", project=project)
                    self.assertEqual(done.returncode, 0, done.stderr)
                    self.assertTrue(done.stdout.startswith(f"usage: {PROG} {command} [-h]"),
                                    done.stdout)
                    self.assertNotIn(f"asynction_{command}", done.stdout)
                    for option in [*OWN_OPTIONS[command], "--verbosity", "spec"]:
                        self.assertIn(option, done.stdout)
                    for option in DJANGO_ONLY:
                        self.assertNotIn(option, done.stdout)

    def test_the_commands_still_run_and_fail_as_commands(self):
        done = run("validate", "nope.yaml")
        self.assertEqual(done.returncode, 1)
        self.assertEqual(done.stderr.strip(), "CommandError: nope.yaml: no such file")
        # Outside the project its handlers do not import: the error says what to do.
        echo = str(ROOT / "tests" / "specs" / "echo.yaml")
        done = run("validate", echo)
        self.assertEqual(done.returncode, 1)
        self.assertIn("cannot import 'tests.handlers.echo'", done.stderr)
        self.assertIn("CommandError: 1 problem(s) in the AsyncAPI document; some of its "
                      "functions do not import yet: asynction_scaffold writes stubs of them, "
                      "and --spec-only checks the document alone", done.stderr)
        done = run("validate", echo, "--spec-only")
        self.assertEqual(done.returncode, 0, done.stderr)
