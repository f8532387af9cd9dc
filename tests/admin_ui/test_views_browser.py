"""The vendored Socket.IO Admin UI in a real headless Chromium on a live daphne.

Needs Debian's ``chromium`` (``.ci/run`` installs it) or ``CHROMIUM_PATH``: without one
the test skips loudly on a developer's machine and fails in CI.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import socketio
from django.test import SimpleTestCase

from tests.admin_ui_handlers import FAST, INSTALLED_APPS, SPEC
from tests.support import LiveServer, chromium_executable, launch_chromium, wait_until

UNAUTHORIZED = {"message": "Unauthorized"}
WAIT_MS = 15_000


class AdminUIInBrowserTests(SimpleTestCase):
    """The vendored UI in Chromium, on daphne, logged in through Django as staff."""

    overrides = {"ASYNCTION_SPEC": SPEC, "ASYNCTION_ADMIN_UI": FAST,
                 "ROOT_URLCONF": "tests.admin_ui_urls", "DEBUG": True,
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
        wait_until(lambda: lobby.locator("td").nth(2).inner_text().strip() == "2",
                   "the room showing two sockets", WAIT_MS / 1000)

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
