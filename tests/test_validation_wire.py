"""Handshakes validated against a real daphne on both transports, emits validated before
they are sent, and ``ASYNCTION_VALIDATION`` off."""

from __future__ import annotations

import json

import requests

from tests.support import SPECS, LiveSocketIOTestCase

HANDSHAKE = {"ASYNCTION_SPEC": str(SPECS / "handshake.yaml"), "ASYNCTION_SERVER": "internal"}
VERSION = {"X-Client-Version": "12"}


class HandshakeTests:
    overrides = HANDSHAKE

    def test_valid_query_and_headers_connect_despite_engineio_parameters(self):
        client = self.connect(["/strict"], query="token=abcd", headers={"x-client-version": "1"})
        self.assertEqual(client.call("whoami", namespace="/strict", timeout=5), "")

    def test_missing_query_parameter_refuses_with_details(self):
        data = self.refusal("/strict", headers=VERSION)
        self.assertEqual(data["message"], "the handshake does not match the channel bindings")
        self.assertEqual(data["data"]["type"], "HandshakeValidationError")
        error = data["data"]["errors"][0]
        self.assertEqual(error["pointer"], "/query")
        self.assertIn('"token" is a required property', error["message"])

    def test_unexpected_query_parameter_refuses(self):
        data = self.refusal("/strict", query="token=abcd&extra=1", headers=VERSION)
        self.assertEqual(data["data"]["errors"][0]["keyword"], "additionalProperties")

    def test_headers_are_checked_case_insensitively(self):
        data = self.refusal("/strict", query="token=abcd", headers={"X-CLIENT-VERSION": "v1"})
        self.assertEqual(data["data"]["errors"][0]["pointer"], "/headers/x-client-version")

    def test_emit_from_a_sync_view_is_validated_before_sending(self):
        news = []
        client = self.connect()
        client.on("news", news.append)
        ok = requests.get(f"{self.server.url}/emit/",
                          params={"event": "news", "data": json.dumps({"text": "from a view"})},
                          timeout=5)
        self.assertEqual(ok.json(), {"sent": True})
        bad = requests.get(f"{self.server.url}/emit/",
                           params={"event": "news", "data": json.dumps({"text": 1})}, timeout=5)
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["error"]["type"], "PayloadValidationError")
        unknown = requests.get(f"{self.server.url}/emit/",
                               params={"event": "nope", "data": "{}"}, timeout=5)
        self.assertEqual(unknown.json()["error"]["type"], "UnknownEventError")
        client.call("raw", 1, timeout=5)  # any event sent after the view emitted lands later
        self.assertEqual(news, [{"text": "from a view"}])


class WebsocketHandshakeTests(HandshakeTests, LiveSocketIOTestCase):
    transport = "websocket"


class PollingHandshakeTests(HandshakeTests, LiveSocketIOTestCase):
    transport = "polling"


class ValidationOffTests(LiveSocketIOTestCase):
    overrides = {**HANDSHAKE, "ASYNCTION_VALIDATION": False}

    def test_invalid_payloads_reach_handlers_and_handshakes_pass(self):
        client = self.connect(["/", "/strict"])
        self.assertEqual(client.call("raw", "not an integer", timeout=5), "not an integer")
        self.assertEqual(client.call("whoami", namespace="/strict", timeout=5), "")
