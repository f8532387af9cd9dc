"""The Socket.IO Admin UI's namespace (``ASYNCTION_ADMIN_UI``) behind Django's
authentication, and what python-socketio's instrumentation reports through this server."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from engineio.async_socket import AsyncSocket

from asynction_django import get_server
from asynction_django.admin_ui import instrumentation as admin_ui
from asynction_django.checks import check_admin_ui
from asynction_django.runtime import reset_server
from asynction_django.server import engine
from asynction_django.testing import ConnectionRefused, SocketIOTestCase
from tests.admin_ui_handlers import FAST, SPEC
from tests.support import eventually

UNAUTHORIZED = {"message": "Unauthorized"}
FORBIDDEN = {"message": "Forbidden"}
# What instrumenting replaces for the whole process, as it was before any test ran.
ORIGINALS = {
    "AsyncSocket.handle_post_request": AsyncSocket.handle_post_request,
    "AsyncSocket._websocket_handler": AsyncSocket._websocket_handler,
    "AsyncSocket._send_ping": AsyncSocket._send_ping,
    "engine.GuardedSocket._websocket_handler": engine.GuardedSocket._websocket_handler,
}


def current_instrumentation() -> dict[str, object]:
    return {
        "AsyncSocket.handle_post_request": AsyncSocket.handle_post_request,
        "AsyncSocket._websocket_handler": AsyncSocket._websocket_handler,
        "AsyncSocket._send_ping": AsyncSocket._send_ping,
        "engine.GuardedSocket._websocket_handler": engine.GuardedSocket._websocket_handler,
    }


@override_settings(ASYNCTION_SPEC=SPEC)
class NamespaceTests(SocketIOTestCase):
    def setUp(self):
        users = get_user_model().objects
        self.staff = users.create_user("stella", password="pw-admin-ui-1", is_staff=True)
        self.member = users.create_user("mo", password="pw-admin-ui-1")

    def refusal(self, namespace="/admin", **kwargs):
        with self.assertRaises(ConnectionRefused) as caught:
            self.socketio_client(namespace, **kwargs)
        return caught.exception.data

    def next_event(self, client, event, namespace, where):
        """The next ``event`` whose arguments ``where`` accepts (earlier ones are dropped)."""
        while True:
            args = client.receive(event, namespace).args
            if where(args):
                return args

    def admin(self, user=None, namespace="/admin"):
        admin = self.socketio_client(namespace, user=user or self.staff)
        features = admin.receive("config", namespace).args[0]["supportedFeatures"]
        sockets = admin.receive("all_sockets", namespace).args[0]
        return admin, features, sockets

    def test_refused_when_off_even_for_staff(self):
        self.assertEqual(self.refusal(user=self.staff), {"message": "Invalid namespace"})

    @override_settings(ASYNCTION_ADMIN_UI=True)
    def test_only_staff_connect(self):
        self.assertEqual(self.refusal(), UNAUTHORIZED)
        self.assertEqual(self.refusal(auth={"username": "admin", "password": "admin"}),
                         UNAUTHORIZED)  # python-socketio's own credentials are not used
        self.assertEqual(self.refusal(user=self.member), FORBIDDEN)
        self.staff.is_active = False
        self.staff.save()
        self.assertEqual(self.refusal(user=self.staff), UNAUTHORIZED)

    @override_settings(ASYNCTION_ADMIN_UI=True)
    def test_staff_get_the_config_and_every_socket(self):
        user = self.socketio_client("/chat")
        admin, features, sockets = self.admin()
        self.assertEqual(features, ["AGGREGATED_EVENTS", "EMIT", "JOIN", "LEAVE", "DISCONNECT",
                                    "MJOIN", "MLEAVE", "MDISCONNECT", "ALL_EVENTS"])
        self.assertEqual(sorted(socket["nsp"] for socket in sockets), ["/admin", "/chat"])
        user.disconnect()
        self.assertEqual(admin.receive("socket_disconnected", "/admin").args[0], "/chat")

    @override_settings(ASYNCTION_ADMIN_UI={"read_only": True, **FAST})
    def test_read_only_offers_and_obeys_nothing_that_changes_a_socket(self):
        user = self.socketio_client()
        admin, features, sockets = self.admin()
        self.assertEqual(features, ["AGGREGATED_EVENTS", "ALL_EVENTS"])
        [described] = [socket for socket in sockets if socket["nsp"] == "/"]
        sid = described["id"]
        admin.emit("join", "/", "lobby", sid, namespace="/admin")
        admin.emit("emit", "/", sid, "news", "from the UI", namespace="/admin")
        admin.emit("_disconnect", "/", False, sid, namespace="/admin")
        self.next_event(admin, "event_received", "/admin",  # reported, then not handled
                        lambda args: args[2][0] == "_disconnect")
        self.assertEqual(get_server().manager.get_rooms(sid, "/"), [sid])
        with self.assertRaises(AssertionError):
            user.receive("news", timeout=0.3)
        self.assertEqual(user.disconnected, {})

    @override_settings(ASYNCTION_ADMIN_UI={"permission": "auth.view_user"})
    def test_a_permission_instead_of_staff(self):
        self.assertEqual(self.refusal(user=self.staff), FORBIDDEN)
        self.member.user_permissions.add(Permission.objects.get(codename="view_user"))
        self.admin(user=self.member)

    @override_settings(ASYNCTION_ADMIN_UI={"namespace": "/ops", **FAST})
    def test_what_clients_do_is_reported(self):
        admin, _, _ = self.admin(namespace="/ops")
        user = self.socketio_client(headers={"Cookie": "sessionid=not-for-admins",
                                             "X-Trace": "kept"})
        connected = self.next_event(admin, "socket_connected", "/ops",
                                    lambda args: args[0]["nsp"] == "/")[0]
        sid = connected["id"]
        headers = connected["handshake"]["headers"]
        self.assertEqual(headers["cookie"], "<redacted>")
        self.assertEqual(headers["x_trace"], "kept")

        self.assertIs(user.call("join", "lobby"), True)
        received = admin.receive("event_received", "/ops").args
        self.assertEqual(received[:3], ["/", sid, ["join", "lobby"]])
        joined = self.next_event(admin, "room_joined", "/ops",  # after the socket's own room
                                 lambda args: args[1] == "lobby")
        self.assertEqual(joined[:3], ["/", "lobby", sid])

        user.emit("shout", "hello")
        self.assertEqual(user.receive("news").args, ["hello"])
        self.assertEqual(admin.receive("event_received", "/ops").args[:3],
                         ["/", sid, ["shout", "hello"]])
        self.assertEqual(admin.receive("event_sent", "/ops").args[:3],
                         ["/", sid, ["news", "hello"]])

        stats = self.next_event(admin, "server_stats", "/ops",  # one sent since it connected
                                lambda args: args[0]["namespaces"][0]["socketsCount"])[0]
        self.assertEqual(stats["namespaces"], [{"name": "/", "socketsCount": 1},
                                               {"name": "/chat", "socketsCount": 0},
                                               {"name": "/ops", "socketsCount": 1}])
        self.assertEqual(stats["clientsCount"], 2)

        user.disconnect()
        self.assertEqual(admin.receive("socket_disconnected", "/ops").args[:2], ["/", sid])

    @override_settings(ASYNCTION_ADMIN_UI=FAST)
    def test_what_the_ui_emits_is_checked_against_the_spec(self):
        user = self.socketio_client()
        admin, _, sockets = self.admin()
        [sid] = [socket["id"] for socket in sockets if socket["nsp"] == "/"]
        admin.emit("emit", "/", sid, "news", "from the UI", namespace="/admin")
        self.assertEqual(user.receive("news").args, ["from the UI"])
        with self.assertLogs("asynction_django.admin_ui", "WARNING") as logs:
            admin.emit("emit", "/", sid, "news", 42, namespace="/admin")
            admin.emit("emit", "/", sid, "nope", "x", namespace="/admin")
            eventually(lambda: len(logs.records) >= 2, 2)
        self.assertEqual(len(logs.records), 2, logs.output)  # both refused
        self.assertIn("'news'", logs.output[0])
        self.assertIn("'nope'", logs.output[1])
        with self.assertRaises(AssertionError):
            user.receive("news", timeout=0.3)
        admin.emit("join", "/", "vip", sid, namespace="/admin")
        self.next_event(admin, "room_joined", "/admin", lambda args: args[1:3] == ["vip", sid])
        self.assertIn("vip", get_server().manager.get_rooms(sid, "/"))
        admin.emit("_disconnect", "/", False, sid, namespace="/admin")
        admin.receive("socket_disconnected", "/admin")
        self.assertEqual(user.disconnected, {"/": "server disconnect"})

    @override_settings(ASYNCTION_ADMIN_UI={"mode": "production"})
    def test_production_mode_reports_counts_only(self):
        admin = self.socketio_client("/admin", user=self.staff)
        # python-socketio handles no emit, join, leave or disconnect in production mode
        self.assertEqual(admin.receive("config", "/admin").args[0],
                         {"supportedFeatures": ["AGGREGATED_EVENTS"]})
        self.socketio_client()
        with self.assertRaises(AssertionError):
            admin.receive("socket_connected", "/admin", timeout=0.3)

    @override_settings(ASYNCTION_ADMIN_UI={"namespace": "/chat"})
    def test_a_namespace_of_the_spec_is_refused(self):
        with self.assertRaisesMessage(ImproperlyConfigured, "a namespace of the spec"):
            get_server()
        [error] = check_admin_ui()
        self.assertEqual(error.id, "asynction.E001")
        self.assertIn("'/chat', a namespace of the spec", error.msg)

    @override_settings(ASYNCTION_ADMIN_UI=True, MIDDLEWARE=[])
    def test_a_warning_without_authentication(self):
        [warning] = check_admin_ui()
        self.assertEqual(warning.id, "asynction.W001")
        self.assertIn("nobody can ever open it", warning.msg)

    def test_a_rebuild_undoes_the_instrumentation(self):
        with override_settings(ASYNCTION_ADMIN_UI=True):
            server = get_server()
            self.assertIn("/admin", server.handlers)
            self.assertNotEqual(current_instrumentation(), ORIGINALS)
        reset_server()
        get_server()
        self.assertEqual(current_instrumentation(), ORIGINALS)
        self.assertIsNone(admin_ui._current)
        self.assertEqual(server.unlisted_namespaces, {})
