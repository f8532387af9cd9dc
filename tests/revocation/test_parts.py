"""The parts of revocation on their own: reading an expiry, the index, the messages between
processes and the setting."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

from django.test import SimpleTestCase, override_settings

from asynction_django.checks import check_spec
from asynction_django.conf import RevocationOptions
from asynction_django.revocation import Revocation, checked_reason, earliest, expiry_of
from asynction_django.revocation.index import MAX_KEYS, ConnectionIndex


class ExpiryTests(SimpleTestCase):
    def test_seconds_since_the_epoch_or_a_datetime(self):
        moment = datetime(2030, 1, 1, tzinfo=UTC)
        self.assertEqual(expiry_of({"exp": 1_900_000_000}), 1_900_000_000.0)
        self.assertEqual(expiry_of({"exp": 1.5}), 1.5)
        self.assertEqual(expiry_of({"exp": moment}), moment.timestamp())
        self.assertEqual(expiry_of({"exp": moment.astimezone(timezone(timedelta(hours=5)))}),
                         moment.timestamp())
        self.assertEqual(expiry_of({"exp": moment.replace(tzinfo=None)}), moment.timestamp())
        self.assertIsNone(expiry_of({}))
        self.assertIsNone(expiry_of({"exp": None}))

    def test_anything_else_is_refused(self):
        for junk in ("1900000000", True, math.nan, math.inf, [1], {"at": 1}):
            with self.subTest(exp=junk), self.assertRaises(ValueError):
                expiry_of({"exp": junk})

    def test_schemes_met_together_hold_until_the_first_expires(self):
        soon = datetime(2030, 1, 1, tzinfo=UTC)
        self.assertIs(earliest([{"exp": 2_000_000_000}, {"exp": soon}, {}]), soon)
        self.assertEqual(earliest([{"exp": 1_800_000_000}, {"exp": soon}]), 1_800_000_000)
        self.assertIsNone(earliest([{}, {"user": "ann"}]))


class IndexTests(SimpleTestCase):
    def test_connections_are_found_by_user_or_session_and_forgotten(self):
        index = ConnectionIndex()
        index.add(("/", "a"), ["1"], "s1")
        index.add(("/chat", "b"), ["1", "2", "1"], None)
        index.add(("/", "c"), [], None)  # anonymous, no session: nothing to find it by
        self.assertEqual(index.reached_by(Revocation("logout", users=frozenset({"1"}))),
                         {("/", "a"), ("/chat", "b")})
        self.assertEqual(index.reached_by(Revocation("logout", sessions=frozenset({"s1"}))),
                         {("/", "a")})
        index.add(("/", "a"), ["3"], None)  # back (recovered) as it is now
        self.assertEqual(index.reached_by(Revocation("x", frozenset({"1"}), frozenset({"s1"}))),
                         {("/chat", "b")})
        index.remove(("/chat", "b"))
        index.remove(("/", "a"))
        index.remove(("/", "never"))
        self.assertEqual((index.by_user, index.by_session, index.keys), ({}, {}, {}))


class MessageTests(SimpleTestCase):
    def test_a_revocation_survives_the_trip(self):
        sent = Revocation("deactivated", frozenset({"1", "2"}), frozenset({"f00"}))
        self.assertEqual(Revocation.from_fields(
            {"method": "asynction:revoke", "host_id": "x", **sent.as_fields()}), sent)

    def test_what_is_not_a_revocation_is_none(self):
        good = {"reason": "logout", "users": ["1"], "sessions": []}
        for broken in ({**good, "reason": ""}, {**good, "reason": 7}, {**good, "reason": "x" * 65},
                       {**good, "users": "1"}, {**good, "users": [1]},
                       {**good, "sessions": None}, {**good, "users": ["1"] * (MAX_KEYS + 1)},
                       {"reason": "logout"}):
            with self.subTest(fields=broken):
                self.assertIsNone(Revocation.from_fields(broken))

    def test_a_projects_own_reason(self):
        self.assertEqual(checked_reason("password changed"), "password changed")
        for bad in ("", None, "x" * 65):
            with self.subTest(reason=bad), self.assertRaises(ValueError):
                checked_reason(bad)


class SettingTests(SimpleTestCase):
    def test_values(self):
        self.assertEqual(RevocationOptions.from_setting(None), RevocationOptions("user", True))
        self.assertEqual(RevocationOptions.from_setting(True), RevocationOptions("user", True))
        self.assertEqual(RevocationOptions.from_setting(False), RevocationOptions(None, False))
        self.assertEqual(RevocationOptions.from_setting({"logout": "session"}),
                         RevocationOptions("session", True))

    def test_mistakes_stop_start_up(self):
        cases = [("yes", "must be None, True, False or a dict"),
                 ({"logout": "everyone"}, 'logout must be "user", "session" or None'),
                 ({"deactivation": "no"}, "deactivation must be True or False"),
                 ({"expiry": False}, "must be None, True, False or a dict of options")]
        for value, message in cases:
            with self.subTest(value=value), override_settings(ASYNCTION_REVOCATION=value):
                errors = check_spec()
                self.assertEqual([error.id for error in errors], ["asynction.E001"])
                self.assertIn(f"ASYNCTION_REVOCATION {message}", errors[0].msg)
