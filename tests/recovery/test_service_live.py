"""Connection state recovery on the wire: socket.io-client in Node against real daphne.

tests/recovery_client.js drops the connection (``socket.io.engine.close()``), has another
client send to its room, to it directly and to everyone while it is away, then reconnects;
three rounds in a row. Single process, and two processes sharing a Redis (the client
comes back to the other process each time); WebSocket and long-polling.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import socketio
from django.test import SimpleTestCase

from tests.support import BROKER_LOGS, ROOT, SPECS, LiveServer, private_redis, skip_or_fail

SPEC = SPECS / "recovery.yaml"
SCRIPT = ROOT / "tests" / "recovery_client.js"
RECOVERY = {"max_disconnection_duration": 30}


def node_client(servers: list[str], transport: str, rounds: int = 3,
                quiet: bool = False) -> dict:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "socket.io-client").exists():
        skip_or_fail("node", "the recovery tests with socket.io-client",
                     "They need node and node_modules (./dev installs both with npm ci).")
    options = {"servers": servers, "transport": transport, "rounds": rounds, "quiet": quiet}
    done = subprocess.run([node, str(SCRIPT), json.dumps(options)], capture_output=True,
                          text=True, timeout=60)
    if done.returncode:
        raise AssertionError(f"the Node client failed:\n{done.stderr}")
    return json.loads(done.stdout)


class LiveRecoveryMixin:
    transport = "websocket"
    servers: list[LiveServer]

    @classmethod
    def start_servers(cls, overrides: dict, count: int) -> None:
        cls.servers = [LiveServer(overrides) for _ in range(count)]
        for server in cls.servers:
            cls.addClassCleanup(server.stop)
            server.start("/socket.io/")

    def assert_recovered_every_round(self, quiet: bool = False) -> None:
        result = node_client([server.url for server in self.servers], self.transport,
                             quiet=quiet)
        for number, round_ in enumerate(result["rounds"]):
            with self.subTest(round=number):
                self.assertTrue(round_["recovered"])
                self.assertTrue(round_["sameId"])
                self.assertTrue(round_["serverRecovered"])
                self.assertEqual(round_["rooms"], ["room-1"])
                # every missed event once, in order, before the new one
                self.assertEqual(round_["news"], [f"room {number}", f"direct {number}",
                                                  f"all {number}", f"after {number}"])

    def test_recovers_three_times_in_a_row(self):
        self.assert_recovered_every_round()

    def test_recovers_when_nothing_was_emitted_to_it_before_the_drop(self):
        self.assert_recovered_every_round(quiet=True)


class OneProcessWebSocketTests(LiveRecoveryMixin, SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_servers({"ASYNCTION_SPEC": SPEC,
                           "ASYNCTION_CONNECTION_STATE_RECOVERY": RECOVERY}, 1)


class OneProcessPollingTests(OneProcessWebSocketTests):
    transport = "polling"


class TwoProcessesOnRedisWebSocketTests(LiveRecoveryMixin, SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_servers({"ASYNCTION_SPEC": SPEC,
                           "ASYNCTION_CONNECTION_STATE_RECOVERY": RECOVERY,
                           "ASYNCTION_MESSAGE_QUEUE": private_redis(cls)}, 2)


class TwoProcessesOnRedisPollingTests(TwoProcessesOnRedisWebSocketTests):
    transport = "polling"


class RedisDownTests(SimpleTestCase):
    """Recovery's store unreachable: clients still connect and talk, as new sessions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = LiveServer({"ASYNCTION_SPEC": SPEC, "LOGGING": BROKER_LOGS,
                                 "ASYNCTION_CONNECTION_STATE_RECOVERY": RECOVERY,
                                 "ASYNCTION_MESSAGE_QUEUE": private_redis(cls)})
        cls.addClassCleanup(cls.server.stop)
        cls.server.start("/socket.io/")

    def test_connections_work_without_recovery_while_redis_is_down(self):
        self.redis.stop()
        self.addCleanup(self.redis.start)
        client = socketio.SimpleClient()
        client.connect(self.server.url, transports=["websocket"])
        self.addCleanup(client.disconnect)
        me = client.call("whoami", timeout=10)
        self.assertEqual((me["sid"], me["recovered"]), (client.sid, False))
        self.assertIn("connection state recovery is unavailable", self.server.log())
