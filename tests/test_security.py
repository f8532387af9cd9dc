"""The spec's security, enforced at connect time, through the real protocol (in-process)."""

from __future__ import annotations

import base64

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import SimpleTestCase, override_settings

from asynction_django.building import build
from asynction_django.conf import AsynctionSettings
from asynction_django.testing import ConnectionRefused, SocketIOTestCase
from tests.support import SPECS

SPEC = SPECS / "security.yaml"
UNAUTHORIZED = {"message": "Unauthorized"}


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@override_settings(ASYNCTION_SPEC=SPEC)
class ConnectSecurityTests(SocketIOTestCase):
    def info(self, namespace="/", **kwargs):
        client = self.socketio_client(namespace, **kwargs)
        return client.call("security", namespace=namespace)

    def refused(self, namespace="/", **kwargs):
        with self.assertRaises(ConnectionRefused) as caught:
            self.socketio_client(namespace, **kwargs)
        return caught.exception.data

    def test_each_scheme_from_each_source(self):
        accepted = {
            "basic header": {"headers": {"Authorization": basic("ann", "s3cret")}},
            "basic auth payload": {"auth": {"username": "ann", "password": "s3cret"}},
            "bearer header": {"headers": {"Authorization": "Bearer tok-1"}},
            "bearer auth payload": {"auth": {"token": "tok-1"}},
            "api key in query": {"query": {"api_key": "key-123"}},
            "api key in header": {"headers": {"X-API-Key": "key-123"}},
            "api key in cookie": {"cookies": {"api_cookie": "key-123"}},
            "api key in auth payload": {"auth": {"api_key": "key-123"}},
        }
        for case, kwargs in accepted.items():
            with self.subTest(case):
                self.assertIn("via", self.info(**kwargs))

    def test_api_key_in_user_open_id_connect_and_django_basic(self):
        self.assertEqual(self.info("/more", headers={"Authorization": basic("key-123", "x")}),
                         {"via": "api key", "key_ok": True})
        self.assertEqual(self.info("/more", auth={"token": "partial"})["user"], "oli")
        get_user_model().objects.create_user("gil", password="pw-123456")
        client = self.socketio_client("/more", auth={"username": "gil", "password": "pw-123456"})
        self.assertEqual(client.call("whoami", namespace="/more"), "gil")
        self.assertEqual(self.refused("/more", auth={"username": "gil", "password": "nope"}),
                         UNAUTHORIZED)

    def test_security_info_reaches_handlers(self):
        self.assertEqual(self.info(auth={"token": "tok-1"}), {"user": "bea", "via": "bearer"})

    def test_failures_and_malformed_credentials_are_refusals_not_crashes(self):
        refused = {
            "no credentials": {},
            "wrong password": {"headers": {"Authorization": basic("ann", "nope")}},
            "empty password": {"headers": {"Authorization": basic("ann", "")}},
            "bad base64": {"headers": {"Authorization": "Basic !!!not-base64"}},
            "no colon": {"headers": {"Authorization": "Basic " + base64.b64encode(b"x").decode()}},
            "unknown scheme": {"headers": {"Authorization": "Token tok-1"}},
            "empty bearer": {"headers": {"Authorization": "Bearer "}},
            "wrong key": {"query": {"api_key": "key-999"}},
            "info function raises": {"auth": {"token": "boom"}},
        }
        for case, kwargs in refused.items():
            with self.subTest(case):
                self.assertEqual(self.refused(**kwargs), UNAUTHORIZED)
        # The server still serves.
        self.assertIn("via", self.info(auth={"token": "tok-1"}))

    def test_an_error_handler_cannot_accept_a_refused_connection(self):
        # Namespace "/" has an error handler that returns a truthy value.
        self.assertEqual(self.refused(), UNAUTHORIZED)

    def test_requirements_are_and_within_and_or_across(self):
        both = {"auth": {"token": "tok-1"}, "headers": {"X-API-Key": "key-123"}}
        self.assertEqual(self.info("/both", **both)["via"], "api key")
        self.assertEqual(self.refused("/both", auth={"token": "tok-1"}), UNAUTHORIZED)
        self.assertEqual(self.refused("/both", headers={"X-API-Key": "key-123"}), UNAUTHORIZED)

    def test_channel_x_security_replaces_server_security(self):
        # Basic satisfies the server's requirements, not /both's.
        self.assertEqual(self.refused("/both", auth={"username": "ann", "password": "s3cret"}),
                         UNAUTHORIZED)

    def test_an_empty_requirement_makes_auth_optional(self):
        self.assertEqual(self.info("/optional"), {})
        self.assertEqual(self.info("/optional", auth={"token": "tok-1"})["via"], "bearer")

    def test_oauth2_scopes_in_any_order_and_forbidden_without_them(self):
        self.assertEqual(self.info("/scoped", auth={"token": "full"})["scopes"],
                         ["write", "read"])
        self.assertEqual(self.refused("/scoped", auth={"token": "partial"}),
                         {"message": "Forbidden"})
        self.assertEqual(self.refused("/scoped", auth={"token": "unknown"}), UNAUTHORIZED)

    def test_scope_claims_of_any_type_are_answered_on_the_wire(self):
        self.assertEqual(self.info("/scoped", auth={"token": "spaced"})["scopes"], "read write")
        for token in ("null", "number", "true", "object", "mixed"):
            with self.subTest(scope_claim=token):
                self.assertEqual(self.refused("/scoped", auth={"token": token}),
                                 {"message": "Forbidden"})
        self.assertIn("via", self.info(auth={"token": "tok-1"}))  # and the server serves on

    def test_operation_security_guards_its_events_and_keeps_the_connection(self):
        anonymous = self.socketio_client("/events")
        reply = anonymous.call("security", namespace="/events")
        self.assertEqual(reply, {"error": {"type": "Unauthorized", "message": "Unauthorized",
                                           "errors": []}})
        reader = self.socketio_client("/events", auth={"token": "partial"})
        self.assertEqual(reader.call("security", namespace="/events")["error"]["type"],
                         "Forbidden")
        writer = self.socketio_client("/events", auth={"token": "full"})
        self.assertEqual(writer.call("security", namespace="/events"), {})
        self.assertEqual(anonymous.disconnected, {})
        self.assertEqual(anonymous.call("security", namespace="/events")["error"]["type"],
                         "Unauthorized")

    def test_django_session_user_and_permissions(self):
        users = get_user_model()
        plain = users.objects.create_user("plain", password="pw-123456")
        viewer = users.objects.create_user("viewer", password="pw-123456")
        viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
        self.assertEqual(self.refused("/staff"), UNAUTHORIZED)
        self.assertEqual(self.refused("/staff", user=plain), {"message": "Forbidden"})
        self.socketio_client("/staff", user=viewer)


class SchemeProblemTests(SimpleTestCase):
    def build(self, scheme):
        return build(AsynctionSettings(SPEC={
            "asyncapi": "2.6.0", "info": {"title": "t", "version": "1"},
            "servers": {"s": {"url": "h", "protocol": "ws", "security": [{"x": []}]}},
            "channels": {"/": {}},
            "components": {"securitySchemes": {"x": scheme}}}))

    def test_schemes_the_server_cannot_enforce_stop_start_up(self):
        cases = {
            "X509": {"type": "X509"},
            "http digest": {"type": "http", "scheme": "digest"},
            "no info function": {"type": "http", "scheme": "bearer"},
            "bad api key location": {"type": "httpApiKey", "in": "body", "name": "k",
                                     "x-apiKeyInfoFunc": "tests.security_handlers.api_key_info"},
            "info function missing": {"type": "http", "scheme": "bearer",
                                      "x-bearerInfoFunc": "tests.nope.info"},
        }
        for case, scheme in cases.items():
            with self.subTest(case):
                problems = self.build(scheme).spec_problems
                self.assertEqual(len(problems), 1, problems)
                self.assertEqual(problems[0].pointer, "/components/securitySchemes/x")
