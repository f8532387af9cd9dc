"""System checks and start-up: a broken spec or setting stops everything, clearly."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import SimpleTestCase, override_settings

from asynction_django import SpecError
from asynction_django.asgi import get_asgi_application
from asynction_django.checks import check_asgi_application, check_spec
from asynction_django.runtime import get_server
from tests.support import SPECS

BROKEN = SPECS / "unit" / "broken.yaml"


class CheckTests(SimpleTestCase):
    def test_valid_spec_passes(self):
        self.assertEqual(check_spec(), [])

    @override_settings(ASYNCTION_SPEC=BROKEN)
    def test_manage_py_check_lists_every_problem_with_file_and_pointer(self):
        errors = check_spec()
        self.assertGreater(len(errors), 10)
        self.assertEqual({error.id for error in errors}, {"asynction.E002"})
        with self.assertRaises(SystemCheckError) as caught:
            call_command("check")
        text = str(caught.exception)
        self.assertIn(str(BROKEN), text)
        self.assertIn("/channels/~1/publish/message/oneOf/1", text)
        self.assertIn("event 'twice' is defined twice in this operation", text)

    def test_settings_errors(self):
        cases = [
            ({"ASYNCTION_SPEC": None}, "ASYNCTION_SPEC is not set"),
            ({"ASYNCTION_SPEC": 42}, "ASYNCTION_SPEC must be a path or a dict"),
            ({"ASYNCTION_VALIDATION": "yes"}, "ASYNCTION_VALIDATION must be True or False"),
            ({"ASYNCTION_SOCKETIO": []}, "ASYNCTION_SOCKETIO must be a dict"),
            ({"ASYNCTION_SOCKETIO": {"async_mode": "threading"}}, "cannot set async_mode"),
            ({"ASYNCTION_MESSAGE_QUEUE": "kafka://x"}, "unsupported scheme 'kafka'"),
            ({"ASYNCTION_DEFAULT_ERROR_HANDLER": "tests.nope.handler"}, "cannot import"),
        ]
        for overrides, message in cases:
            with self.subTest(overrides=overrides), override_settings(**overrides):
                errors = check_spec()
                self.assertEqual([error.id for error in errors], ["asynction.E001"])
                self.assertIn(message, errors[0].msg)

    @override_settings(ASYNCTION_SPEC=BROKEN)
    def test_start_up_stops_with_every_problem(self):
        with self.assertRaises(SpecError) as caught:
            get_asgi_application()
        self.assertIsInstance(caught.exception, ImproperlyConfigured)
        self.assertGreater(len(caught.exception.problems), 10)
        self.assertIn("problem(s)", str(caught.exception))

    def test_override_settings_rebuilds_the_server(self):
        first = get_server()
        with override_settings(ASYNCTION_SPEC=SPECS / "wire.yaml"):
            self.assertIn("/open", get_server().spec.namespaces)
        self.assertIsNot(get_server(), first)
        self.assertNotIn("/open", get_server().spec.namespaces)


class AsgiApplicationCheckTests(SimpleTestCase):
    def test_the_projects_own_application_passes(self):
        self.assertEqual(check_asgi_application(), [])

    def test_djangos_generated_application_is_a_warning(self):
        with override_settings(ASGI_APPLICATION="tests.plain_django.asgi.application"):
            warnings = check_asgi_application()
        self.assertEqual([warning.id for warning in warnings], ["asynction.W003"])
        self.assertIn("does not serve the Socket.IO API", warnings[0].msg)
        self.assertIn("from asynction_django.asgi import get_asgi_application", warnings[0].hint)

    def test_without_asgi_application_the_module_beside_wsgi_is_checked(self):
        with override_settings(ASGI_APPLICATION=None,
                               WSGI_APPLICATION="tests.plain_django.wsgi.application"):
            warnings = check_asgi_application()
        self.assertEqual([warning.id for warning in warnings], ["asynction.W003"])
        self.assertIn("'tests.plain_django.asgi.application' does not serve", warnings[0].msg)

    def test_a_router_of_your_own_that_mounts_the_endpoint_passes(self):
        with override_settings(ASGI_APPLICATION="tests.asgi_custom.application"):
            self.assertEqual(check_asgi_application(), [])

    def test_an_application_that_does_not_import_is_a_warning_not_a_crash(self):
        with override_settings(ASGI_APPLICATION="tests.no_such_module.application"):
            warnings = check_asgi_application()
        self.assertEqual([warning.id for warning in warnings], ["asynction.W003"])
        self.assertIn("cannot import the ASGI application", warnings[0].msg)
