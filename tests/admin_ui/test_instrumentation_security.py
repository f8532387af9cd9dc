"""What the Socket.IO Admin UI must never give its viewers (a security audit's findings):
a transport id that lets them act as a polling client, a feed that outlives their login
or their permission, or a credential the spec happens not to declare.

Waits are on conditions, with deadlines; nothing is decided by a fixed sleep.
"""

from __future__ import annotations

import json
from importlib import import_module
from unittest import mock
from urllib.parse import urlencode

from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import LogoutView
from django.test import SimpleTestCase, override_settings
from django.urls import path
from socketio.async_admin import InstrumentedAsyncServer

from asynction_django import get_server
from asynction_django.admin_ui import instrumentation as admin_ui
from asynction_django.admin_ui.instrumentation import REDACTED, looks_secret
from asynction_django.asgi import SocketIORouter, socketio_asgi_app
from asynction_django.conf import AsynctionSettings, check_settings
from asynction_django.testing import SocketIOTestCase
from asynction_django.testing.client import session_cookie
from tests.admin_ui_handlers import SPEC
from tests.support import WAIT, wait_until

urlpatterns = [path("logout/", LogoutView.as_view(next_page="/"))]
SECRETS = ("k-secret-1", "csrf-secret-2", "tok-secret-3", "auth-secret-4")


def feed(admin) -> list:
    """Everything an admin client received, without taking it from its inbox."""
    return [(each.namespace, each.name, each.args) for each in list(admin.async_client.events)]


def sockets_in(admin, where) -> list[dict]:
    """The sockets the feed described so far (``socket_connected`` or ``all_sockets``)."""
    found = []
    for _, name, args in feed(admin):
        described = args[0] if name == "all_sockets" else [args[0]] if (
            name == "socket_connected") else []
        found += [each for each in described if where(each)]
    return found


class PollingClient:
    """An Engine.IO polling client, as an attacker's ``curl`` would be: no cookie, just
    requests naming a sid, on the test's server loop."""

    def __init__(self, test: SocketIOTestCase):
        self.loop = test._socketio_loop  # where the server and the admin clients run
        self.application = SocketIORouter(socketio_asgi_app())

    def request(self, method: str, sid: str | None = None, body: str = "") -> tuple[int, str]:
        query = {"EIO": "4", "transport": "polling", **({"sid": sid} if sid else {})}
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": "/socket.io/",
            "raw_path": b"/socket.io/", "query_string": urlencode(query).encode(),
            "root_path": "", "client": ("127.0.0.1", 50001), "server": ("testserver", 80),
            "headers": [(b"host", b"testserver"), (b"content-type", b"text/plain"),
                        (b"content-length", str(len(body.encode())).encode())],
        }

        async def exchange() -> tuple[int, str]:
            communicator = ApplicationCommunicator(self.application, scope)
            await communicator.send_input({"type": "http.request", "body": body.encode()})
            start = await communicator.receive_output(WAIT)
            content = b""
            while True:
                part = await communicator.receive_output(WAIT)
                content += part.get("body", b"")
                if not part.get("more_body"):
                    return start["status"], content.decode()

        return self.loop.run(exchange(), WAIT)

    def open(self) -> str:
        status, body = self.request("GET")
        assert status == 200 and body.startswith("0"), (status, body)
        return json.loads(body[1:])["sid"]


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_ADMIN_UI={"server_stats_interval": 0.05})
class OpaqueClientIdTests(SocketIOTestCase):
    def setUp(self):
        self.staff = get_user_model().objects.create_user("stella", password="pw-admin-ui-1",
                                                          is_staff=True)

    def test_the_feed_never_carries_a_usable_engineio_sid(self):
        """A polling client's sid (and every other connection's) is nowhere in the feed,
        and what the feed gives in its place is refused as a sid; the real one works,
        so the refusal is the token's doing."""
        watching = self.socketio_client("/admin", user=self.staff)
        victim = PollingClient(self)
        sid = victim.open()
        self.assertEqual(victim.request("POST", sid, "40"), (200, "ok"))
        self.assertEqual(victim.request("POST", sid, "40/chat,"), (200, "ok"))
        wait_until(lambda: len(sockets_in(watching, polling)) == 2,
                   "the polling client's two sockets reported")
        late = self.socketio_client("/admin", user=self.staff)  # gets them in all_sockets
        wait_until(lambda: len(sockets_in(late, polling)) == 2, "the sockets listed")

        described = sockets_in(watching, polling) + sockets_in(late, polling)
        client_ids = {each["clientId"] for each in described}
        self.assertEqual(len(client_ids), 1)  # both sockets, both feeds: one client
        [token] = client_ids
        self.assertNotEqual(token, sid)
        others = {each["clientId"] for each in sockets_in(late, lambda each: True)} - {token}
        self.assertTrue(others)  # the admins' own clients, told apart from the victim

        self.assertEqual(victim.request("POST", token, '42["shout","forged"]')[0], 400)
        self.assertEqual(victim.request("POST", sid, '42["shout","real"]'), (200, "ok"))
        wait_until(lambda: any(name == "event_received" and args[2] == ["shout", "real"]
                               for _, name, args in feed(watching)), "the real sid's event")
        self.assertFalse(any(name == "event_received" and args[2] == ["shout", "forged"]
                             for _, name, args in feed(watching)))

        engineio_sids = {sid, *get_server().eio.sockets}
        self.assertEqual(len(engineio_sids), 3)  # the victim and both admins
        for admin in (watching, late):
            packets = json.dumps(feed(admin))
            for each in engineio_sids:
                self.assertNotIn(each, packets)

    def test_a_sid_elsewhere_in_the_handshake_is_hidden_too(self):
        """python-socketio copies the handshake's query and headers into the feed: a sid
        there (a ``sid`` parameter, a Referer) becomes the same token."""
        admin = self.socketio_client("/admin", user=self.staff)
        original = InstrumentedAsyncServer.serialize_socket

        def with_sid_in_handshake(instrumentation, sid, namespace, eio_sid=None):
            described = original(instrumentation, sid, namespace, eio_sid)
            described["handshake"]["query"]["sid"] = eio_sid
            described["handshake"]["headers"]["referer"] = f"https://x.test/?sid={eio_sid}"
            return described

        with mock.patch.object(InstrumentedAsyncServer, "serialize_socket",
                               with_sid_in_handshake):
            self.socketio_client("/chat")
            wait_until(lambda: sockets_in(admin, lambda each: each["nsp"] == "/chat"),
                       "the socket reported")
        [described] = sockets_in(admin, lambda each: each["nsp"] == "/chat")
        token = described["clientId"]
        self.assertEqual(described["handshake"]["query"]["sid"], token)
        self.assertEqual(described["handshake"]["headers"]["referer"],
                         f"https://x.test/?sid={token}")
        for each in get_server().eio.sockets:
            self.assertNotIn(each, json.dumps(feed(admin)))


def polling(described: dict) -> bool:
    return described["transport"] == "polling"


@override_settings(ASYNCTION_SPEC=SPEC, ROOT_URLCONF=__name__)
class RecheckTests(SocketIOTestCase):
    """An open UI is re-checked: logged out, or no longer allowed, it is disconnected."""

    def setUp(self):
        self.staff = get_user_model().objects.create_user("stella", password="pw-admin-ui-1",
                                                          is_staff=True)

    def admin(self, key: str):
        """An admin connection opened by the browser session ``key``."""
        return self.socketio_client("/admin", cookies={settings.SESSION_COOKIE_NAME: key})

    def session(self) -> str:
        return session_cookie(self.staff).partition("=")[2]

    def ended(self, admin) -> bool:
        return admin.disconnected.get("/admin") == "server disconnect"

    def rechecks(self):
        """Counts the re-checks, still doing them."""
        return mock.patch.object(admin_ui, "still_permitted", wraps=admin_ui.still_permitted)

    @override_settings(ASYNCTION_ADMIN_UI={"recheck_interval": 600})
    def test_django_logout_ends_that_sessions_ui_at_once(self):
        """The interval is too long to matter: Django's logout signal ends it, and only
        the UI opened with the session that logged out."""
        mine, other = self.session(), self.session()
        admin, untouched = self.admin(mine), self.admin(other)
        self.client.cookies[settings.SESSION_COOKIE_NAME] = mine
        self.assertEqual(self.client.post("/logout/").status_code, 302)
        wait_until(lambda: self.ended(admin), "the logged-out UI disconnected")
        self.assertEqual(untouched.disconnected, {})
        untouched.emit("join", "/", "lobby", "nobody", namespace="/admin")  # still served
        untouched.receive("event_received", "/admin")

    @override_settings(ASYNCTION_ADMIN_UI={"recheck_interval": 0.1})
    def test_a_session_flushed_elsewhere_ends_the_ui_within_the_interval(self):
        """Logged out in another process (no signal here): the session is gone from the
        store, and the next re-check ends the UI."""
        key = self.session()
        admin = self.admin(key)
        import_module(settings.SESSION_ENGINE).SessionStore(key).flush()
        wait_until(lambda: self.ended(admin), "the UI of a flushed session disconnected")

    @override_settings(ASYNCTION_ADMIN_UI={"recheck_interval": 0.1})
    def test_losing_staff_ends_the_ui_within_the_interval(self):
        with self.rechecks() as checked:
            admin = self.admin(self.session())
            wait_until(lambda: checked.call_count >= 3, "three re-checks")
            self.assertEqual(admin.disconnected, {})  # still staff: it stays
            self.staff.is_staff = False
            self.staff.save()
            wait_until(lambda: self.ended(admin), "the demoted user's UI disconnected")

    @override_settings(ASYNCTION_ADMIN_UI={"recheck_interval": 0.1})
    def test_a_password_change_ends_the_ui_within_the_interval(self):
        """Django logs out a password's other sessions: so does the UI."""
        admin = self.admin(self.session())
        self.staff.set_password("pw-admin-ui-2")
        self.staff.save()
        wait_until(lambda: self.ended(admin), "the UI disconnected after a password change")

    @override_settings(ASYNCTION_ADMIN_UI={"recheck_interval": 0.1,
                                           "permission": "auth.view_user"})
    def test_a_permission_taken_away_ends_the_ui(self):
        from django.contrib.auth.models import Permission

        viewing = Permission.objects.get(codename="view_user")
        self.staff.user_permissions.add(viewing)
        admin = self.admin(self.session())
        self.staff.user_permissions.remove(viewing)
        wait_until(lambda: self.ended(admin), "the UI disconnected without the permission")


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_ADMIN_UI={"server_stats_interval": 0.05})
class RedactionTests(SocketIOTestCase):
    def setUp(self):
        self.staff = get_user_model().objects.create_user("stella", password="pw-admin-ui-1",
                                                          is_staff=True)

    def reported(self, auth=None) -> tuple[dict, str]:
        admin = self.socketio_client("/admin", user=self.staff)
        self.socketio_client(
            headers={"X-Api-Key": "k-secret-1", "X-CSRFToken": "csrf-secret-2",
                     "User-Agent": "tests/1.0", "X-Trace": "kept"},
            query={"access_token": "tok-secret-3"}, auth=auth)
        wait_until(lambda: sockets_in(admin, lambda each: each["nsp"] == "/"),
                   "the socket reported")
        [described] = sockets_in(admin, lambda each: each["nsp"] == "/")
        return described["handshake"], json.dumps(feed(admin))

    def test_credentials_the_spec_does_not_declare_are_not_shown(self):
        handshake, packets = self.reported(auth={"token": "auth-secret-4"})
        headers, query = handshake["headers"], handshake["query"]
        self.assertEqual(headers["x_api_key"], REDACTED)
        self.assertEqual(headers["x_csrftoken"], REDACTED)
        self.assertEqual(query["access_token"], REDACTED)
        self.assertEqual(headers["user_agent"], "tests/1.0")  # innocent names stay
        self.assertEqual(headers["x_trace"], "kept")
        self.assertEqual(query["EIO"], "4")
        self.assertEqual(query["transport"], "websocket")
        for secret in SECRETS:
            self.assertNotIn(secret, packets)

    def test_the_handshake_auth_keeps_its_keys_only(self):
        """python-socketio 5.18 does not report the CONNECT auth; Node's UI shows one
        when it is there, so if it ever is, its values are hidden."""
        original = InstrumentedAsyncServer.serialize_socket

        def with_auth(instrumentation, sid, namespace, eio_sid=None):
            described = original(instrumentation, sid, namespace, eio_sid)
            described["handshake"]["auth"] = {"token": "auth-secret-4", "room": "lobby"}
            return described

        with mock.patch.object(InstrumentedAsyncServer, "serialize_socket", with_auth):
            handshake, packets = self.reported()
        self.assertEqual(handshake["auth"], {"token": REDACTED, "room": REDACTED})
        self.assertNotIn("auth-secret-4", packets)


class CredentialNameTests(SimpleTestCase):
    def test_names_that_look_like_credentials(self):
        for name in ("X-Api-Key", "x_api_key", "X-CSRFToken", "access_token", "Authorization",
                     "proxy_authorization", "Cookie", "X-Auth-Token", "apikey", "password",
                     "client_secret", "sessionid", "X-Amz-Signature", "jwt", "X-Bearer",
                     "X-Amz-Credential", "Sec-WebSocket-Key"):
            with self.subTest(name=name):
                self.assertTrue(looks_secret(name))
        for name in ("EIO", "transport", "t", "User-Agent", "user_agent", "Accept-Language",
                     "Host", "X-Forwarded-For", "room", "Origin"):
            with self.subTest(name=name):
                self.assertFalse(looks_secret(name))
        self.assertTrue(looks_secret("X_Tenant", {"x-tenant"}))  # the spec's own names

    def test_the_recheck_interval_is_an_option(self):
        for value, problems in ((0.5, []), (0, 1), (True, 1), ("5", 1)):
            with self.subTest(value=value):
                found = check_settings(AsynctionSettings(
                    SPEC=SPEC, ADMIN_UI={"recheck_interval": value}))
                if problems:
                    self.assertEqual(len(found), 1, found)
                    self.assertIn('["recheck_interval"] must be a number of seconds', found[0])
                else:
                    self.assertEqual(found, [])
