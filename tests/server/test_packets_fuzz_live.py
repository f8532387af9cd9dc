"""What only a real socket can send, sent to a real daphne: it stays up, others unaffected."""

from __future__ import annotations

import json
import threading
from contextlib import closing

import psutil
import socketio
import websocket

from tests.support import SPECS, LiveSocketIOTestCase

WIRE = str(SPECS / "wire.yaml")
MEMORY_BOUND = 150 * 2**20  # bytes the server may grow by over this whole class


class LiveFuzzTests(LiveSocketIOTestCase):
    # Robustness, not rate limits (tests/limits/): the floods must meet backpressure alone.
    overrides = {"ASYNCTION_SPEC": WIRE, "ASYNCTION_RATE_LIMIT_DEFAULT": None}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rss_before = psutil.Process(cls.server.process.pid).memory_info().rss

    def setUp(self):
        self.bystander = self.connect()  # a well-behaved client on the side, all along

    def tearDown(self):
        self.assertEqual(self.bystander.call("ping", timeout=5), "pong")
        self.assertEqual(self.server.process.poll(), None, self.server.log())

    @classmethod
    def tearDownClass(cls):
        grown = psutil.Process(cls.server.process.pid).memory_info().rss - cls.rss_before
        super().tearDownClass()
        assert grown < MEMORY_BOUND, f"daphne grew by {grown / 2**20:.0f} MiB"

    def raw(self) -> websocket.WebSocket:
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.server.port}/socket.io/?EIO=4&transport=websocket",
            timeout=5)
        self.assertTrue(ws.recv().startswith("0"))
        ws.send("40")
        self.assertTrue(ws.recv().startswith("40"))
        self.assertTrue(ws.recv().startswith('42["welcome"'))  # from the connect handler
        return ws

    def test_invalid_utf8_closes_only_that_connection(self):
        with closing(self.raw()) as ws:
            ws.send(b"42[\"echo\",\"\xff\xfe\"]", opcode=websocket.ABNF.OPCODE_TEXT)
            with self.assertRaises((websocket.WebSocketConnectionClosedException,
                                    ConnectionError, websocket.WebSocketTimeoutException)):
                while True:
                    ws.recv()

    def test_frames_over_the_size_limit_close_only_that_connection(self):
        with closing(self.raw()) as ws:
            ws.send('42["echo",{"text":"' + "x" * 2_000_000 + '"}]')
            with self.assertRaises((websocket.WebSocketConnectionClosedException,
                                    ConnectionError)):
                while True:
                    ws.recv()

    def test_garbage_and_deep_nesting_never_leak_internals(self):
        frames = ["4", "42", "42[", "42[]", "42[1]", "42[null]", '42["echo"', "4x", "9",
                  "43", "41/nowhere,", '451-["echo",{"_placeholder":true,"num":5}]',
                  '42["echo",' + "[" * 100_000 + "]" * 100_000 + "]", "\x00" * 10]
        with closing(self.raw()) as ws:
            ws.settimeout(1)
            for frame in frames:
                try:
                    ws.send(frame)
                    answer = ws.recv()
                except (websocket.WebSocketTimeoutException,
                        websocket.WebSocketConnectionClosedException):
                    answer = ""
                for leak in ("Traceback", 'File "', "site-packages"):
                    self.assertNotIn(leak, answer)
                if not ws.connected:
                    ws = self.raw()

    def test_event_flood_leaves_others_served(self):
        with closing(self.raw()) as ws:
            for number in range(5_000):
                ws.send(f'42{number}["echo",{{"text":"{number}"}}]')
            self.assertEqual(self.bystander.call("ping", timeout=10), "pong")
            answers = 0
            ws.settimeout(10)
            while answers < 5_000:
                if ws.recv().startswith("43"):
                    answers += 1
        self.assertEqual(answers, 5_000)

    def test_connect_flood(self):
        clients, errors = [], []

        def connect():
            client = socketio.Client(reconnection=False)
            try:
                client.connect(self.server.url, transports=["websocket"], wait_timeout=10)
                clients.append(client)
            except Exception as exc:  # noqa: BLE001 - counted below
                errors.append(exc)

        threads = [threading.Thread(target=connect) for _ in range(150)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(self.bystander.call("ping", timeout=10), "pong")
        self.assertEqual(errors, [])
        for client in clients:
            client.disconnect()

    def test_unknown_namespaces_and_events(self):
        with closing(self.raw()) as ws:
            ws.send("40/nowhere,")
            self.assertEqual(json.loads(ws.recv()[len("44/nowhere,"):]),
                             {"message": "Invalid namespace"})
            ws.send('421["no such event"]')
            error = json.loads(ws.recv()[len("431"):])[0]["error"]
            self.assertEqual(error["type"], "UnknownEventError")
