"""asynction_validate, as a management command and as the CLI: every problem, and the
warnings that leave a document valid."""

from __future__ import annotations

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from asynction_django.spec import inspect_spec
from tests.support import SPECS, run_cli

BROKEN = SPECS / "unit" / "broken.yaml"
UNNAMED_SENT = SPECS / "unit" / "unnamed_sent.yaml"
NO_NAME = "the message has no name (the Socket.IO event name)"


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
        done = run_cli("validate", str(BROKEN), "--spec-only")
        self.assertEqual(done.returncode, 1)
        self.assertIn("/channels/~1/publish/message/oneOf/1", done.stderr)
        self.assertIn("problem(s) in the AsyncAPI document", done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        done = run_cli("validate", str(SPECS / "echo.yaml"), "--spec-only")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("a valid AsyncAPI 2.6.0 document", done.stdout)

    def test_cli_usage(self):
        done = run_cli()
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("usage: python -m asynction_django {mock,scaffold,validate,export}",
                      done.stderr)


class ValidateWarningTests(SimpleTestCase):
    def validate(self, *args):
        out, err = StringIO(), StringIO()
        call_command("asynction_validate", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_warnings_are_printed_and_the_document_is_valid(self):
        for args in ((str(UNNAMED_SENT),), (str(UNNAMED_SENT), "--spec-only")):
            with self.subTest(args=args):
                out, err = self.validate(*args)
                self.assertIn("a valid AsyncAPI 2.6.0 document (1 namespace(s), 0 event(s))", out)
                self.assertIn(f"{UNNAMED_SENT}:/channels/~1/subscribe/message: warning: "
                              f"{NO_NAME}", err)

    def test_cli_exits_zero_with_only_warnings(self):
        result = run_cli("validate", str(UNNAMED_SENT))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("warning: " + NO_NAME, result.stderr)
        self.assertIn("a valid AsyncAPI 2.6.0 document", result.stdout)
