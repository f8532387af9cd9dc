"""Logs that are safe in production: no client data in them under daphne, packets only on
request (their CONNECT auth redacted), and no flood from a client or an outage."""

from __future__ import annotations

import logging
import time
from unittest import mock

from django.test import SimpleTestCase

from asynction_django import logs
from asynction_django.logs import RepeatFilter, ServerLogger, redact_packet
from tests.support import LiveSocketIOTestCase

SECRETS = {"auth": "auth-secret-7f3a", "header": "header-secret-91c2",
           "cookie": "cookie-secret-5d0e", "payload": "payload-secret-c4b8"}


class QuietLogsTests(LiveSocketIOTestCase):
    """Django's default logging under daphne (root at INFO): no client data logged."""

    overrides = {"LOGGING": {"version": 1, "disable_existing_loggers": False}}
    database = True  # the session cookie is looked up
    packets_logged = False

    def test_no_auth_header_cookie_or_payload_reaches_the_log(self):
        for transport in ("websocket", "polling"):
            client = self.connect(transport=transport, auth={"token": SECRETS["auth"]},
                                  headers={"X-Api-Key": SECRETS["header"],
                                           "Cookie": f"sessionid={SECRETS['cookie']}"})
            self.assertEqual(client.call("echo", {"text": SECRETS["payload"]}, timeout=5),
                             SECRETS["payload"])
            client.disconnect()
        log = self.server.log()
        for name, secret in SECRETS.items():
            if name == "payload" and self.packets_logged:
                self.assertIn(secret, log)  # what the switch is for
            else:
                self.assertNotIn(secret, log, f"the {name} was logged")


class PacketLogsTests(QuietLogsTests):
    """ASYNCTION_LOG_PACKETS: packets are logged, CONNECT auth redacted."""

    overrides = {**QuietLogsTests.overrides, "ASYNCTION_LOG_PACKETS": True}
    packets_logged = True

    def test_connect_auth_is_redacted(self):
        self.connect(auth={"token": SECRETS["auth"]}).disconnect()
        self.assertIn("<auth redacted>", self.server.log())


class ServerLoggerTests(SimpleTestCase):
    def setUp(self):
        self.records: list[logging.LogRecord] = []
        self.logger = logging.getLogger("asynction_django.tests.server_logger")
        self.logger.propagate = False
        self.logger.setLevel(logging.DEBUG)
        handler = logging.Handler()
        handler.emit = self.records.append
        self.logger.addHandler(handler)
        self.addCleanup(self.logger.removeHandler, handler)

    def test_packet_chatter_is_dropped_by_default(self):
        ServerLogger(self.logger).info("%s: Received packet %s data %s", "sid", "MESSAGE", "2x")
        self.assertEqual(self.records, [])

    def test_client_triggered_warnings_are_rate_limited(self):
        log = ServerLogger(self.logger)
        with mock.patch.object(log.repeats, "clock", return_value=10.0) as now:
            for sid in ("a", "b", "c"):
                log.warning("Cannot send to sid %s", sid)
            now.return_value = 71.0
            log.warning("Cannot send to sid %s", "d")
        self.assertEqual([record.getMessage() for record in self.records], [
            "Cannot send to sid a",
            "Cannot send to sid d (2 more like this since the last report)"])

    def test_connect_auth_is_redacted_in_every_connect_packet(self):
        self.assertEqual(redact_packet('0{"token":"x"}'), "0<auth redacted>")
        self.assertEqual(redact_packet('0/chat,{"token":"x"}'), "0/chat,<auth redacted>")
        self.assertEqual(redact_packet('2["send",{"a":1}]'), '2["send",{"a":1}]')
        self.assertEqual(redact_packet("0"), "0")
        self.assertEqual(redact_packet(b"\x00binary"), b"\x00binary")


class RepeatFilterTests(SimpleTestCase):
    def test_the_kinds_it_remembers_are_bounded(self):
        repeats = RepeatFilter()
        for number in range(5_000):  # messages without arguments, each a kind of its own
            repeats.admit(f"Invalid session {'x' * (number % 7)}-{chr(0x4e00 + number)}", False)
        self.assertLessEqual(len(repeats._seen), logs.MAX_KINDS)

    def test_an_outage_is_logged_once_then_at_most_every_interval(self):
        logger = logging.getLogger("asynction_django.tests.outage")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        self.addCleanup(setattr, logger, "propagate", True)
        records = []
        handler = logging.Handler()
        handler.emit = records.append
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        log_filter = RepeatFilter(every=60, first_note="the broker is unreachable")
        logger.addFilter(log_filter)
        self.addCleanup(logger.removeFilter, log_filter)
        with mock.patch.object(log_filter, "clock", return_value=100.0) as now:
            for seconds in (1, 2, 4, 8):
                logger.error(f"Cannot receive from redis... retrying in {seconds} secs")
            logger.error("Cannot publish to redis... giving up")
            logger.info("asyncpubsub backend initialized.")
            now.return_value = 161.0
            logger.error("Cannot receive from redis... retrying in 16 secs")
        messages = [record.getMessage() for record in records]
        self.assertEqual(messages, [
            "Cannot receive from redis... retrying in 1 secs (the broker is unreachable)",
            "Cannot publish to redis... giving up (the broker is unreachable)",
            "asyncpubsub backend initialized.",
            "Cannot receive from redis... retrying in 16 secs "
            "(3 more like this since the last report)",
        ])


class UndecodableFrameLogTests(LiveSocketIOTestCase):
    """A client sending garbage cannot fill the log: one line, no traceback."""

    overrides = {"LOGGING": {"version": 1, "disable_existing_loggers": False}}

    def test_repeated_garbage_is_logged_once_without_traceback(self):
        import websocket

        for _ in range(5):
            sock = websocket.create_connection(
                f"ws://127.0.0.1:{self.server.port}/socket.io/?EIO=4&transport=websocket",
                timeout=5)
            sock.recv()  # OPEN
            sock.send("x-not-engineio")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    sock.recv()
                except Exception:  # noqa: BLE001 - closed by the server, as wanted
                    break
            sock.close()
        log = self.server.log()
        self.assertEqual(log.count("not an Engine.IO packet"), 1, log)
        self.assertNotIn("Traceback", log)
