"""The Engine.IO protocol, answered as the official suites expect (where python-engineio
does not), against a real daphne. Every wait is bounded; no test depends on a quiet
period."""

from __future__ import annotations

import json
import threading
import time

import requests
import websocket

from tests.server.raw_websocket import QUICK, closed_within
from tests.support import SPECS, LiveSocketIOTestCase, wait_until

WIRE = {"ASYNCTION_SPEC": str(SPECS / "wire.yaml")}


class EngineIOProtocolTests(LiveSocketIOTestCase):
    """The Engine.IO answers python-engineio gets wrong and the official suite checks."""

    overrides = {**WIRE, "ASYNCTION_SOCKETIO": {"ping_interval": 0.3, "ping_timeout": 0.2}}
    base = "/socket.io/?EIO=4"

    def url(self, query: str = "") -> str:
        return f"{self.server.url}{self.base}{query}"

    def session(self) -> str:
        return json.loads(requests.get(self.url("&transport=polling"), timeout=QUICK)
                          .text[1:])["sid"]

    def test_handshake_keeps_a_fractional_ping_interval(self):
        opened = json.loads(requests.get(self.url("&transport=polling"), timeout=QUICK).text[1:])
        self.assertEqual((opened["pingInterval"], opened["pingTimeout"]), (300, 200))

    def test_a_websocket_that_stops_answering_pings_is_closed(self):
        silent = websocket.create_connection(
            f"ws://127.0.0.1:{self.server.port}{self.base}&transport=websocket", timeout=QUICK)
        self.addCleanup(silent.close)
        self.assertTrue(silent.recv().startswith("0"))
        self.assertTrue(closed_within(silent))  # pings go unanswered: 0.3 s + 0.2 s, then closed

    def test_a_missing_transport_or_another_method_is_a_400(self):
        self.assertEqual(requests.get(self.url(), timeout=QUICK).status_code, 400)
        self.assertEqual(requests.put(self.url("&transport=polling"), timeout=QUICK)
                         .status_code, 400)
        self.assertEqual(requests.post(self.url("&transport=polling"), timeout=QUICK)
                         .status_code, 400)

    def test_a_poll_after_the_ping_timeout_is_a_400(self):
        sid = self.session()
        poll = self.url(f"&transport=polling&sid={sid}")
        # The client never answers the ping (0.3 s in), so 0.2 s later its time is up: the
        # polls before are answered (the ping, then the CLOSE), the first one after is a 400.
        wait_until(lambda: requests.get(poll, timeout=QUICK).status_code == 400,
                   "a poll after the ping timeout answered 400", QUICK)

    def test_a_second_pending_poll_ends_the_session(self):
        sid = self.session()
        answers: dict[str, requests.Response] = {}

        def poll(name: str) -> None:
            answers[name] = requests.get(self.url(f"&transport=polling&sid={sid}&t={name}"),
                                         timeout=QUICK)

        # Sent together: whichever the server reads second finds the other pending (nothing
        # answers a poll before the first ping, 0.3 s in), so their order decides nothing.
        polls = [threading.Thread(target=poll, args=(name,)) for name in ("first", "second")]
        for thread in polls:
            thread.start()
        for thread in polls:
            thread.join(QUICK)
        outcomes = sorted((answer.status_code, answer.text) for answer in answers.values())
        self.assertEqual(outcomes[0], (200, "1"))  # the pending poll gets CLOSE
        self.assertEqual(outcomes[1][0], 400)
        self.assertEqual(requests.get(self.url(f"&transport=polling&sid={sid}"), timeout=QUICK)
                         .status_code, 400)

    def test_a_close_packet_answers_the_pending_poll_at_once(self):
        # Nothing tells a client that its poll has reached the server, so CLOSE is posted a
        # little after it, and the attempt is made again, the poll given longer each time,
        # until one finds the poll pending: a 400 says the CLOSE came first, the ping's "2"
        # that the ping did. The pause only decides which attempt counts, never what the
        # server answers to it.
        deadline = time.monotonic() + 10
        delay = 0.02
        while True:
            sid = self.session()
            first: list[requests.Response] = []
            poll = threading.Thread(target=lambda sid=sid, first=first: first.append(
                requests.get(self.url(f"&transport=polling&sid={sid}"), timeout=QUICK)))
            poll.start()
            time.sleep(delay)
            requests.post(self.url(f"&transport=polling&sid={sid}"), data="1", timeout=QUICK)
            poll.join(QUICK)
            if first[0].status_code == 200 and first[0].text != "2":
                break
            self.assertLess(time.monotonic(), deadline, "no poll was pending when CLOSE came")
            delay = min(delay * 2, 0.2)  # below the ping interval (0.3 s)
        self.assertEqual(first[0].text, "6")

    def test_a_websocket_for_an_upgraded_session_is_accepted_then_closed(self):
        sid = self.session()
        upgraded = websocket.create_connection(
            f"ws://127.0.0.1:{self.server.port}{self.base}&transport=websocket&sid={sid}",
            timeout=QUICK)
        self.addCleanup(upgraded.close)
        upgraded.send("2probe")
        self.assertEqual(upgraded.recv(), "3probe")
        upgraded.send("5")
        again = websocket.create_connection(
            f"ws://127.0.0.1:{self.server.port}{self.base}&transport=websocket&sid={sid}",
            timeout=QUICK)  # accepted: a 403 would raise here
        self.addCleanup(again.close)
        self.assertTrue(closed_within(again))
        upgraded.send("40")  # the upgraded session is unharmed...
        frame = upgraded.recv()
        while frame == "2":  # ...apart from pings; and no stray NOOP after the upgrade
            upgraded.send("3")
            frame = upgraded.recv()
        self.assertTrue(frame.startswith("40"), frame)
