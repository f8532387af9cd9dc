"""Revocation across two daphne processes sharing a Redis: a logout in a view on A ends the
user's connections on A and B; a deactivation in a process that serves nothing (a worker, a
command) ends them on both; a token that expires on A is renewed and its session comes back
on B (socket.io-client). The delays are measured and printed, not asserted."""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio
from django.test import SimpleTestCase

from asynction_django.revocation import EVENT
from tests.fleet.test_forwarding import node_binary
from tests.support import (
    BROKER_LOGS,
    LiveServer,
    private_redis,
    unique,
    wait_until,
)

SPEC = Path(__file__).with_name("revocation.yaml")
WAIT = 5.0  # seconds a revocation may take here (the goal, printed, is under one)



class Watched:
    """A python-socketio client, and what it was told and when it was disconnected."""

    def __init__(self, url: str, cookie: str):
        self.client = socketio.Client(reconnection=False)
        self.seen: list[object] = []
        self.ended_at: float | None = None
        self._lock = threading.Lock()
        self.client.on(EVENT, self._told)
        self.client.on("disconnect", self._ended)
        self.client.connect(url, headers={"Cookie": cookie}, transports=["websocket"],
                            auth={"recovery": False}, wait_timeout=5)

    def _told(self, notice: dict) -> None:
        with self._lock:
            self.seen.append([EVENT, notice])

    def _ended(self, reason: str) -> None:
        with self._lock:
            self.seen.append(["disconnect", reason])
            self.ended_at = time.time()


class FleetRevocationTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        database = tempfile.TemporaryDirectory()
        cls.addClassCleanup(database.cleanup)
        settings = {"ASYNCTION_SPEC": str(SPEC),
                    "ASYNCTION_MESSAGE_QUEUE": private_redis(cls),
                    "ASYNCTION_MESSAGE_QUEUE_OPTIONS": {"channel": unique("revocation")},
                    "ASYNCTION_CONNECTION_STATE_RECOVERY": True,
                    "ROOT_URLCONF": "tests.revocation.urls", "LOGGING": BROKER_LOGS,
                    "DATABASES": {"default": {  # one for both: one user, one session
                        "ENGINE": "django.db.backends.sqlite3",
                        "NAME": str(Path(database.name) / "db.sqlite3")}}}
        cls.a, cls.b = LiveServer(settings), LiveServer(settings)
        cls.a.run_python("from django.core.management import call_command\n"
                         "call_command('migrate', verbosity=0)")
        for server in (cls.a, cls.b):
            cls.addClassCleanup(server.stop)
            server.start("/socket.io/")

    def login(self, username: str) -> str:
        """A new session of ``username`` (created if need be), as its ``Cookie`` header."""
        return self.a.run_python(
            "from django.conf import settings\n"
            "from django.contrib.auth.models import User\n"
            "from django.test import Client\n"
            f"user, _ = User.objects.get_or_create(username={username!r})\n"
            "client = Client()\n"
            "client.force_login(user)\n"
            "print(f'{settings.SESSION_COOKIE_NAME}="
            "{client.cookies[settings.SESSION_COOKIE_NAME].value}')").strip()

    def watch(self, server: LiveServer, cookie: str) -> Watched:
        watched = Watched(server.url, cookie)
        self.addCleanup(watched.client.disconnect)
        return watched

    def assertEndedBoth(self, on_a: Watched, on_b: Watched, reason: str) -> None:
        wait_until(lambda: on_a.ended_at and on_b.ended_at,
                   f"the {reason} ended the connections on A and B", timeout=WAIT)
        for watched in (on_a, on_b):
            self.assertEqual(watched.seen, [[EVENT, {"reason": reason, "renewable": False}],
                                            ["disconnect", "server disconnect"]])

    def assertServed(self, watched: Watched) -> None:
        self.assertEqual(watched.seen, [])
        self.assertIn("sid", watched.client.call("whoami", timeout=5))

    def test_a_logout_in_a_view_on_a_ends_the_users_connections_on_a_and_b(self):
        ann, bob = self.login(unique("ann")), self.login(unique("bob"))
        on_a, on_b = self.watch(self.a, ann), self.watch(self.b, ann)
        bystander = self.watch(self.b, bob)
        started = time.time()
        answer = requests.post(f"{self.a.url}/logout/", headers={"Cookie": ann}, timeout=10)
        answered = time.time()
        self.assertEqual(answer.json(), {"logged_out": True})
        self.assertEndedBoth(on_a, on_b, "logout")
        print(f"\nrevocation delay, logout in a view on A (from the request): "
              f"A {(on_a.ended_at - started) * 1000:.0f} ms, "
              f"B {(on_b.ended_at - started) * 1000:.0f} ms "
              f"(the view answered at {(answered - started) * 1000:.0f} ms)")
        self.assertServed(bystander)

    def test_a_deactivation_in_a_process_that_serves_nothing_ends_them_on_a_and_b(self):
        username = unique("cy")
        cy, bob = self.login(username), self.login(unique("bob"))
        on_a, on_b = self.watch(self.a, cy), self.watch(self.b, cy)
        bystander = self.watch(self.a, bob)
        saved_at = float(self.a.run_python(
            "import time\n"
            "from django.contrib.auth.models import User\n"
            f"user = User.objects.get(username={username!r})\n"
            "user.is_active = False\n"
            "user.save()\n"
            "print(time.time())"))
        self.assertEndedBoth(on_a, on_b, "deactivated")
        print(f"\nrevocation delay, deactivation in a worker process (from its save): "
              f"A {(on_a.ended_at - saved_at) * 1000:.0f} ms, "
              f"B {(on_b.ended_at - saved_at) * 1000:.0f} ms")
        self.assertServed(bystander)

    def test_a_token_expired_on_a_is_renewed_and_its_session_comes_back_on_b(self):
        options = {"a": self.a.url, "b": self.b.url, "transport": "websocket", "lifetime": 1}
        done = subprocess.run([node_binary(), str(Path(__file__).with_name(
            "renewing_client.js")), json.dumps(options)], capture_output=True, text=True,
            timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        self.assertEqual(result["seen"], [[EVENT, {"reason": "expired", "renewable": True}],
                                          ["disconnect", "io server disconnect"]])
        self.assertTrue(result["recovered"], result)
        self.assertTrue(result["sameId"], result)
        self.assertEqual((result["rooms"], result["news"]), (["room-1"], ["while away"]))
