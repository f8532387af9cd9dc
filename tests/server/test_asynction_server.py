"""The spec-aware server against a real daphne: past ``ASYNCTION_MAX_EVENTS_IN_FLIGHT`` it
stops reading that connection, and serves the others."""

from __future__ import annotations

from tests.server.raw_websocket import RawWebSocket
from tests.support import SPECS, LiveSocketIOTestCase

WIRE = {"ASYNCTION_SPEC": str(SPECS / "wire.yaml")}


class BackpressureTests(LiveSocketIOTestCase):
    """ASYNCTION_MAX_EVENTS_IN_FLIGHT: past it, the server stops reading that connection."""

    overrides = {**WIRE, "ASYNCTION_MAX_EVENTS_IN_FLIGHT": 2, "ASYNCTION_HANDLER_TIMEOUT": 3}

    def test_a_full_connection_waits_while_others_are_served(self):
        raw = RawWebSocket(self.server.port)
        self.addCleanup(raw.close)
        raw.connect()
        raw.sock.send('421["hang"]')
        raw.sock.send('422["hang"]')
        raw.sock.send('423["echo",{"text":"third"}]')  # no slot: not read until one frees
        other = self.connect()  # answered while the first client's handlers still hang:
        self.assertEqual(other.call("echo", {"text": "other"}, timeout=2), "other")
        raw.sock.settimeout(5)
        answers = [raw.next(lambda frame: frame.startswith("43"), 5) for _ in range(3)]
        self.assertIn("HandlerTimeout", answers[0])
        self.assertEqual(answers[2], '433["third"]')  # after a slot freed, nothing lost
