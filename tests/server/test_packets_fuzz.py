"""Nothing a client sends breaks the server: generated garbage over the real framing.

In-process, frames go straight to the ASGI application (Channels' WebsocketCommunicator);
tests/server/test_packets_fuzz_live.py sends what only a real socket can (invalid UTF-8,
oversized frames, floods) to a real daphne. After every frame: the application has not
raised, nothing it sent back carries a traceback or an internal path, and a well-behaved
client still works.
"""

from __future__ import annotations

import asyncio
import json

from channels.testing import WebsocketCommunicator
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TransactionTestCase

from asynction_django.asgi import SocketIORouter, socketio_asgi_app
from asynction_django.testing import LoopThread, SocketIOTestMixin
from tests.support import SPECS

WIRE = SPECS / "wire.yaml"
LEAKS = ("Traceback", 'File "', "/site-packages/", "asynction_django/", "Error at 0x")
FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=5),
    max_leaves=20,
)
EVENTS = st.sampled_from(["echo", "sum", "pair", "ping", "boom", "nope", "", "connect",
                          "disconnect", "message", "__proto__"])
NAMESPACES = st.sampled_from(["", "/handled,", "/nowhere,", "/,", "//,", "/ä,"])
SOCKETIO_FRAMES = st.one_of(
    # Well-formed EVENT frames with any arguments, any ack id, any namespace.
    st.builds(lambda ns, ack, event, args: f"42{ns}{ack}{json.dumps([event, *args])}",
              NAMESPACES, st.sampled_from(["", "1", "99999999999999999999", "-1"]), EVENTS,
              st.lists(JSON, max_size=3)),
    # Any Socket.IO packet type, with any text after it.
    st.builds(lambda kind, rest: f"4{kind}{rest}", st.sampled_from("0123456789"), st.text()),
    # Any Engine.IO packet type.
    st.builds(lambda kind, rest: f"{kind}{rest}", st.sampled_from("0123456789b"), st.text()),
    st.text(),
)


MARKER = "/settled"  # a namespace the spec does not have


class RawConnection:
    """One websocket to the application, spoken to frame by frame."""

    def __init__(self):
        self.communicator = WebsocketCommunicator(
            SocketIORouter(socketio_asgi_app()), "/socket.io/?EIO=4&transport=websocket",
            headers=[(b"host", b"testserver"), (b"upgrade", b"websocket"),
                     (b"connection", b"Upgrade")])
        self.received: list[str] = []
        self.closed = False

    async def open(self) -> None:
        connected, _ = await self.communicator.connect()
        assert connected
        assert (await self.next_text()).startswith("0")
        await self.communicator.send_to(text_data="40")
        assert (await self.next_text()).startswith("40")
        await self.until(lambda frame: "welcome" in frame)  # what the connect handler emits

    async def next_text(self) -> str:
        # python-engineio sends {"text": ..., "bytes": None}; Channels' receive_from()
        # insists on one key only, so read the ASGI message itself.
        return (await self.communicator.receive_output(5))["text"]

    async def send(self, text: str | None = None, data: bytes | None = None) -> None:
        message = {"type": "websocket.receive", "text": text} if data is None else {
            "type": "websocket.receive", "bytes": data}
        await self.communicator.send_input(message)

    async def until(self, done, timeout: float = 10) -> list[str]:
        """The frames the application sends until one makes ``done`` true (that one
        included), or it closes the connection; a timeout fails the test."""
        frames = []
        while not self.closed:
            message = await self.communicator.receive_output(timeout)
            if message["type"] == "websocket.close":
                self.closed = True
                break
            frame = message.get("text") or repr(message.get("bytes"))
            frames.append(frame)
            if done(frame):
                break
        self.received += frames
        return frames

    async def settle(self) -> list[str]:
        """The frames sent back until the server answered a marker sent after them.

        The marker is a CONNECT to a namespace the spec does not have: the server answers
        it at once, in order, whatever state the connection is in. What earlier frames
        cause comes first, except an event handler's ack that a slower handler sends later
        (it is checked then).
        """
        await self.send(f"40{MARKER},")
        frames = await self.until(lambda frame: frame.startswith(f"44{MARKER},"))
        return [frame for frame in frames if not frame.startswith(f"44{MARKER},")]

    async def close(self) -> None:
        await self.communicator.disconnect()


@override_settings(ASYNCTION_SPEC=WIRE)
class FuzzTests(SocketIOTestMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        self.connection: RawConnection | None = None
        self.loop = LoopThread()  # one loop for this test's raw connections
        self.addCleanup(self.loop.stop)

    def run_async(self, coroutine, timeout: float = 60):
        return self.loop.run(coroutine, timeout)

    async def _frame(self, text: str | None = None, data: bytes | None = None) -> list[str]:
        if self.connection is None or self.connection.closed:
            self.connection = RawConnection()
            await self.connection.open()
        await self.connection.send(text, data)
        frames = await self.connection.settle()
        for frame in frames:
            for leak in LEAKS:
                self.assertNotIn(leak, frame)
        return frames

    def frame(self, text: str | None = None, data: bytes | None = None) -> list[str]:
        return self.run_async(self._frame(text, data))

    def ack(self, text: str, ack_id: int) -> str:
        """Send an event frame and return the ack the server answers it with."""
        async def send_and_wait():
            if self.connection is None or self.connection.closed:
                self.connection = RawConnection()
                await self.connection.open()
            await self.connection.send(text)
            frames = await self.connection.until(lambda f: f.startswith(f"43{ack_id}"))
            return frames[-1]

        return self.run_async(send_and_wait())

    def tearDown(self):
        if self.connection is not None:
            self.run_async(self.connection.close())
        client = self.socketio_client()  # the server still serves a well-behaved client
        self.assertEqual(client.call("ping"), "pong")
        self.assertEqual(client.call("echo", {"text": "still here"}), "still here")
        super().tearDown()

    @FUZZ
    @given(frame=SOCKETIO_FRAMES)
    def test_any_text_frame(self, frame):
        self.frame(frame)

    @FUZZ
    @given(attachments=st.lists(st.binary(max_size=64), max_size=3),
           placeholders=st.integers(0, 3), event=EVENTS)
    def test_binary_events_and_attachments(self, attachments, placeholders, event):
        args = [{"_placeholder": True, "num": number} for number in range(placeholders)]
        self.frame(f"45{placeholders}-1{json.dumps([event, *args])}")
        for attachment in attachments:
            self.frame(data=attachment)

    def test_wrong_types_get_structured_errors(self):
        for args in ([], [1], ["text"], [None], [[1, 2]], [{"text": 1}], [{}, {}]):
            answer = self.ack(f"427{json.dumps(['echo', *args])}", 7)
            error = json.loads(answer[len("437"):])[0]["error"]
            self.assertEqual(error["type"], "PayloadValidationError")

    def test_deep_nesting(self):
        # Within Python's JSON nesting limit: an error ack. Past it: the packet cannot be
        # decoded, which ends that connection (never the server).
        for depth, answered in ((100, True), (900, True), (5_000, False), (200_000, False)):
            with self.subTest(depth=depth):
                nested = "[" * depth + "]" * depth
                if answered:
                    self.assertIn('"PayloadValidationError"',
                                  self.ack(f'428["echo",{nested}]', 8))
                else:
                    frames = self.frame(f'428["echo",{nested}]')
                    self.assertEqual([frame for frame in frames if frame != "1"], [])  # CLOSE
                    self.assertTrue(self.connection.closed)

    def test_unknown_namespaces_and_events(self):
        self.assertEqual(self.frame("40/nowhere,"),
                         ['44/nowhere,{"message":"Invalid namespace"}'])
        frames = self.frame('42/nowhere,5["echo",{"text":"x"}]')
        self.assertEqual(frames, [])  # not connected there: ignored, as python-socketio does
        error = json.loads(self.ack('425["no such event"]', 5)[len("435"):])[0]["error"]
        self.assertEqual(error["type"], "UnknownEventError")

    @override_settings(ASYNCTION_RATE_LIMIT_DEFAULT=None)  # backpressure alone, not limits
    def test_event_flood_from_one_client(self):
        async def flood():
            flooder = RawConnection()
            await flooder.open()
            for number in range(2_000):
                await flooder.send(f'42{number}["echo",{{"text":"{number}"}}]')
            answers = []

            def counted(frame):
                if frame.startswith("43"):
                    answers.append(frame)
                return len(answers) == 2_000

            await flooder.until(counted, timeout=30)
            await flooder.close()
            return answers

        answers = self.run_async(flood())
        self.assertEqual(len(answers), 2_000)  # every event answered, none lost

    def test_connect_flood(self):
        async def flood():
            connections = [RawConnection() for _ in range(200)]
            await asyncio.gather(*(connection.open() for connection in connections))
            await asyncio.gather(*(connection.close() for connection in connections))

        self.run_async(flood())
