"""Every problem of a broken document is reported at once, with file, pointer and reason."""

from __future__ import annotations

from pathlib import Path

from django.test import SimpleTestCase

from asynction_django.building import build
from asynction_django.conf import AsynctionSettings
from tests.support import SPECS

UNIT = SPECS / "unit"


class ProblemTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        outcome = build(AsynctionSettings(SPEC=UNIT / "broken.yaml", SERVER="prod"))
        cls.problems = {(p.pointer, p.reason) for p in outcome.spec_problems}
        cls.files = {p.file for p in outcome.spec_problems}
        cls.outcome = outcome

    def assertProblem(self, pointer, fragment):
        matches = [reason for at, reason in self.problems if at == pointer and fragment in reason]
        self.assertTrue(matches, f"no problem at {pointer} containing {fragment!r}; got "
                                 f"{sorted(self.problems)}")

    def test_no_server_is_built(self):
        self.assertIsNone(self.outcome.server)
        self.assertEqual(self.files, {str(UNIT / "broken.yaml")})

    def test_structural_problems(self):
        ops = "/channels/~1/publish/message/oneOf"
        self.assertProblem(f"{ops}/1", "event 'twice' is defined twice")
        self.assertProblem(f"{ops}/2", "has no x-handler")
        self.assertProblem(f"{ops}/5/schemaFormat", "is not supported")
        self.assertProblem(f"{ops}/6", "has no name")
        self.assertProblem(f"{ops}/7/$ref", "does not resolve")
        self.assertProblem("/channels/~1/x-handlers/teardown", "unknown handler")
        self.assertProblem("/channels/chat", "must start with '/'")
        self.assertProblem("/channels/~1rooms~1{id}", "parameters")
        self.assertProblem("/channels/~1q?x=1", "query or fragment")

    def test_handler_and_schema_problems_found_while_building(self):
        ops = "/channels/~1/publish/message/oneOf"
        self.assertProblem("/channels/~1/x-handlers/connect", "cannot import")
        self.assertProblem(f"{ops}/3/x-handler", "cannot import 'tests.no_such_module.handler'")
        self.assertProblem(f"{ops}/4/payload", "invalid schema")

    def test_security_requirements_must_name_schemes(self):
        self.assertProblem("/servers/prod/security/0/nowhere", "'nowhere' is not defined")
        self.assertProblem("/channels/~1q?x=1/x-security/0/alsoNowhere", "is not defined")

    def test_undefined_server_variables(self):
        self.assertProblem("/servers/prod/url", "server variable 'host' is not defined")

    def test_unknown_server_name(self):
        outcome = build(AsynctionSettings(SPEC=UNIT / "refs.yaml", SERVER="nope"))
        self.assertIn("ASYNCTION_SERVER is 'nope'", outcome.spec_problems[0].reason)

    def test_problems_in_referenced_files_name_that_file(self):
        outcome = build(AsynctionSettings(SPEC=UNIT / "bad_file_ref.yaml"))
        found = {(Path(p.file).name, p.pointer) for p in outcome.spec_problems}
        self.assertIn(("broken_ref.yaml", "/Thing/properties/inner/$ref"), found)
        self.assertIn(("bad_file_ref.yaml", "/channels/~1/publish/message/payload/$ref"), found)
        missing = [p.reason for p in outcome.spec_problems if "nowhere.yaml" in p.reason]
        self.assertIn("cannot read", missing[0])

    def test_non_local_refs_are_refused(self):
        outcome = build(AsynctionSettings(SPEC={
            "asyncapi": "2.6.0", "info": {"title": "t", "version": "1"},
            "channels": {"/": {"subscribe": {"message": {
                "name": "e", "payload": {"$ref": "https://example.com/s.json"}}}}}}))
        self.assertIn("only local files", outcome.spec_problems[0].reason)
