"""asynction_django's settings: what each accepts, and what the checks say of the rest."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from asynction_django.conf import AdminUI, AsynctionSettings, admin_ui_options, check_settings
from tests.admin_ui_handlers import SPEC


class SettingTests(SimpleTestCase):
    def test_off_by_default_and_when_disabled(self):
        self.assertIsNone(admin_ui_options())
        self.assertIsNone(admin_ui_options(False))
        self.assertIsNone(admin_ui_options({"enabled": False, "read_only": True}))

    def test_true_is_every_default_and_a_dict_sets_options(self):
        self.assertEqual(admin_ui_options(True), AdminUI(
            read_only=False, permission="staff", namespace="/admin", server_stats_interval=2,
            mode="development"))
        self.assertEqual(admin_ui_options({"read_only": True, "namespace": "/ops"}),
                         AdminUI(read_only=True, namespace="/ops"))

    def test_invalid_values_are_settings_errors(self):
        cases = [
            ("yes", "ASYNCTION_ADMIN_UI must be True, False or a dict of options"),
            ({"readonly": True}, "ASYNCTION_ADMIN_UI has no option 'readonly'"),
            ({"read_only": "no"}, 'ASYNCTION_ADMIN_UI["read_only"] must be True or False'),
            ({"enabled": 1}, 'ASYNCTION_ADMIN_UI["enabled"] must be True or False'),
            ({"permission": "admin"}, 'ASYNCTION_ADMIN_UI["permission"] must be "staff"'),
            ({"permission": "auth."}, 'ASYNCTION_ADMIN_UI["permission"] must be "staff"'),
            ({"namespace": "admin"}, 'ASYNCTION_ADMIN_UI["namespace"] must be a namespace'),
            ({"namespace": "/"}, 'ASYNCTION_ADMIN_UI["namespace"] must be a namespace'),
            ({"server_stats_interval": 0}, '["server_stats_interval"] must be a number'),
            ({"server_stats_interval": True}, '["server_stats_interval"] must be a number'),
            ({"mode": "prod"}, 'ASYNCTION_ADMIN_UI["mode"] must be "development"'),
        ]
        for value, message in cases:
            with self.subTest(value=value):
                problems = check_settings(AsynctionSettings(SPEC=SPEC, ADMIN_UI=value))
                self.assertEqual(len(problems), 1, problems)
                self.assertIn(message, problems[0])

    def test_valid_values_pass(self):
        for value in (True, False, {}, {"enabled": False}, {
                "read_only": True, "permission": "auth.view_user", "namespace": "/ops",
                "server_stats_interval": 0.5, "mode": "production"},
                {"permission": "superuser"}):
            with self.subTest(value=value):
                self.assertEqual(check_settings(AsynctionSettings(SPEC=SPEC, ADMIN_UI=value)),
                                 [])


class HandlerTimeoutSettingTests(SimpleTestCase):
    def test_bad_values_are_check_errors(self):
        from asynction_django.checks import check_spec

        for value in (0, -1, "60", True):
            with self.subTest(value=value), override_settings(ASYNCTION_HANDLER_TIMEOUT=value):
                errors = check_spec()
                self.assertEqual([error.id for error in errors], ["asynction.E001"])
                self.assertIn("ASYNCTION_HANDLER_TIMEOUT must be a number of seconds",
                              errors[0].msg)
