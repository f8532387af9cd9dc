"""A hostile client against a real daphne: broken packets end their own connection at
once, every bound holds, and the Engine.IO protocol is answered as the official suites
expect. Every wait is bounded; no test depends on a quiet period."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import requests
import websocket

from .live import LiveSocketIOTestCase

SPECS = Path(__file__).resolve().parent / "specs"
WIRE = {"ASYNCTION_SPEC": str(SPECS / "wire.yaml")}
QUICK = 3  # seconds: "at once" for a closing connection (the ping timeout is 45 s)


def closed_within(sock: websocket.WebSocket, seconds: float = QUICK) -> bool:
    """Whether the server closes ``sock`` within ``seconds`` (frames before that skipped)."""
    deadline = time.monotonic() + seconds
    sock.settimeout(seconds)
    try:
        while time.monotonic() < deadline:
            if sock.recv() in ("", b""):
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
        return True
    except websocket.WebSocketTimeoutException:
        return False
    return False


class RawWebSocket:
    """One WebSocket to the live server, spoken frame by frame."""

    def __init__(self, port: int, query: str = ""):
        self.sock = websocket.create_connection(
            f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket{query}", timeout=QUICK)
        self.open = json.loads(self.sock.recv()[1:])

    def connect(self, namespace: str = "/") -> str:
        prefix = "" if namespace == "/" else f"{namespace},"
        self.sock.send(f"40{prefix}")
        return self.next(lambda frame: frame.startswith(f"40{prefix}"))

    def next(self, wanted, seconds: float = QUICK) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            frame = self.sock.recv()
            if isinstance(frame, str) and wanted(frame):
                return frame
        raise AssertionError("no matching frame")

    def closed_within(self, seconds: float = QUICK) -> bool:
        return closed_within(self.sock, seconds)

    def close(self) -> None:
        self.sock.close()


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


class PollingLimitsTests(LiveSocketIOTestCase):
    overrides = WIRE
    base = "/socket.io/?EIO=4&transport=polling"

    def session(self) -> str:
        opened = requests.get(f"{self.server.url}{self.base}", timeout=QUICK).text
        return json.loads(opened[1:])["sid"]

    def test_a_post_over_the_size_limit_is_answered_413_at_once(self):
        sid = self.session()
        started = time.monotonic()
        response = requests.post(f"{self.server.url}{self.base}&sid={sid}",
                                 data=b"4" + b"x" * 2_000_000, timeout=10)
        self.assertEqual(response.status_code, 413)
        self.assertLess(time.monotonic() - started, QUICK)
        self.assertEqual(requests.get(f"{self.server.url}{self.base}&sid={sid}",
                                      timeout=QUICK).status_code, 400)

    def test_an_undecodable_post_ends_the_session(self):
        sid = self.session()
        response = requests.post(f"{self.server.url}{self.base}&sid={sid}", data=b"\xff\xfe",
                                 timeout=QUICK)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(requests.get(f"{self.server.url}{self.base}&sid={sid}",
                                      timeout=QUICK).status_code, 400)


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
        time.sleep(0.6)  # ping interval + ping timeout, then some: the client never answered
        self.assertEqual(requests.get(self.url(f"&transport=polling&sid={sid}"), timeout=QUICK)
                         .status_code, 400)

    def test_a_second_pending_poll_ends_the_session(self):
        sid = self.session()
        answers: dict[str, requests.Response] = {}

        def poll(name: str, delay: float) -> None:
            time.sleep(delay)
            answers[name] = requests.get(self.url(f"&transport=polling&sid={sid}&t={name}"),
                                         timeout=QUICK)

        polls = [threading.Thread(target=poll, args=(name, delay))
                 for name, delay in (("first", 0), ("second", 0.005))]
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
        for delay in (0.02, 0.05, 0.1, 0.2):  # until the poll is pending when CLOSE comes
            sid = self.session()
            first: list[requests.Response] = []
            poll = threading.Thread(target=lambda sid=sid, first=first: first.append(
                requests.get(self.url(f"&transport=polling&sid={sid}"), timeout=QUICK)))
            poll.start()
            time.sleep(delay)
            requests.post(self.url(f"&transport=polling&sid={sid}"), data="1", timeout=QUICK)
            poll.join(QUICK)
            if first[0].status_code == 200:  # (a 400: the CLOSE came before the poll)
                break
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


class JsonpAndSniffingTests(LiveSocketIOTestCase):
    """What a hostile page can make a victim's browser load from the Socket.IO endpoint.

    A ``<script src>`` (or a style sheet, an image...) is sent with the victim's cookies
    and without ``Origin``, so the origin check cannot refuse it: JSONP would hand the
    page the sid of a session authenticated with those cookies, and a payload a browser
    sniffs as script or HTML would run as such."""

    overrides = WIRE
    database = True  # the victim's session is a real, logged-in one
    base = "/socket.io/?EIO=4&transport=polling"

    def url(self, query: str = "") -> str:
        return f"{self.server.url}{self.base}{query}"

    def victim(self) -> dict[str, str]:
        """What ``<script src>`` sends: the victim's session cookie, and no Origin."""
        key = self.server.run_python(
            "from django.contrib.auth import get_user_model, login\n"
            "from django.contrib.sessions.backends.db import SessionStore\n"
            "from django.http import HttpRequest\n"
            "request = HttpRequest()\n"
            "request.session = SessionStore()\n"
            "login(request, get_user_model().objects.create_user('victim'),\n"
            "      backend='django.contrib.auth.backends.ModelBackend')\n"
            "request.session.save()\n"
            "print(request.session.session_key)\n").strip()
        return {"Cookie": f"sessionid={key}"}

    def session(self) -> str:
        opened = requests.get(self.url(), timeout=QUICK).text
        return json.loads(opened[1:])["sid"]

    def test_jsonp_is_refused_on_the_handshake_polls_and_posts(self):
        victim = self.victim()
        client = self.connect(headers=victim)  # the cookie is a logged-in session's
        self.assertEqual(client.call("whoami", timeout=5), "victim")
        for index in ("0", "", "x"):  # python-engineio serves the first, and treats the
            with self.subTest(handshake=index):  # blank one as no JSONP at all
                answer = requests.get(self.url(f"&j={index}"), headers=victim, timeout=QUICK)
                self.assertEqual(answer.status_code, 400)
                self.assertNotIn("sid", answer.text)
        sid = self.session()
        poll = requests.get(self.url(f"&sid={sid}&j=0"), headers=victim, timeout=QUICK)
        self.assertEqual(poll.status_code, 400)
        post = requests.post(self.url(f"&sid={sid}&j=0"), data="d=40", timeout=QUICK)
        self.assertEqual(post.status_code, 400)
        with self.assertRaises(websocket.WebSocketBadStatusException):
            websocket.create_connection(
                f"ws://127.0.0.1:{self.server.port}/socket.io/?EIO=4&transport=websocket&j=0",
                timeout=QUICK)
        # The refused requests left the session as it was: it still joins a namespace.
        self.assertEqual(requests.post(self.url(f"&sid={sid}"), data="40", timeout=QUICK)
                         .status_code, 200)
        self.assertTrue(requests.get(self.url(f"&sid={sid}"), timeout=QUICK)
                        .text.startswith("40{"))

    def test_every_long_polling_answer_forbids_sniffing(self):
        answers: dict[str, tuple[int, requests.Response]] = {}
        answers["handshake"] = 200, requests.get(self.url(), timeout=QUICK)
        sid = json.loads(answers["handshake"][1].text[1:])["sid"]
        answers["POST"] = 200, requests.post(self.url(f"&sid={sid}"), data="40", timeout=QUICK)
        answers["poll"] = 200, requests.get(self.url(f"&sid={sid}"), timeout=QUICK)
        answers["preflight"] = 200, requests.options(self.url(), timeout=QUICK)
        answers["unknown sid (python-engineio's 400)"] = 400, requests.get(
            self.url("&sid=unknown"), timeout=QUICK)
        answers["no transport (engine.py's 400)"] = 400, requests.get(
            f"{self.server.url}/socket.io/?EIO=4", timeout=QUICK)
        answers["JSONP (engine.py's 400)"] = 400, requests.get(self.url("&j=0"), timeout=QUICK)
        answers["too large (engine.py's 413)"] = 413, requests.post(
            self.url(f"&sid={sid}"), data=b"4" + b"x" * 1_100_000, timeout=10)
        for kind, (status, answer) in answers.items():
            with self.subTest(kind):
                self.assertEqual(answer.status_code, status)
                self.assertEqual(answer.headers.get("X-Content-Type-Options"), "nosniff")
