"""Delivery between processes through recovery's log: a process whose link to Redis blips
resumes where it stopped, so its clients miss nothing (pub/sub would have lost what was
published during the blip)."""

from __future__ import annotations

import threading

import redis
from django.test import SimpleTestCase

from tests.fleet.rooms import join_rooms, received
from tests.support import SPECS, LiveServer, PrivateRedis, eventually, free_port, unique

ROOMS, CLIENTS, EVENTS = 2, 8, 100
PUBLISHER = f"""
import time
from asynction_django import emit
for number in range({EVENTS}):
    for room in range({ROOMS}):
        emit("news", f"room-{{room}}:{{number}}", to=f"room-{{room}}")
    time.sleep(0.02)
"""


def readers(client: redis.Redis) -> list[int]:
    """The connections blocked reading the emit log (one per serving process)."""
    return [entry["id"] for entry in client.client_list() if entry.get("cmd") == "xread"]


class BlipTests(SimpleTestCase):
    def test_a_blip_of_the_link_to_redis_delays_and_loses_nothing(self):
        private = PrivateRedis(free_port())
        private.start()
        self.addCleanup(private.stop)
        settings = {"ASYNCTION_SPEC": str(SPECS / "recovery.yaml"),
                    "ASYNCTION_MESSAGE_QUEUE": private.url,
                    "ASYNCTION_MESSAGE_QUEUE_OPTIONS": {"channel": unique("fleet")},
                    "ASYNCTION_CONNECTION_STATE_RECOVERY": True}
        a, b = LiveServer(settings), LiveServer(settings)
        for server in (a, b):
            self.addCleanup(server.stop)
            server.start("/socket.io/")
        clients = join_rooms(self, b.url, CLIENTS, ROOMS, EVENTS)
        admin = redis.Redis(port=private.port)
        self.addCleanup(admin.close)
        self.assertTrue(eventually(lambda: readers(admin), 10), "no process reads the log")
        publisher = a.spawn_python(PUBLISHER)  # a worker: it only writes the log
        self.addCleanup(publisher.kill)
        blips = 0

        def blip() -> None:
            nonlocal blips
            while publisher.poll() is None:
                for reader in readers(admin):
                    admin.client_kill_filter(_id=reader)
                    blips += 1
                eventually(lambda: publisher.poll() is not None, 0.3)  # paces the blips

        blipper = threading.Thread(target=blip)
        blipper.start()
        _, errors = publisher.communicate(timeout=60)
        blipper.join(10)
        self.assertEqual(publisher.returncode, 0, errors)
        self.assertGreater(blips, 0)
        for result in received(self, clients):
            with self.subTest(room=result["room"]):
                self.assertEqual(result["news"],
                                 [f"{result['room']}:{number}" for number in range(EVENTS)])
