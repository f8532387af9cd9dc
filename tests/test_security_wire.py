"""The spec's security over each real transport, against a real daphne (every case is in
tests/test_security.py)."""

from __future__ import annotations

import base64

from tests.support import SPECS, LiveSocketIOTestCase


class SecurityTests:
    """Security over each real transport (tests/test_security.py has every case)."""

    overrides = {"ASYNCTION_SPEC": str(SPECS / "security.yaml")}

    def test_credentials_from_auth_payload_and_headers(self):
        by_token = self.connect(auth={"token": "tok-1"})
        self.assertEqual(by_token.call("security", timeout=5), {"user": "bea", "via": "bearer"})
        by_key = self.connect(headers={"X-API-Key": "key-123"})
        self.assertEqual(by_key.call("security", timeout=5)["via"], "api key")

    def test_every_source_of_credentials(self):
        basic = "Basic " + base64.b64encode(b"ann:s3cret").decode()
        sources = {
            "basic header": {"headers": {"Authorization": basic}},
            "basic auth payload": {"auth": {"username": "ann", "password": "s3cret"}},
            "bearer header": {"headers": {"Authorization": "Bearer tok-1"}},
            "query": {"query": "api_key=key-123"},
            "cookie": {"headers": {"Cookie": "api_cookie=key-123"}},
            "api key in auth payload": {"auth": {"api_key": "key-123"}},
        }
        for source, kwargs in sources.items():
            with self.subTest(source):
                client = self.connect(**kwargs)
                self.assertIn("via", client.call("security", timeout=5))
                client.disconnect()

    def test_and_optional_override_and_per_event_security(self):
        both = self.connect(["/both"], auth={"token": "tok-1"},
                            headers={"X-API-Key": "key-123"})
        self.assertEqual(both.call("security", namespace="/both", timeout=5)["via"], "api key")
        both.disconnect()
        self.assertEqual(self.refusal("/both", auth={"token": "tok-1"}),
                         {"message": "Unauthorized"})
        self.assertEqual(self.refusal("/both", auth={"username": "ann", "password": "s3cret"}),
                         {"message": "Unauthorized"})
        anonymous = self.connect(["/events"])
        self.assertEqual(anonymous.call("security", namespace="/events", timeout=5)["error"]
                         ["type"], "Unauthorized")
        self.assertEqual(anonymous.call("security", namespace="/events", timeout=5)["error"]
                         ["type"], "Unauthorized")

    def test_malformed_credentials_and_the_error_handler_cannot_accept(self):
        for header in ("Token tok-1", "Basic !!!", "Basic " + base64.b64encode(b"ann:").decode()):
            with self.subTest(header):
                self.assertEqual(self.refusal(headers={"Authorization": header}),
                                 {"message": "Unauthorized"})
        # "/" has an error handler that returns a truthy value: still refused.
        self.assertEqual(self.refusal(), {"message": "Unauthorized"})

    def test_refusal_says_only_unauthorized(self):
        self.assertEqual(self.refusal(auth={"token": "wrong"}), {"message": "Unauthorized"})
        self.assertEqual(self.refusal("/scoped", auth={"token": "partial"}),
                         {"message": "Forbidden"})


class WebsocketSecurityTests(SecurityTests, LiveSocketIOTestCase):
    transport = "websocket"


class PollingSecurityTests(SecurityTests, LiveSocketIOTestCase):
    transport = "polling"
