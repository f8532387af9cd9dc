"""A hostile client against a real daphne: broken Socket.IO packets end their own
connection at once, and every bound on what a client sends holds. Every wait is bounded;
no test depends on a quiet period."""

from __future__ import annotations

import json

from tests.server.raw_websocket import RawWebSocket
from tests.support import SPECS, LiveSocketIOTestCase

WIRE = {"ASYNCTION_SPEC": str(SPECS / "wire.yaml")}


class HostileClientTests(LiveSocketIOTestCase):
    overrides = WIRE

    def raw(self, query: str = "") -> RawWebSocket:
        raw = RawWebSocket(self.server.port, query)
        self.addCleanup(raw.close)
        return raw

    def assert_still_serving(self) -> None:
        client = self.connect()
        self.assertEqual(client.call("echo", {"text": "still here"}, timeout=5), "still here")

    def test_broken_socketio_packets_end_their_connection_at_once(self):
        frames = {
            "event that is an object": '42{}',
            "event that is empty": '42[]',
            "event whose name is a number": '42[1]',
            "event named as Socket.IO's own connect": '42["connect",{"HTTP_X":"forged"}]',
            "event named as Socket.IO's own disconnect": '42["disconnect","a","b","c"]',
            "not JSON": '4abc',
            "an integer of 200 digits": '42["sum",[' + "9" * 200 + ']]',
            "unknown packet type": '49',
            "CONNECT_ERROR from a client": '44{}',
            "CONNECT payload that is not an object": '40[1]',
            "binary event with no attachment": '45-["echo"]',
            "binary event with too many attachments": '4599999-["echo"]',
            "binary frame nobody announced": b"\x01\x02",
        }
        for case, frame in frames.items():
            with self.subTest(case):
                raw = self.raw()
                raw.connect()
                if isinstance(frame, bytes):
                    raw.sock.send_binary(frame)
                else:
                    raw.sock.send(frame)
                self.assertTrue(raw.closed_within(), f"{case}: the connection stayed open")
        self.assertNotIn("Traceback", self.server.log())
        self.assert_still_serving()

    def test_a_text_frame_where_an_attachment_was_announced_ends_the_connection(self):
        raw = self.raw()
        raw.connect()
        raw.sock.send('451-["echo",{"_placeholder":true,"num":0}]')
        raw.sock.send('42["echo",{"text":"smuggled"}]')
        self.assertTrue(raw.closed_within())

    def test_attachments_over_the_size_limit_end_the_connection(self):
        raw = self.raw()
        raw.connect()
        raw.sock.send('452-["echo",{"_placeholder":true,"num":0},'
                      '{"_placeholder":true,"num":1}]')
        raw.sock.send_binary(b"x" * 600_000)
        raw.sock.send_binary(b"x" * 600_000)  # 1.2 MB in all, over the 1 MB default
        self.assertTrue(raw.closed_within())

    def test_an_unknown_event_with_a_huge_name_gets_a_small_error_ack(self):
        raw = self.raw()
        raw.connect()
        raw.sock.send('421["' + "n" * 500_000 + '"]')
        ack = raw.next(lambda frame: frame.startswith("431"))
        self.assertIn("UnknownEventError", ack)
        self.assertLess(len(ack), 1_000)

    def test_a_valid_binary_event_is_still_served(self):
        raw = self.raw()
        raw.connect()
        raw.sock.send('451-0["echo",{"text":{"_placeholder":true,"num":0}}]')
        raw.sock.send_binary(b"bytes")  # validated as a string of its length
        self.assertEqual(raw.next(lambda frame: frame.startswith("46")),
                         '461-0[{"_placeholder":true,"num":0}]')
        self.assertEqual(raw.sock.recv(), b"bytes")

    def test_undecodable_engineio_frames_and_close_packets_end_the_connection_at_once(self):
        for frame in ("abc", "", "9", "1"):
            with self.subTest(frame=frame):
                raw = self.raw()
                raw.connect()
                raw.sock.send(frame)
                self.assertTrue(raw.closed_within())
        self.assert_still_serving()

    def test_error_acks_stay_small_whatever_the_value(self):
        raw = self.raw()
        raw.connect()
        numbers = json.dumps(["xx"] * 150_000)  # 150,000 errors; about 900 kB on the wire
        raw.sock.send(f'421["sum",{numbers}]')
        raw.sock.settimeout(30)  # a 900 kB array to validate: slow on a busy machine, not lost
        ack = json.loads(raw.next(lambda frame: frame.startswith("431"), 30)[3:])[0]
        self.assertEqual(ack["error"]["type"], "PayloadValidationError")
        self.assertLessEqual(len(ack["error"]["errors"]), 10)
        self.assertLess(len(json.dumps(ack)), 5_000)
        raw.sock.send('422["echo",{"text":"after"}]')
        self.assertEqual(raw.next(lambda frame: frame.startswith("432")), '432["after"]')
