"""The wire tests of test_wire.py with the buckets in Redis (the message queue), as a fleet
keeps them: same answers, and the keys where docs/rate-limits.md says."""

from __future__ import annotations

import redis
from django.contrib.auth.models import User
from django.test import override_settings

from asynction_django.testing import SocketIOTestCase
from tests.limits.test_wire import DEFAULT, SPEC, RateLimitWireMixin, refused
from tests.support import REDIS, require_service, unique

REDIS_URL = "redis://127.0.0.1:6379/15"


class OnRedisTests(RateLimitWireMixin, SocketIOTestCase):
    def setUp(self):
        require_service("Redis", REDIS, "the tests of rate limits on Redis")
        self.channel = unique("asynction-test")
        overrides = override_settings(
            ASYNCTION_SPEC=SPEC, ASYNCTION_RATE_LIMIT_DEFAULT=DEFAULT,
            ASYNCTION_MESSAGE_QUEUE=REDIS_URL,
            ASYNCTION_MESSAGE_QUEUE_OPTIONS={"channel": self.channel})
        overrides.enable()
        self.addCleanup(overrides.disable)
        self.redis = redis.Redis.from_url(REDIS_URL)
        self.addCleanup(self.redis.close)
        self.addCleanup(self._delete_keys)
        super().setUp()

    def _delete_keys(self):
        keys = list(self.redis.scan_iter(f"{self.channel}:ratelimit:*"))
        if keys:
            self.redis.delete(*keys)

    def test_the_buckets_of_a_user_are_redis_keys_under_the_channel(self):
        user = User.objects.create_user("rita")
        client = self.socketio_client(user=user)
        for _ in range(2):
            client.call("shout")
        refused(client.call("shout"))
        [key] = self.redis.scan_iter(f"{self.channel}:ratelimit:*")
        prefix = f"{self.channel}:ratelimit:user:{user.pk}:"
        self.assertTrue(key.decode().startswith(prefix), key)
        self.assertGreater(self.redis.pttl(key), 0)  # it expires by itself

    def test_a_connections_own_buckets_stay_in_its_process(self):
        client = self.socketio_client()
        for _ in range(3):
            client.call("ping")
        refused(client.call("ping"))
        self.assertEqual(list(self.redis.scan_iter(f"{self.channel}:ratelimit:*")), [])
