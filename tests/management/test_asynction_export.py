"""asynction_export, as a management command and as the CLI: the resolved document (or
converted to 3.0) and the typed clients."""

from __future__ import annotations

import json
import tempfile
from io import StringIO
from pathlib import Path

import yaml
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from asynction_django.clients import render_client
from asynction_django.spec import load_spec
from tests.support import ROOT, SPECS, run_cli

BROKEN = SPECS / "unit" / "broken.yaml"
EXAMPLE_2 = ROOT / "example_project" / "asyncapi.yaml"
EXAMPLE_3 = ROOT / "example_project" / "asyncapi-3.yaml"


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
        done = run_cli("export", project=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout)["info"]["title"], "Echo")


class ExportCommandTests(SimpleTestCase):
    def export(self, *args: str) -> str:
        out = StringIO()
        call_command("asynction_export", str(EXAMPLE_2), *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_formats_and_output(self):
        spec = load_spec(EXAMPLE_2, require_handlers=False)
        for language in ("typescript", "python"):
            with self.subTest(language=language):
                self.assertEqual(self.export("--format", language),
                                 render_client(spec, language, "/socket.io/"))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "client.ts"
            self.export("--format", "typescript", "--output", str(path))
            self.assertIn("export function connectAdmin(", path.read_text())

    def test_to_applies_to_documents_only(self):
        with self.assertRaisesMessage(CommandError, "--to applies to the json and yaml"):
            self.export("--format", "python", "--to", "3.0")

    def test_outside_a_project(self):
        done = run_cli("export", str(EXAMPLE_3), "--format", "typescript")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("export type AdminSocket = Socket<AdminServerToClientEvents, "
                      "AdminClientToServerEvents>;", done.stdout)
        self.assertIn("(AsyncAPI 3.0.0)", done.stdout)
