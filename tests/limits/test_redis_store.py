"""The limiter on Redis: one budget for every process, decided atomically, keys that expire."""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as redis
from django.test import SimpleTestCase

from asynction_django.limits import Bucket, RedisLimiter
from tests.support import REDIS, WAIT, require_service, unique

REDIS_URL = "redis://127.0.0.1:6379/15"
SECOND = 1_000_000  # microseconds


def bucket(key: str = "k", limit: int = 3, per: float = 10.0) -> Bucket:
    return Bucket(key, round(per * SECOND) // limit, round(per * SECOND))


class RedisLimiterTests(SimpleTestCase):
    def setUp(self):
        require_service("Redis", REDIS, "the tests of rate limits on Redis")
        self.prefix = unique("asynction-test") + ":ratelimit"

    async def limiters(self, count: int = 1) -> list[RedisLimiter]:
        """``count`` limiters on one prefix: as many processes sharing a Redis."""
        return [RedisLimiter(REDIS_URL, self.prefix) for _ in range(count)]

    async def close(self, limiters: list[RedisLimiter]) -> None:
        admin = redis.Redis.from_url(REDIS_URL)
        keys = [key async for key in admin.scan_iter(f"{self.prefix}:*")]
        if keys:
            await admin.delete(*keys)
        await admin.aclose()
        for limiter in limiters:
            await limiter.close()

    async def test_a_burst_of_limit_then_a_refusal_that_says_when(self):
        [limiter] = limiters = await self.limiters()
        try:
            three = [bucket(limit=3, per=10.0)]
            self.assertEqual([await limiter.hit(three) for _ in range(3)], [0.0] * 3)
            wait = await limiter.hit(three)
            self.assertGreater(wait, 3.0)  # a token is back 3.33 s after the burst began
            self.assertLessEqual(wait, 10 / 3)
        finally:
            await self.close(limiters)

    async def test_processes_share_one_budget(self):
        limiters = await self.limiters(2)
        try:
            two = [bucket("shared", limit=2)]
            self.assertEqual(await limiters[0].hit(two), 0.0)
            self.assertEqual(await limiters[1].hit(two), 0.0)
            self.assertGreater(await limiters[0].hit(two), 0.0)
            self.assertGreater(await limiters[1].hit(two), 0.0)
        finally:
            await self.close(limiters)

    async def test_concurrent_events_never_overdraw(self):
        limiters = await self.limiters(2)
        try:
            ten = [bucket("raced", limit=10)]
            waits = await asyncio.gather(*(limiters[number % 2].hit(ten)
                                           for number in range(60)))
            self.assertEqual(sum(wait == 0.0 for wait in waits), 10)
        finally:
            await self.close(limiters)

    async def test_a_refusal_by_one_bucket_charges_none(self):
        [limiter] = limiters = await self.limiters()
        try:
            roomy, tight = bucket("roomy", limit=3), bucket("tight", limit=1)
            self.assertEqual(await limiter.hit([roomy, tight]), 0.0)
            for _ in range(5):
                self.assertGreater(await limiter.hit([roomy, tight]), 0.0)
            admitted = [await limiter.hit([roomy]) == 0.0 for _ in range(3)]
            self.assertEqual(admitted, [True, True, False])  # charged once, not six times
        finally:
            await self.close(limiters)

    async def test_the_budget_comes_back_after_the_wait(self):
        [limiter] = limiters = await self.limiters()
        try:
            quick = [bucket("quick", limit=2, per=0.2)]
            await limiter.hit(quick)
            await limiter.hit(quick)
            wait = await limiter.hit(quick)
            self.assertGreater(wait, 0.0)
            started = time.monotonic()
            while await limiter.hit(quick) > 0.0:  # asked until admitted (the pause paces it)
                self.assertLess(time.monotonic() - started, WAIT, "never admitted again")
                await asyncio.sleep(0.01)
            self.assertGreaterEqual(time.monotonic() - started, wait - 0.01)
        finally:
            await self.close(limiters)

    async def test_keys_live_under_the_prefix_and_expire_with_their_window(self):
        [limiter] = limiters = await self.limiters()
        admin = redis.Redis.from_url(REDIS_URL)
        try:
            await limiter.hit([bucket("user:42:rule", limit=5, per=2.0)])
            keys = [key.decode() async for key in admin.scan_iter(f"{self.prefix}:*")]
            self.assertEqual(keys, [f"{self.prefix}:user:42:rule"])
            ttl = await admin.pttl(keys[0])
            self.assertGreater(ttl, 0)
            self.assertLessEqual(ttl, 400)  # one token's worth: idle, it is gone by then
            for _ in range(4):
                await limiter.hit([bucket("user:42:rule", limit=5, per=2.0)])
            self.assertLessEqual(await admin.pttl(keys[0]), 2_000)  # never past the window
        finally:
            await admin.aclose()
            await self.close(limiters)
