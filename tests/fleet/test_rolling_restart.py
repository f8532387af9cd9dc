"""A rolling restart of a fleet behind a round-robin balancer: every process is stopped with
SIGTERM (it drains: its clients are handed to the others over its drain window) and started
again, while a worker emits to rooms at a steady rate. Every client of socket.io-client 4
receives every event of its room exactly once, in order."""

from __future__ import annotations

import signal
import sys

from django.test import SimpleTestCase

from tests.fleet.rooms import join_rooms, received
from tests.fleet.test_forwarding import start_fleet
from tests.support import SPECS, PrivateRedis, free_port, unique

ROOMS, CLIENTS, EVENTS = 3, 24, 100  # EVENTS per room, one every 0.1 s
PUBLISHER = f"""
import time
from asynction_django import emit
for number in range({EVENTS}):
    for room in range({ROOMS}):
        emit("news", f"room-{{room}}:{{number}}", to=f"room-{{room}}")
    time.sleep(0.1)
"""


class RollingRestartTests(SimpleTestCase):
    def test_nothing_is_lost_or_repeated(self):
        redis = PrivateRedis(free_port())
        redis.start()
        self.addCleanup(redis.stop)
        settings = {"ASYNCTION_SPEC": str(SPECS / "recovery.yaml"), "ALLOWED_HOSTS": ["*"],
                    "ASYNCTION_MESSAGE_QUEUE": redis.url,
                    "ASYNCTION_MESSAGE_QUEUE_OPTIONS": {"channel": unique("fleet")},
                    "ASYNCTION_CONNECTION_STATE_RECOVERY": True,
                    "ASYNCTION_DRAIN_WINDOW": 1.5}
        servers, nginx = start_fleet(self.addCleanup, settings)
        clients = join_rooms(self, nginx.url, CLIENTS, ROOMS, EVENTS)
        publisher = servers[0].spawn_python(PUBLISHER)
        self.addCleanup(publisher.kill)
        for server in servers:  # one after the other, as a deploy does
            server.process.send_signal(signal.SIGTERM)
            server.process.wait(30)
            server.start("/socket.io/")
        _, errors = publisher.communicate(timeout=60)
        self.assertEqual(publisher.returncode, 0, errors)
        results = received(self, clients)
        for result in results:
            expected = [f"{result['room']}:{number}" for number in range(EVENTS)]
            with self.subTest(room=result["room"]):
                self.assertEqual(result["news"], expected, {
                    key: result[key] for key in ("reconnects", "recovered", "errors")})
        moved = sum(result["reconnects"] for result in results)
        delivered = sum(len(result["news"]) for result in results)
        print(f"\nrolling restart of 3 processes: {delivered}/{CLIENTS * EVENTS} events "
              f"delivered, {moved} handovers, all recovered", file=sys.stderr)
        self.assertGreaterEqual(moved, CLIENTS)  # every client was handed over at least once
        self.assertEqual(moved, sum(result["recovered"] for result in results))
