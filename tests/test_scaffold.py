"""asynction_scaffold: the handlers a spec names, written as code that imports and serves."""

from __future__ import annotations

import importlib
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
import typing
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

from asynction_django.building import build
from asynction_django.conf import get_settings
from asynction_django.testing import SocketIOTestCase
from tests.support import ROOT, SPECS

SPEC = SPECS / "scaffold.yaml"
WRITES_AND_CHECKS = "test_writes_typed_handlers_that_import_check_and_serve"


@override_settings(ASYNCTION_SPEC=SPEC)
class ScaffoldTests(SocketIOTestCase):
    def setUp(self):
        super().setUp()
        self.base = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.base)
        sys.path.insert(0, str(self.base))
        self.addCleanup(sys.path.remove, str(self.base))
        self.addCleanup(self.forget_modules)

    def forget_modules(self):
        for name in [name for name in sys.modules if name.startswith("scaffolded_app")]:
            del sys.modules[name]
        importlib.invalidate_caches()

    def assertLintClean(self):
        done = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select",
                               "E,F,W,I", "--line-length", "100", str(self.base)],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stdout)

    def scaffold(self, *args) -> str:
        out = StringIO()
        call_command("asynction_scaffold", "--base-dir", str(self.base), *args, stdout=out)
        return out.getvalue()

    def test_writes_typed_handlers_that_import_check_and_serve(self):
        output = self.scaffold()
        self.assertIn("created", output)
        self.assertTrue((self.base / "scaffolded_app" / "__init__.py").exists())
        self.assertLintClean()
        handlers = importlib.import_module("scaffolded_app.handlers")
        lifecycle = importlib.import_module("scaffolded_app.lifecycle")

        hints = typing.get_type_hints(handlers.place_order)
        payload = hints["payload"]
        self.assertEqual(payload.__required_keys__, {"item", "quantity"})
        self.assertEqual(payload.__optional_keys__, {"size", "address"})
        payload_hints = typing.get_type_hints(payload)
        self.assertEqual(typing.get_args(payload_hints["size"]), ("small", "large"))
        self.assertEqual(typing.get_type_hints(payload_hints["address"])["city"], str)
        self.assertEqual(hints["return"].__required_keys__, {"number"})
        self.assertIn("Event 'place order' in namespace '/' (client -> server).",
                      handlers.place_order.__doc__)
        self.assertEqual(list(inspect.signature(handlers.move).parameters),
                         ["sid", "arg1", "arg2"])
        self.assertEqual(typing.get_type_hints(handlers.move)["return"], tuple[bool, str])
        self.assertEqual(list(inspect.signature(lifecycle.on_connect).parameters),
                         ["sid", "environ", "auth"])
        self.assertEqual(list(inspect.signature(lifecycle.on_disconnect).parameters),
                         ["sid", "reason"])

        # Raises SystemCheckError on any problem; its report is captured, not printed among
        # the test runner's dots (ScaffoldOutputTests).
        call_command("check", stdout=StringIO(), stderr=StringIO())
        outcome = build(get_settings())
        self.assertEqual((outcome.settings_errors, outcome.spec_problems), ([], []))
        client = self.socketio_client()  # the scaffolded connect handler accepts
        error = client.call("ping")["error"]  # an unwritten handler is a clean error ack
        self.assertEqual(error["type"], "InternalServerError")

    def test_never_overwrites_and_reports_what_it_left_alone(self):
        self.scaffold()
        handlers = self.base / "scaffolded_app" / "handlers.py"
        written = handlers.read_text().replace(
            'raise NotImplementedError("ping is not written yet")', 'return "pong"')
        written = written.replace("def move(", "def moved_away(")
        handlers.write_text(written)
        output = self.scaffold()
        self.assertIn(f"added to {handlers}: move", output)
        self.assertIn(f"left alone in {handlers} (already defined): ping, place_order", output)
        after = handlers.read_text()
        self.assertTrue(after.startswith(written))
        module = importlib.import_module("scaffolded_app.handlers")
        self.assertEqual(module.ping("sid"), "pong")
        self.assertTrue(callable(module.move))
        self.assertEqual(self.scaffold().count("added to"), 0)
        self.assertLintClean()

    def test_dry_run_writes_nothing(self):
        output = self.scaffold("--dry-run")
        self.assertIn("def place_order(sid: str, payload: PlaceOrderPayload) -> PlaceOrderAck:",
                      output)
        self.assertFalse((self.base / "scaffolded_app").exists())


class ScaffoldOutputTests(SimpleTestCase):
    """The test that runs ``manage.py check`` prints nothing among the runner's dots."""

    def test_the_checks_report_is_captured(self):
        test = f"{ScaffoldTests.__module__}.ScaffoldTests.{WRITES_AND_CHECKS}"
        env = {key: value for key, value in os.environ.items()
               if key != "ASYNCTION_TEST_DB"}  # its own test database, not this run's
        done = subprocess.run([sys.executable, "-m", "django", "test", test,
                               "--settings=tests.settings"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        output = done.stdout + done.stderr
        # Once: the runner's own report, before the tests ran.
        self.assertEqual(output.count("System check identified"), 1, output)
