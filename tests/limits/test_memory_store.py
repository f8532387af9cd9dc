"""The limiter in one process: GCRA's answers, exactly, on a clock the tests move."""

from __future__ import annotations

from django.test import SimpleTestCase

from asynction_django.limits import Bucket, MemoryLimiter
from asynction_django.limits.memory_store import SWEEP_STEP

SECOND = 1_000_000  # microseconds


class Clock:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now


def bucket(key: str = "k", limit: int = 3, per: float = 1.0) -> Bucket:
    return Bucket(key, round(per * SECOND) // limit, round(per * SECOND))


class MemoryLimiterTests(SimpleTestCase):
    def setUp(self):
        self.clock = Clock()
        self.limiter = MemoryLimiter(clock=self.clock)

    def test_a_burst_of_limit_then_a_refusal_that_says_when(self):
        three = [bucket(limit=3, per=1.0)]
        self.assertEqual([self.limiter.admit(three) for _ in range(3)], [0, 0, 0])
        wait = self.limiter.admit(three)
        self.assertAlmostEqual(wait, SECOND / 3, delta=2)  # a token is back a third of a second on
        self.clock.now += wait - 1
        self.assertGreater(self.limiter.admit(three), 0)
        self.clock.now += 1
        self.assertEqual(self.limiter.admit(three), 0)

    def test_the_rate_over_a_long_run_is_the_limit(self):
        # 10 a second, hammered every millisecond for 60 s (0 to 59.999): the burst of 10, then
        # one each 0.1 s from 0.1 to 59.9.
        ten = [bucket(limit=10, per=1.0)]
        admitted = 0
        for _ in range(60_000):
            admitted += self.limiter.admit(ten) == 0
            self.clock.now += 1_000
        self.assertEqual(admitted, 10 + 599)

    def test_a_refusal_by_one_bucket_charges_none(self):
        roomy, tight = bucket("roomy", limit=10), bucket("tight", limit=1)
        self.assertEqual(self.limiter.admit([roomy, tight]), 0)
        for _ in range(5):
            self.assertGreater(self.limiter.admit([roomy, tight]), 0)
        # roomy was charged once: nine more go through on it alone
        admitted = [self.limiter.admit([roomy]) == 0 for _ in range(10)]
        self.assertEqual(admitted, [True] * 9 + [False])

    def test_buckets_are_separate_per_key(self):
        self.assertEqual(self.limiter.admit([bucket("a", limit=1)]), 0)
        self.assertGreater(self.limiter.admit([bucket("a", limit=1)]), 0)
        self.assertEqual(self.limiter.admit([bucket("b", limit=1)]), 0)

    def test_idle_buckets_are_forgotten_as_traffic_flows(self):
        for number in range(10_000):  # a client inventing keys, each used once
            self.limiter.admit([bucket(f"invented-{number}", per=0.01)])
            self.clock.now += 1_000
        # Each key's bucket is idle 10 ms after its event: only the last few are still kept.
        self.assertLess(len(self.limiter.arrivals), 10 + SWEEP_STEP)

    def test_the_number_of_buckets_is_capped(self):
        limiter = MemoryLimiter(max_buckets=100, clock=self.clock)
        for number in range(1_000):  # buckets of a day, all live: the oldest go
            limiter.admit([bucket(f"live-{number}", per=86_400)])
        self.assertEqual(len(limiter.arrivals), 100)
        self.assertIn("live-999", limiter.arrivals)
        self.assertNotIn("live-0", limiter.arrivals)

    def test_a_refused_event_writes_nothing(self):
        one = [bucket("only", limit=1)]
        self.limiter.admit(one)
        arrival = self.limiter.arrivals["only"]
        for _ in range(100):
            self.limiter.admit(one)
        self.assertEqual(self.limiter.arrivals["only"], arrival)
