"""Long-polling against a real daphne: its size limit, undecodable payloads, and what a
hostile page can make a victim's browser load (JSONP, sniffed answers)."""

from __future__ import annotations

import json
import time

import requests
import websocket

from tests.server.raw_websocket import QUICK
from tests.support import SPECS, LiveSocketIOTestCase

WIRE = {"ASYNCTION_SPEC": str(SPECS / "wire.yaml")}


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
