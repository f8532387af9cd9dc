"""Recovery across a fleet: a connected client's record lives in Redis while it is connected,
so that SIGKILL of its process loses nothing, and a claim on a connection still open on
another process takes it over through the broker."""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
from pathlib import Path

import websocket
from django.test import SimpleTestCase

from tests.fleet.test_forwarding import node_binary
from tests.support import SPECS, LiveServer, PrivateRedis, free_port, unique


class SigkillTests(SimpleTestCase):
    def setUp(self):
        self.redis = PrivateRedis(free_port())
        self.redis.start()
        self.addCleanup(self.redis.stop)
        settings = {"ASYNCTION_SPEC": str(SPECS / "recovery.yaml"),
                    "ASYNCTION_MESSAGE_QUEUE": self.redis.url,
                    "ASYNCTION_MESSAGE_QUEUE_OPTIONS": {"channel": unique("fleet")},
                    "ASYNCTION_CONNECTION_STATE_RECOVERY": True}
        self.a, self.b = LiveServer(settings), LiveServer(settings)
        for server in (self.a, self.b):
            self.addCleanup(server.stop)
            server.start("/socket.io/")

    def test_a_client_of_a_killed_process_comes_back_whole(self):
        client = subprocess.Popen(
            [node_binary(), str(Path(__file__).with_name("survivor_client.js")),
             json.dumps({"a": self.a.url, "b": self.b.url})],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(client.kill)
        ready = json.loads(client.stdout.readline() or "{}")
        self.assertIn("ready", ready, client.stderr.read() if client.poll() else "")
        self.a.process.send_signal(signal.SIGKILL)  # no drop noticed, no record written
        self.a.process.wait(5)
        output, errors = client.communicate("go\n", timeout=60)
        self.assertEqual(client.returncode, 0, errors)
        result = json.loads(output.strip().splitlines()[-1])
        self.assertEqual(result["reason"], "transport close")
        self.assertTrue(result["recovered"], result)
        self.assertTrue(result["sameId"], result)
        self.assertEqual((result["rooms"], result["data"]), (["room-1"], {"value": "kept"}))
        self.assertEqual(result["news"], ["while away", "direct", "after"])  # once, in order


class TakeoverTests(SimpleTestCase):
    """A client back on process B while its old transport is still open on A (the network
    changed without a word): A closes it through the broker and the session goes on at B."""

    def setUp(self):
        self.redis = PrivateRedis(free_port())
        self.redis.start()
        self.addCleanup(self.redis.stop)
        database = tempfile.TemporaryDirectory()
        self.addCleanup(database.cleanup)
        settings = {"ASYNCTION_SPEC": str(SPECS / "recovery.yaml"),
                    "ASYNCTION_MESSAGE_QUEUE": self.redis.url,
                    "ASYNCTION_MESSAGE_QUEUE_OPTIONS": {"channel": unique("fleet")},
                    "ASYNCTION_CONNECTION_STATE_RECOVERY": True,
                    "DATABASES": {"default": {  # one database for both: one user, one session
                        "ENGINE": "django.db.backends.sqlite3",
                        "NAME": str(Path(database.name) / "db.sqlite3")}}}
        self.a, self.b = LiveServer(settings), LiveServer(settings)
        self.a.run_python("from django.core.management import call_command\n"
                          "call_command('migrate', verbosity=0)")
        self.cookie = self.a.run_python(
            "from django.contrib.auth.models import User\n"
            "from django.conf import settings\n"
            "from django.test import Client\n"
            "client = Client()\n"
            "client.force_login(User.objects.create_user('ann'))\n"
            "print(f'{settings.SESSION_COOKIE_NAME}="
            "{client.cookies[settings.SESSION_COOKIE_NAME].value}')").strip()
        for server in (self.a, self.b):
            self.addCleanup(server.stop)
            server.start("/socket.io/")

    def raw(self, server: LiveServer) -> websocket.WebSocket:
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
            timeout=10, cookie=self.cookie)
        self.addCleanup(ws.close)
        ws.recv()  # OPEN
        return ws

    @staticmethod
    def frame(ws: websocket.WebSocket, prefix: str) -> str:
        while True:
            frame = ws.recv()
            if isinstance(frame, str) and frame.startswith(prefix):
                return frame

    def test_the_old_transport_on_another_process_is_closed_and_the_session_goes_on(self):
        old = self.raw(self.a)
        old.send('40{"quiet":true}')
        connected = json.loads(self.frame(old, "40")[2:])
        old.send('420["join","room-7"]')
        self.frame(old, "430")
        new = self.raw(self.b)
        new.send("40" + json.dumps({"quiet": True, "pid": connected["pid"]}))
        back = json.loads(self.frame(new, "40")[2:])
        self.assertEqual((back["sid"], back["pid"]), (connected["sid"], connected["pid"]))
        new.send('421["whoami"]')
        me = json.loads(self.frame(new, "431")[3:])[0]
        self.assertEqual((me["rooms"], me["recovered"], me["user"]), (["room-7"], True, "ann"))
        # the old transport was closed by A, at B's request
        with self.assertRaises((websocket.WebSocketConnectionClosedException, OSError)):
            while True:  # what A still had to send, then the close
                old.recv()

    def test_another_user_cannot_take_it_over(self):
        old = self.raw(self.a)
        old.send('40{"quiet":true}')
        connected = json.loads(self.frame(old, "40")[2:])
        stranger = websocket.create_connection(
            f"ws://127.0.0.1:{self.b.port}/socket.io/?EIO=4&transport=websocket", timeout=10)
        self.addCleanup(stranger.close)
        stranger.recv()
        stranger.send("40" + json.dumps({"quiet": True, "pid": connected["pid"]}))
        self.assertNotEqual(json.loads(self.frame(stranger, "40")[2:])["sid"],
                            connected["sid"])
        old.send('421["whoami"]')  # still connected on A
        self.assertEqual(json.loads(self.frame(old, "431")[3:])[0]["sid"], connected["sid"])
