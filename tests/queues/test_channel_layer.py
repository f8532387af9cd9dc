"""Several daphne processes behind one API, through the project's Channels layer on Redis."""

from __future__ import annotations

from django.test import SimpleTestCase

from tests.queues.test_managers_brokers import MultiProcessTests
from tests.support import REDIS, require_service, unique


class ChannelLayerTests(MultiProcessTests, SimpleTestCase):
    """``ASYNCTION_MESSAGE_QUEUE = "channels"``: the project's channels_redis layer carries it."""

    @classmethod
    def broker_settings(cls):
        require_service("Redis", REDIS, "the tests of several processes on a Redis channel layer")
        return {"ASYNCTION_MESSAGE_QUEUE": "channels",
                "CHANNEL_LAYERS": {"default": {
                    "BACKEND": "channels_redis.core.RedisChannelLayer",
                    "CONFIG": {"hosts": ["redis://127.0.0.1:6379/15"],
                               "prefix": unique("asynction-test")}}}}
