"""Which buckets each event is charged to, whose they are, and what a store outage does."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

from django.test import SimpleTestCase

from asynction_django.limits import (
    ABUSE_REFUSALS,
    Bucket,
    MemoryLimiter,
    RateLimit,
    RedisLimiter,
    namespace_limits,
)
from asynction_django.limits.keys import who
from tests.support import free_port

TEN = (RateLimit(10, 1_000_000),)
FIVE = (RateLimit(5, 1_000_000),)
DEFAULT = (RateLimit(100, 1_000_000),)


def names(limits, event):
    return [str(rule.limit) for rule in limits.events.get(event, limits.others)]


class PlacementTests(SimpleTestCase):
    def test_an_event_counts_against_its_own_limits_and_its_namespaces(self):
        limits = namespace_limits("/", {"a": TEN, "b": None}, FIVE, DEFAULT, MemoryLimiter())
        self.assertEqual(names(limits, "a"), ["10 per 1s by connection",
                                              "5 per 1s by connection"])
        self.assertEqual(names(limits, "b"), ["5 per 1s by connection"])  # no default
        self.assertEqual(names(limits, "unknown"), ["5 per 1s by connection"])

    def test_the_default_applies_only_where_nothing_is_said(self):
        limits = namespace_limits("/", {"a": TEN, "b": None, "c": ()}, None, DEFAULT,
                                  MemoryLimiter())
        self.assertEqual(names(limits, "a"), ["10 per 1s by connection"])
        self.assertEqual(names(limits, "b"), ["100 per 1s by connection"])
        self.assertEqual(names(limits, "c"), [])  # x-rate-limit: false
        self.assertEqual(names(limits, "unknown"), ["100 per 1s by connection"])
        b, unknown = limits.events["b"][0], limits.others[0]
        self.assertEqual(b.name, unknown.name)  # one default budget per namespace

    def test_a_namespace_that_says_false_has_no_default(self):
        limits = namespace_limits("/", {"a": None, "b": TEN}, (), DEFAULT, MemoryLimiter())
        self.assertEqual(names(limits, "a"), [])
        self.assertEqual(names(limits, "unknown"), [])
        self.assertEqual(names(limits, "b"), ["10 per 1s by connection"])

    def test_nothing_limited_needs_no_limits(self):
        self.assertIsNone(namespace_limits("/", {"a": None}, None, None, MemoryLimiter()))
        limits = namespace_limits("/", {"a": ()}, None, DEFAULT, MemoryLimiter())
        self.assertEqual(names(limits, "unknown"), ["100 per 1s by connection"])  # counted

    def test_buckets_of_namespaces_and_events_are_apart(self):
        first = namespace_limits("/a", {"x": TEN}, None, None, MemoryLimiter())
        second = namespace_limits("/b", {"x": TEN, "y": TEN}, None, None, MemoryLimiter())
        names = {first.events["x"][0].name, second.events["x"][0].name,
                 second.events["y"][0].name}
        self.assertEqual(len(names), 3)


class WhoTests(SimpleTestCase):
    def environ(self, user=None, client=("192.0.2.1", 5000)):
        return {"asgi.scope": {"user": user, "client": client}}

    def test_whose_bucket(self):
        alice = SimpleNamespace(pk=42, is_authenticated=True)
        anonymous = SimpleNamespace(pk=None, is_authenticated=False)
        cases = [
            ("connection", self.environ(alice), "connection:sid1"),
            ("user", self.environ(alice), "user:42"),
            ("user", self.environ(anonymous), "connection:sid1"),
            ("user", self.environ(None), "connection:sid1"),
            ("ip", self.environ(), "ip:192.0.2.1"),
            ("ip", self.environ(client=None), "connection:sid1"),  # a Unix socket
            ("ip", None, "connection:sid1"),
        ]
        for by, environ, expected in cases:
            with self.subTest(by=by, expected=expected):
                self.assertEqual(who(by, "sid1", environ), expected)


class FailingLimiter:
    async def hit(self, buckets: Sequence[Bucket]) -> float:
        raise ConnectionError("Redis is down")

    async def close(self) -> None:
        pass


TEN_PER_USER = (RateLimit(10, 1_000_000, "user"),)
ALICE = {"asgi.scope": {"user": SimpleNamespace(pk=42, is_authenticated=True)}}


class RefusalTests(SimpleTestCase):
    async def test_a_store_outage_lets_events_through_and_says_so(self):
        limits = namespace_limits("/", {"a": TEN_PER_USER}, None, None, FailingLimiter())
        with self.assertLogs("asynction_django.limits", "WARNING") as logged:
            self.assertIsNone(await limits.refusal("sid", "a", ALICE))
        self.assertIn("the rate limits' store failed", logged.output[0])

    async def test_an_unreachable_redis_lets_events_through(self):
        limiter = RedisLimiter(f"redis://127.0.0.1:{free_port()}/0", "nobody:ratelimit")
        limits = namespace_limits("/", {"a": TEN_PER_USER}, None, None, limiter)
        try:  # (logged once a minute: test_a_store_outage_lets_events_through_and_says_so)
            for _ in range(3):
                self.assertIsNone(await limits.refusal("sid", "a", ALICE))
        finally:
            await limiter.close()

    async def test_a_connections_own_buckets_are_counted_here_without_the_store(self):
        # Per-connection limits (the default's) cost no round trip to Redis: a connection
        # lives in one process. Even with the store down they are enforced.
        limits = namespace_limits("/", {"a": (RateLimit(2, 10_000_000),)}, None, None,
                                  FailingLimiter())
        answers = [await limits.refusal("sid", "a", ALICE) for _ in range(3)]
        self.assertEqual([answer is None for answer in answers], [True, True, False])

    async def test_a_refusal_says_when_and_the_last_straw_expels(self):
        limits = namespace_limits("/", {"a": (RateLimit(1, 10_000_000),)}, None, None,
                                  MemoryLimiter())
        self.assertIsNone(await limits.refusal("sid", "a", None))
        refusals = [await limits.refusal("sid", "a", None) for _ in range(ABUSE_REFUSALS + 1)]
        self.assertEqual([refusal.expel for refusal in refusals],
                         [False] * ABUSE_REFUSALS + [True])
        self.assertGreater(refusals[0].error.retry_after, 9.9)
        self.assertLessEqual(refusals[0].error.retry_after, 10.0)
        self.assertIsNone(await limits.refusal("other", "a", None))  # its own bucket
