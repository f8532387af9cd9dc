"""asynction_scaffold on schemas that compose (tests/specs/composed.yaml): the TypedDicts it
writes hold the fields every branch shares and what each branch requires, so
``mypy --strict`` accepts handler code the server's payloads satisfy (``payload["symbol"]``)
and refuses what they do not (a limit order without its limitPrice, a missing shared field,
a branch's field read before the branch is known)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase

from tests.support import SPECS, skip_or_fail

COMPOSED = SPECS / "composed.yaml"
REFUSED = "refused"
MYPY_ERROR = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+): error: (?P<text>.*)$", re.M)
GOOD = """\
from composed_app import handlers


def use() -> None:
    ack = handlers.place_order(
        "sid", {"symbol": "A", "type": "limit", "quantity": 1, "limitPrice": 2.5})
    print(ack["id"])
    handlers.place_order("sid", {"symbol": "A", "type": "market", "quantity": 1})
    handlers.update_contact("sid", {"name": "A", "phone": "+1234567"})
    handlers.ship("sid", {"country": "FR"})
    handlers.ship("sid", {"country": "US", "zip": "12345", "giftWrap": True, "giftMessage": "x"})
    handlers.save_category("sid", {"name": "a", "createdBy": "x", "leaf": True})
    handlers.configure("sid", {"kind": "a", "size": 2})
"""
BAD = {
    "limit_without_price": 'handlers.place_order("sid", {"symbol": "A", "type": "limit", '
                           '"quantity": 1})',
    "missing_shared_field": 'handlers.place_order("sid", {"type": "market", "quantity": 1})',
    "both_contacts": 'handlers.update_contact("sid", {"name": "A", "email": "a@b.co", '
                     '"phone": "+1234567"})',
    "us_without_zip": 'handlers.ship("sid", {"country": "US"})',
    "all_of_field_missing": 'handlers.save_category("sid", {"name": "a", "leaf": True})',
    "branch_the_parent_forbids": 'handlers.configure("sid", {"kind": "b", "colour": "red"})',
}
# The handler, written: a field every branch shares, and one only the limit branch has.
SHARED = 'return {"id": payload["symbol"]}'
NARROWED = ('return {"id": str(payload["limitPrice"]) if payload["type"] == "limit" '
            'else payload["symbol"]}')
UNNARROWED = 'return {"id": str(payload["limitPrice"])}'


class ScaffoldedComposedTypesTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        if importlib.util.find_spec("mypy") is None:
            skip_or_fail("mypy", "the scaffolded types tests",
                         "Install the dev extra (pip install -e '.[dev]').")
        super().setUpClass()

    def scaffold(self, body: str) -> Path:
        """The spec's handlers scaffolded into a new folder, ``place_order`` written."""
        base = Path(tempfile.mkdtemp(prefix="asynction-scaffold-"))
        self.addCleanup(shutil.rmtree, base, ignore_errors=True)
        call_command("asynction_scaffold", str(COMPOSED), "--base-dir", str(base),
                     stdout=StringIO())
        handlers = base / "composed_app" / "handlers.py"
        text = handlers.read_text(encoding="utf-8")
        unwritten = 'raise NotImplementedError("place_order is not written yet")'
        self.assertIn(unwritten, text)
        handlers.write_text(text.replace(unwritten, body), encoding="utf-8")
        return base

    def mypy(self, base: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
        for name, text in files.items():
            (base / name).write_text(text, encoding="utf-8")
        return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                               "--cache-dir", "mypy-cache", "composed_app", *files],
                              cwd=base, capture_output=True, text=True, timeout=300)

    def test_handler_code_using_the_shared_fields_type_checks(self):
        for body in (SHARED, NARROWED):
            with self.subTest(body=body):
                done = self.mypy(self.scaffold(body), {"good.py": GOOD})
                self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def test_what_the_server_would_refuse_does_not(self):
        head = "from composed_app import handlers\n\n\ndef use() -> None:\n"
        bad = {f"{name}.py": f"{head}    {line}  # {REFUSED}\n" for name, line in BAD.items()}
        done = self.mypy(self.scaffold(SHARED), bad)
        self.assertNotEqual(done.returncode, 0, done.stdout)
        errors: dict[str, set[int]] = {}
        for match in MYPY_ERROR.finditer(done.stdout):
            errors.setdefault(Path(match["file"]).name, set()).add(int(match["line"]))
        for name in bad:
            with self.subTest(file=name):
                self.assertEqual(errors.get(name), {5}, done.stdout)
        # A field only the limit branch has, read before the branch is known.
        done = self.mypy(self.scaffold(UNNARROWED), {})
        self.assertIn('TypedDict "PlaceOrderPayload1" has no key "limitPrice"', done.stdout)
