"""The syntax of a rate limit, as the spec and ASYNCTION_RATE_LIMIT_DEFAULT both write it."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from asynction_django.building import build
from asynction_django.conf import DEFAULT_RATE_LIMIT, get_settings
from asynction_django.limits import RateLimit, RuleError, parse_rate_limits
from tests.support import SPECS

SPEC = SPECS / "rate_limits.yaml"


class ParsingTests(SimpleTestCase):
    def test_the_forms_a_limit_takes(self):
        cases = [
            ({"limit": 10, "per": "1s"}, (RateLimit(10, 1_000_000, "connection"),)),
            ({"limit": 5, "per": 0.5, "by": "user"}, (RateLimit(5, 500_000, "user"),)),
            ({"limit": 1, "per": "250ms", "by": "ip"}, (RateLimit(1, 250_000, "ip"),)),
            ({"limit": 60, "per": "1.5m"}, (RateLimit(60, 90_000_000, "connection"),)),
            ({"limit": 1000, "per": "1h"}, (RateLimit(1000, 3_600_000_000, "connection"),)),
            ({"limit": 2, "per": "1d"}, (RateLimit(2, 86_400_000_000, "connection"),)),
            ([{"limit": 10, "per": 1}, {"limit": 100, "per": "1m", "by": "user"}],
             (RateLimit(10, 1_000_000), RateLimit(100, 60_000_000, "user"))),
            (False, ()),  # declared: no limit
            (None, None),  # not declared
        ]
        for value, expected in cases:
            with self.subTest(value=value):
                self.assertEqual(parse_rate_limits(value), expected)

    def test_what_a_limit_means(self):
        [limit] = parse_rate_limits({"limit": 3, "per": "1s"})
        self.assertEqual(limit.per, 1.0)
        self.assertEqual(limit.interval_us, 333_333)
        self.assertEqual(str(limit), "3 per 1s by connection")

    def test_every_mistake_says_where_and_why(self):
        cases = [
            ("10/s", (), "a rate limit must be"),
            (True, (), "a rate limit must be"),
            ([], (), "an empty list limits nothing"),
            ([5], (0,), "each rate limit must be a mapping"),
            ({"per": "1s"}, (), "needs 'limit'"),
            ({"limit": 1}, (), "needs 'per'"),
            ({"limit": 1, "per": "1s", "burst": 3}, ("burst",), "unknown key 'burst'"),
            ({"limit": 0, "per": "1s"}, ("limit",), "above 0"),
            ({"limit": 1.5, "per": "1s"}, ("limit",), "whole number"),
            ({"limit": True, "per": "1s"}, ("limit",), "whole number"),
            ({"limit": 1, "per": "1 week"}, ("per",), "must be a duration"),
            ({"limit": 1, "per": False}, ("per",), "must be a duration"),
            ({"limit": 1, "per": float("inf")}, ("per",), "must be a duration"),
            ({"limit": 1, "per": "0.5ms"}, ("per",), "between 1ms and 1d"),
            ({"limit": 1, "per": "2d"}, ("per",), "between 1ms and 1d"),
            ({"limit": 1, "per": -1}, ("per",), "between 1ms and 1d"),
            ({"limit": 5000, "per": "1ms"}, ("limit",), "more than one event per microsecond"),
            ({"limit": 1, "per": "1s", "by": "session"}, ("by",), "connection, user, ip"),
            ([{"limit": 1, "per": "1s"}, {"limit": 1, "per": "x"}], (1, "per"), "duration"),
        ]
        for value, path, reason in cases:
            with self.subTest(value=value):
                with self.assertRaises(RuleError) as caught:
                    parse_rate_limits(value)
                self.assertEqual(caught.exception.path, path)
                self.assertIn(reason, caught.exception.reason)


class DefaultSettingTests(SimpleTestCase):
    def test_no_client_is_unlimited_unless_the_settings_say_so(self):
        self.assertEqual(get_settings().RATE_LIMIT_DEFAULT, DEFAULT_RATE_LIMIT)
        self.assertEqual(parse_rate_limits(DEFAULT_RATE_LIMIT),
                         (RateLimit(100, 1_000_000, "connection"),))

    @override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_RATE_LIMIT_DEFAULT=None)
    def test_none_turns_it_off(self):
        self.assertEqual(build().settings_errors, [])

    def test_a_bad_value_is_a_settings_error(self):
        cases = [
            ({"limit": 10}, "ASYNCTION_RATE_LIMIT_DEFAULT: a rate limit needs 'per'"),
            ([{"limit": 10, "per": "1s", "by": "me"}],
             'ASYNCTION_RATE_LIMIT_DEFAULT[0]["by"]: by must be one of connection, user, ip'),
            (100, "ASYNCTION_RATE_LIMIT_DEFAULT: a rate limit must be"),
        ]
        for value, error in cases:
            with self.subTest(value=value), override_settings(
                    ASYNCTION_SPEC=SPEC, ASYNCTION_RATE_LIMIT_DEFAULT=value):
                [message] = build().settings_errors
                self.assertTrue(message.startswith(error), message)
