"""The Socket.IO Admin UI (``ASYNCTION_ADMIN_UI``): its page and its namespace behind
Django's authentication, what python-socketio's instrumentation reports through this
server, and the vendored UI itself in a real headless Chromium on a live daphne.

The browser test needs Debian's ``chromium`` (``.ci/run`` installs it) or
``CHROMIUM_PATH``: without one it skips loudly on a developer's machine and fails in CI.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from urllib.parse import urlsplit

import requests
import socketio
from channels.testing import HttpCommunicator
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Permission
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, HttpResponseRedirect
from django.template import RequestContext, Template
from django.test import SimpleTestCase, TestCase, override_settings
from django.test.utils import override_script_prefix
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme
from engineio.async_socket import AsyncSocket

from asynction_django import aemit, get_server
from asynction_django.admin_ui import instrumentation as admin_ui
from asynction_django.asgi import DocsRouter
from asynction_django.checks import check_admin_ui
from asynction_django.conf import AdminUI, AsynctionSettings, admin_ui_options, check_settings
from asynction_django.runtime import reset_server
from asynction_django.server import engine
from asynction_django.testing import ConnectionRefused, SocketIOTestCase

from .live import LiveServer, chromium_executable, launch_chromium
from .settings import MIDDLEWARE

SPEC = {
    "asyncapi": "2.6.0",
    "info": {"title": "Admin UI fixture", "version": "1.0"},
    "channels": {
        "/": {
            "publish": {"message": {"oneOf": [
                {"name": "join", "x-handler": "tests.test_admin_ui.join",
                 "payload": {"type": "string"}, "x-ack": {"args": {"type": "boolean"}}},
                {"name": "shout", "x-handler": "tests.test_admin_ui.shout",
                 "payload": {"type": "string"}},
            ]}},
            "subscribe": {"message": {"name": "news", "payload": {"type": "string"}}},
        },
        "/chat": {
            "publish": {"message": {"name": "shout", "x-handler": "tests.test_admin_ui.shout",
                                    "payload": {"type": "string"}}},
        },
    },
}
FAST = {"server_stats_interval": 0.05}
UNAUTHORIZED = {"message": "Unauthorized"}
FORBIDDEN = {"message": "Forbidden"}
# What instrumenting replaces for the whole process, as it was before any test ran.
ORIGINALS = {
    "AsyncSocket.handle_post_request": AsyncSocket.handle_post_request,
    "AsyncSocket._websocket_handler": AsyncSocket._websocket_handler,
    "AsyncSocket._send_ping": AsyncSocket._send_ping,
    "engine.GuardedSocket._websocket_handler": engine.GuardedSocket._websocket_handler,
}


async def join(sid, room):
    await get_server().enter_room(sid, room, namespace="/")
    return True


async def shout(sid, text):
    await aemit("news", text)


LOGIN_FORM = Template('<form method="post">{{ form.as_p }}'
                      '<button type="submit">Log in</button></form>')


def log_in(request):
    """A bare login page, so the browser test logs in as a person would."""
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        target = request.GET.get("next", "/")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = "/"
        return HttpResponseRedirect(target)
    return HttpResponse(LOGIN_FORM.render(RequestContext(request, {"form": form})))


urlpatterns = [
    path("", include("asynction_django.urls")),
    path("accounts/login/", log_in),
]


def current_instrumentation() -> dict[str, object]:
    return {
        "AsyncSocket.handle_post_request": AsyncSocket.handle_post_request,
        "AsyncSocket._websocket_handler": AsyncSocket._websocket_handler,
        "AsyncSocket._send_ping": AsyncSocket._send_ping,
        "engine.GuardedSocket._websocket_handler": engine.GuardedSocket._websocket_handler,
    }


class SettingTests(SimpleTestCase):
    def test_off_by_default_and_when_disabled(self):
        self.assertIsNone(admin_ui_options())
        self.assertIsNone(admin_ui_options(False))
        self.assertIsNone(admin_ui_options({"enabled": False, "read_only": True}))

    def test_true_is_every_default_and_a_dict_sets_options(self):
        self.assertEqual(admin_ui_options(True), AdminUI(
            read_only=False, permission="staff", namespace="/admin", server_stats_interval=2,
            mode="development"))
        self.assertEqual(admin_ui_options({"read_only": True, "namespace": "/ops"}),
                         AdminUI(read_only=True, namespace="/ops"))

    def test_invalid_values_are_settings_errors(self):
        cases = [
            ("yes", "ASYNCTION_ADMIN_UI must be True, False or a dict of options"),
            ({"readonly": True}, "ASYNCTION_ADMIN_UI has no option 'readonly'"),
            ({"read_only": "no"}, 'ASYNCTION_ADMIN_UI["read_only"] must be True or False'),
            ({"enabled": 1}, 'ASYNCTION_ADMIN_UI["enabled"] must be True or False'),
            ({"permission": "admin"}, 'ASYNCTION_ADMIN_UI["permission"] must be "staff"'),
            ({"permission": "auth."}, 'ASYNCTION_ADMIN_UI["permission"] must be "staff"'),
            ({"namespace": "admin"}, 'ASYNCTION_ADMIN_UI["namespace"] must be a namespace'),
            ({"namespace": "/"}, 'ASYNCTION_ADMIN_UI["namespace"] must be a namespace'),
            ({"server_stats_interval": 0}, '["server_stats_interval"] must be a number'),
            ({"server_stats_interval": True}, '["server_stats_interval"] must be a number'),
            ({"mode": "prod"}, 'ASYNCTION_ADMIN_UI["mode"] must be "development"'),
        ]
        for value, message in cases:
            with self.subTest(value=value):
                problems = check_settings(AsynctionSettings(SPEC=SPEC, ADMIN_UI=value))
                self.assertEqual(len(problems), 1, problems)
                self.assertIn(message, problems[0])

    def test_valid_values_pass(self):
        for value in (True, False, {}, {"enabled": False}, {
                "read_only": True, "permission": "auth.view_user", "namespace": "/ops",
                "server_stats_interval": 0.5, "mode": "production"},
                {"permission": "superuser"}):
            with self.subTest(value=value):
                self.assertEqual(check_settings(AsynctionSettings(SPEC=SPEC, ADMIN_UI=value)),
                                 [])


@override_settings(ROOT_URLCONF="tests.test_admin_ui", ASYNCTION_SPEC=SPEC,
                   ASYNCTION_DOCS_ACCESS="open")
class PageTests(TestCase):
    url = "/docs/admin-ui/"

    @classmethod
    def setUpTestData(cls):
        users = get_user_model().objects
        cls.staff = users.create_user("stella", password="pw-admin-ui-1", is_staff=True)
        cls.member = users.create_user("mo", password="pw-admin-ui-1")
        cls.boss = users.create_superuser("bo", password="pw-admin-ui-1")

    def get(self, user=None, **extra):
        if user is not None:
            self.client.force_login(user)
        return self.client.get(self.url, **extra)

    def connection(self, response) -> dict:
        found = re.search(r'<script id="asynction-admin-ui" type="application/json">(.*?)'
                          r"</script>", response.content.decode())
        return json.loads(found.group(1))

    def test_no_page_when_off(self):
        self.assertEqual(self.get(self.staff).status_code, 404)

    @override_settings(ASYNCTION_ADMIN_UI={"enabled": False})
    def test_no_page_when_disabled(self):
        self.assertEqual(self.get(self.boss).status_code, 404)

    @override_settings(ASYNCTION_ADMIN_UI=True)
    def test_anonymous_users_are_sent_to_log_in(self):
        response = self.get()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/accounts/login/?next=/docs/admin-ui/")

    @override_settings(ASYNCTION_ADMIN_UI=True)
    def test_users_who_are_not_staff_are_forbidden(self):
        self.assertEqual(self.get(self.member).status_code, 403)
        self.staff.is_active = False
        self.staff.save()
        self.assertEqual(self.get(self.staff).status_code, 302)  # inactive: logged out

    @override_settings(ASYNCTION_ADMIN_UI=True)
    def test_staff_get_the_ui_set_to_connect_here(self):
        response = self.get(self.staff)
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertEqual(self.connection(response), {"namespace": "/admin",
                                                     "path": "/socket.io"})
        html = response.content.decode()
        self.assertIn("<title>Socket.IO Admin UI · Admin UI fixture</title>", html)
        self.assertIn('<base href="/static/asynction_django/vendor/admin-ui/">', html)
        for asset in ("css/chunk-vendors.css", "css/app.css", "icons.css",
                      "js/chunk-vendors.js", "js/app.js"):
            self.assertIn(f'"/static/asynction_django/vendor/admin-ui/{asset}"', html)
        # Nothing comes from elsewhere: no fonts, icons or scripts from a CDN.
        self.assertNotRegex(html, r"(src|href)=\"(https?:)?//")

    @override_settings(ASYNCTION_ADMIN_UI={"namespace": "/ops"})
    def test_the_namespace_and_the_script_prefix_are_passed_on(self):
        with override_script_prefix("/app/"):
            response = self.get(self.staff)
        self.assertEqual(self.connection(response), {"namespace": "/ops",
                                                     "path": "/app/socket.io"})

    @override_settings(ASYNCTION_ADMIN_UI={"permission": "auth.view_user"})
    def test_a_permission_instead_of_staff(self):
        self.assertEqual(self.get(self.staff).status_code, 403)
        self.member.user_permissions.add(Permission.objects.get(codename="view_user"))
        self.assertEqual(self.get(self.member).status_code, 200)

    @override_settings(ASYNCTION_ADMIN_UI={"permission": "superuser"})
    def test_superusers_only(self):
        self.assertEqual(self.get(self.staff).status_code, 403)
        self.assertEqual(self.get(self.boss).status_code, 200)

    @override_settings(ASYNCTION_ADMIN_UI={"namespace": "/ops-watch"})
    def test_the_admin_namespace_stays_out_of_the_docs_spec_clients_and_checks(self):
        self.client.force_login(self.staff)
        for url in ("/docs", "/docs/asyncapi.json", "/docs/asyncapi.yaml", "/docs/client.ts",
                    "/docs/client.py"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertIn(b"/chat", response.content)
                self.assertNotIn(b"ops-watch", response.content)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        messages = [message for message in run_checks(tags=["asynction"])
                    if message.id.startswith("asynction.")]
        self.assertEqual(messages, [])


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_DOCS=False, ASYNCTION_ADMIN_UI=True)
class MountedPageTests(TestCase):
    """``get_asgi_application()`` mounts the page with the docs, even when they are off."""

    async def get(self, path: str):
        async def not_found(scope, receive, send):
            await send({"type": "http.response.start", "status": 418, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        communicator = HttpCommunicator(DocsRouter(not_found), "GET", path,
                                        headers=[(b"host", b"testserver")])
        return await communicator.get_response()

    async def test_served_with_the_docs_off(self):
        page = await self.get("/docs/admin-ui/")
        self.assertEqual(page["status"], 302)  # the page itself: anonymous, so log in
        self.assertEqual((await self.get("/docs"))["status"], 418)  # the project's own

    @override_settings(ASYNCTION_ADMIN_UI=False)
    async def test_the_project_keeps_the_path_when_off(self):
        self.assertEqual((await self.get("/docs/admin-ui/"))["status"], 418)


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
            deadline = time.monotonic() + 2
            while len(logs.records) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
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


class ProductionStaticTests(SimpleTestCase):
    """DEBUG off: collectstatic with hashed names plus WhiteNoise serve every file the
    page loads, and the images its build finds relative to ``<base>``."""

    def test_the_page_and_every_file_it_loads(self):
        static_root = tempfile.TemporaryDirectory()
        self.addCleanup(static_root.cleanup)
        server = LiveServer({
            "ASYNCTION_SPEC": SPEC, "ASYNCTION_ADMIN_UI": True, "DEBUG": False,
            "ROOT_URLCONF": "tests.test_admin_ui", "INSTALLED_APPS": INSTALLED_APPS,
            "MIDDLEWARE": ["whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE],
            "STATIC_ROOT": static_root.name,
            "STORAGES": {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {
                    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
            },
        }, database=True)
        self.addCleanup(server.stop)
        server.run_python("from django.core.management import call_command\n"
                          "call_command('collectstatic', interactive=False, verbosity=0)")
        server.start("/socket.io/")
        cookie = server.run_python(
            "from django.contrib.auth import get_user_model\n"
            "from asynction_django.testing import session_cookie\n"
            "print(session_cookie(get_user_model().objects.create_user("
            "'ops', password='pw-admin-ui-1', is_staff=True)))\n").strip()
        page = requests.get(f"{server.url}/docs/admin-ui/", headers={"Cookie": cookie},
                            timeout=10)
        self.assertEqual(page.status_code, 200)
        base = re.search(r'<base href="([^"]+)">', page.text).group(1)
        assets = re.findall(r'<(?:link|script)[^>]* (?:src|href)="([^"]+)"', page.text)
        self.assertEqual(len(assets), 6, assets)  # the icon, 3 stylesheets, 2 scripts
        self.assertRegex(assets[-1], r"/js/app\.[0-9a-f]{12}\.js$")
        for asset in [*assets, f"{base}img/logo-light.73342c25.svg"]:
            with self.subTest(asset=asset):
                self.assertEqual(requests.get(f"{server.url}{asset}", timeout=10).status_code,
                                 200)


WAIT_MS = 15_000
INSTALLED_APPS = ["daphne", "django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "django.contrib.staticfiles", "channels",
                  "asynction_django"]




class AdminUIInBrowserTests(SimpleTestCase):
    """The vendored UI in Chromium, on daphne, logged in through Django as staff."""

    overrides = {"ASYNCTION_SPEC": SPEC, "ASYNCTION_ADMIN_UI": FAST,
                 "ROOT_URLCONF": "tests.test_admin_ui", "DEBUG": True,
                 "INSTALLED_APPS": INSTALLED_APPS}

    @classmethod
    def setUpClass(cls):
        executable = chromium_executable("the Admin UI browser test")
        super().setUpClass()
        cls.server = LiveServer(cls.overrides, database=True)
        cls.server.start("/socket.io/")
        cls.addClassCleanup(cls.server.stop)
        cls.server.run_python(
            "from django.contrib.auth import get_user_model\n"
            "get_user_model().objects.create_user('grace', password='pw-admin-ui-1',"
            " is_staff=True)\n")
        cls.browser = launch_chromium(cls, executable)

    def connect(self, namespace="/"):
        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)
        client.connect(self.server.url, namespaces=[namespace], transports=["websocket"],
                       wait_timeout=5)
        return client

    def test_staff_log_in_and_see_the_clients_and_their_rooms(self):
        first = self.connect()
        self.assertIs(first.call("join", "lobby", timeout=5), True)
        context = self.browser.new_context(viewport={"width": 1400, "height": 900})
        self.addCleanup(context.close)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        errors, requested = [], []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requested.append(request.url))

        page.goto(f"{self.server.url}/docs/admin-ui/")
        self.assertEqual(urlsplit(page.url).path, "/accounts/login/")
        page.fill("input[name=username]", "grace")
        page.fill("input[name=password]", "pw-admin-ui-1")
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.server.url}/docs/admin-ui/")
        page.locator(".v-chip:visible", has_text=re.compile(r"^\s*connected\s*$", re.I)
                     ).wait_for()
        page.locator("code:visible", has_text=self.server.url).wait_for()  # the server URL

        # The sockets of "/", the first one's rooms, then one that connects while we look.
        page.locator(".v-navigation-drawer a", has_text="Sockets").click()
        page.get_by_text(first.get_sid("/"), exact=True).wait_for()
        second = self.connect()
        page.get_by_text(second.get_sid("/"), exact=True).wait_for()
        page.locator(".v-navigation-drawer a", has_text="Rooms").click()
        lobby = page.locator("tr", has_text="lobby")
        lobby.wait_for()
        self.assertEqual(lobby.locator("td").nth(2).inner_text().strip(), "1")
        second.call("join", "lobby", timeout=5)
        deadline = time.monotonic() + WAIT_MS / 1000
        while lobby.locator("td").nth(2).inner_text().strip() != "2":
            self.assertLess(time.monotonic(), deadline, "the room never showed two sockets")
            time.sleep(0.1)

        # Events are reported as they happen.
        first.emit("shout", "hello")
        page.locator(".v-navigation-drawer a", has_text="Events").click()
        page.locator("tr", has_text="shout").first.wait_for()

        # The icons are drawn (from icons.css, not a web font), and nothing came from elsewhere.
        icon = page.locator(".v-navigation-drawer .mdi-tag-outline").first
        drawn = icon.evaluate("element => { const style = getComputedStyle(element, '::before');"
                              " return style.maskImage || style.webkitMaskImage; }")
        self.assertTrue(drawn.startswith('url("data:image/svg+xml'), drawn)
        outside = [url for url in requested if not url.startswith(self.server.url)]
        self.assertEqual(outside, [])
        self.assertEqual(errors, [])

    def test_others_are_refused(self):
        context = self.browser.new_context()
        self.addCleanup(context.close)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(f"{self.server.url}/docs/admin-ui/")
        self.assertEqual(urlsplit(page.url).path, "/accounts/login/")
        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)
        refused = []
        client.on("connect_error", refused.append, namespace="/admin")
        with self.assertRaises(socketio.exceptions.ConnectionError):
            client.connect(self.server.url, namespaces=["/admin"], transports=["websocket"],
                           wait_timeout=5)
        self.assertEqual(refused, [UNAUTHORIZED])
