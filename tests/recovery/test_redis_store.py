"""The recovery store on Redis: each project's keys its own (a security review's finding:
one project's log was read and trimmed by another on the same Redis)."""

from __future__ import annotations

import asyncio

from asynction_django.conf import RecoveryOptions
from asynction_django.recovery import KeptConnection, recovery_for
from asynction_django.testing import SocketIOTestCase
from tests.support import REDIS, require_service, unique

REDIS_URL = "redis://127.0.0.1:6379/15"


class TwoProjectsOnOneRedisTests(SocketIOTestCase):
    """Two projects on one Redis, each with its message queue's channel."""

    def setUp(self):
        require_service("Redis", REDIS, "the tests of recovery on Redis")
        self.channels = [unique(name) for name in ("shop", "blog")]
        self.projects = [recovery_for({"max_packets": 2}, REDIS_URL, {"channel": channel}, 1.0)
                         for channel in self.channels]

    def test_neither_reads_nor_trims_the_others_log(self):
        async def scenario() -> None:
            shop, blog = self.projects
            try:
                kept = KeptConnection("pid-1", "sid-1", "/", await blog.store.position())
                await blog.store.keep([kept])
                await blog.stamp("news", "blog news")
                for number in range(5):  # past the shop's cap of 2, not the blog's
                    await shop.stamp("news", f"shop {number}")
                self.assertIsNone(await shop.store.take("/", None, "pid-1"))
                back = await blog.store.take("/", None, "pid-1")
                self.assertIsNotNone(back)
                after = await blog.store.replay_from(back, None)
                self.assertIsNotNone(after, "the shop's traffic trimmed the blog's log")
                missed = await blog.store.missed(back, after)
                self.assertEqual([emit.data for emit in missed], [["news", "blog news"]])
                self.assertEqual(shop.store.log_key, f"{self.channels[0]}:recovery:log")
            finally:
                for project in self.projects:
                    await project.store.redis.delete(project.store.log_key,
                                                     project.store.capped_key)
                    await project.close()

        asyncio.run(scenario())

    def test_a_key_prefix_of_your_own(self):
        options = RecoveryOptions.from_setting({"key_prefix": "myproject:r"})
        self.assertEqual(options.key_prefix, "myproject:r")
        recovery = recovery_for({"key_prefix": "myproject:r"}, REDIS_URL, {"channel": "x"}, 1.0)
        self.assertEqual(recovery.store.log_key, "myproject:r:log")
        asyncio.run(recovery.close())
