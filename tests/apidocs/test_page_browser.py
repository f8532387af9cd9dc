"""The docs page in a real headless Chromium, served by a real daphne (tests/support.py).

Desktop and phone (390 px), light and dark, with and without JavaScript; the playground
connecting anonymously and as a logged-in user. Needs Debian's ``chromium`` (or
``CHROMIUM_PATH``): without it the tests skip loudly, and fail in CI.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from tests.support import SPECS, LiveServer, chromium_executable, launch_chromium

SPEC = SPECS / "docs_browser.yaml"
WAIT_MS = 10_000
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
LOG_IN = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.create_user("ada", password="docs-browser-1")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


class DocsInChromiumTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        executable = chromium_executable("the browser tests of the docs page")
        folder = Path(tempfile.mkdtemp())
        cls.addClassCleanup(shutil.rmtree, folder, True)
        cls.server = LiveServer({}, database=True)
        cls.origin = cls.server.url  # http://127.0.0.1:<port>
        # The spec's server "here" is this daphne (by another name of the loopback host).
        spec = folder / SPEC.name
        spec.write_text(SPEC.read_text().replace("localhost:8000",
                                                 f"localhost:{cls.server.port}"))
        cls.server.overrides.update({
            "ASYNCTION_SPEC": str(spec), "ASYNCTION_SERVER": "here",
            "ASYNCTION_DOCS_ACCESS": "open", "DEBUG": True,  # DEBUG: static files served
            "INSTALLED_APPS": [*settings.INSTALLED_APPS, "django.contrib.staticfiles"],
        })
        cls.server.start("/socket.io/")
        cls.addClassCleanup(cls.server.stop)
        cls.session_key = cls.server.run_python(LOG_IN).strip()

        cls.browser = launch_chromium(cls, executable)

    def open(self, logged_in: bool = False, javascript: bool = True, path: str = "/docs",
             origin: str | None = None, **options):
        origin = origin or self.origin
        context = self.browser.new_context(java_script_enabled=javascript,
                                           **{**DESKTOP, **options})
        self.addCleanup(context.close)
        if logged_in:
            context.add_cookies([{"name": "sessionid", "value": self.session_key,
                                  "url": origin}])
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        self.page_errors: list[str] = []
        self.failed: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("response", lambda response: response.status >= 400 and self.failed.append(
            f"{response.status} {response.url}"))
        page.goto(f"{origin}{path}")
        if javascript:
            page.wait_for_selector("#overview code.hljs")  # highlight.js has run
        return page

    def tearDown(self):
        self.assertEqual(getattr(self, "page_errors", []), [])
        self.assertEqual(getattr(self, "failed", []), [])  # no 404: favicon, assets

    # Phone -------------------------------------------------------------------------------

    def test_at_390_px_nothing_scrolls_sideways_and_the_contents_open_as_a_drawer(self):
        page = self.open(**PHONE)
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
        toggle = page.locator(".nav-toggle")
        self.assertTrue(toggle.is_visible())
        self.assertFalse(page.locator("#sidebar").is_visible())
        toggle.click()
        self.assertEqual(toggle.get_attribute("aria-expanded"), "true")
        link = page.locator('#sidebar a[href="#receive--public-subscribe"]')
        link.wait_for(state="visible")
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
        link.click()
        page.wait_for_url("**/docs#receive--public-subscribe")
        page.locator("#sidebar").wait_for(state="hidden")  # closed on the choice
        self.assertEqual(toggle.get_attribute("aria-expanded"), "false")
        top = page.evaluate("document.getElementById('receive--public-subscribe')"
                            ".getBoundingClientRect().top")
        self.assertLess(abs(top), 60)
        # Escape and a tap outside close it too.
        toggle.click()
        page.locator("#sidebar").wait_for(state="visible")
        page.keyboard.press("Escape")
        page.locator("#sidebar").wait_for(state="hidden")
        # The search box and the downloads fit too.
        for selector in ("#docs-search", '.downloads a[href$="asyncapi.yaml"]'):
            box = page.locator(selector).bounding_box()
            self.assertLessEqual(box["x"] + box["width"], 390, selector)

    def test_at_390_px_without_javascript_the_page_reads_top_to_bottom(self):
        page = self.open(javascript=False, **PHONE)
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
        self.assertTrue(page.locator("#sidebar").is_visible())  # a plain list of links
        self.assertTrue(page.locator(".nav-toggle").is_hidden())
        self.assertEqual(page.locator(".copy").count(), 0)
        self.assertIn("Subscribe to the newsletter.",
                      page.inner_text('article[data-event="subscribe"]'))
        self.assertIn('"text": "ann@example.com"',
                      page.inner_text('article[data-event="subscribe"] pre'))
        self.assertIn("The playground needs JavaScript", page.inner_text("#playground"))
        page.click('#sidebar a[href="#ns--desk"]')
        self.assertEqual(page.url, f"{self.origin}/docs#ns--desk")

    # Reading -----------------------------------------------------------------------------

    def test_markdown_is_rendered_and_json_highlighted(self):
        page = self.open()
        overview = page.locator("#overview .description")
        self.assertEqual(overview.locator("strong").inner_text(), "Markdown")
        self.assertEqual(overview.locator("a").get_attribute("href"),
                         "https://example.com/guide")
        self.assertEqual(overview.locator("pre code.language-json.hljs .hljs-attr").inner_text(),
                         '"hello"')
        example = page.locator('article[data-event="subscribe"] pre code.language-json').first
        self.assertIn("hljs", example.get_attribute("class"))
        self.assertEqual(example.locator(".hljs-attr").inner_text(), '"text"')
        self.assertEqual(example.locator(".hljs-string").inner_text(), '"ann@example.com"')
        colours = example.evaluate("""code => [code.querySelector('.hljs-attr'),
            code.querySelector('.hljs-string')].map(node => getComputedStyle(node).color)""")
        self.assertNotEqual(colours[0], colours[1])

    def test_the_dark_theme_follows_the_system(self):
        def looks(scheme):
            page = self.open(color_scheme=scheme)
            return page.evaluate("""() => [getComputedStyle(document.body).backgroundColor,
                getComputedStyle(document.querySelector('article.event')).backgroundColor,
                getComputedStyle(document.querySelector('.hljs-attr')).color]""")

        light, dark = looks("light"), looks("dark")
        for index, what in enumerate(("page", "event card", "highlighted key")):
            self.assertNotEqual(light[index], dark[index], what)

        def brightness(colour):
            red, green, blue = (int(part) for part in
                                colour[colour.index("(") + 1:].rstrip(")").split(",")[:3])
            return (red + green + blue) / 3

        self.assertGreater(brightness(light[0]), 200)
        self.assertLess(brightness(dark[0]), 50)

    def test_copy_buttons_put_examples_and_snippets_on_the_clipboard(self):
        page = self.open(permissions=["clipboard-read", "clipboard-write"])
        article = page.locator('article[data-event="subscribe"]')
        button = article.locator(".code-wrap .copy").first  # the payload's; then the ack's
        button.click()
        self.assertEqual(page.evaluate("navigator.clipboard.readText()"),
                         '{\n  "text": "ann@example.com"\n}')
        self.assertEqual(button.inner_text(), "Copied")
        page.locator('#ns--public dd .copy').click()
        self.assertEqual(page.evaluate("navigator.clipboard.readText()"),
                         f'io("{self.origin}/public", {{path: "/socket.io/"}})')

    def test_a_favicon_is_linked_and_served(self):
        page = self.open()
        href = page.locator('link[rel="icon"]').get_attribute("href")
        self.assertTrue(href.endswith(".svg"), href)
        response = page.request.get(f"{self.origin}{href}")
        self.assertEqual(response.status, 200)
        self.assertIn("image/svg+xml", response.headers["content-type"])
        self.assertIn("<svg", response.text())

    def test_served_here_and_the_connect_snippets_are_the_pages_own(self):
        for origin in (self.origin, f"http://localhost:{self.server.port}"):
            with self.subTest(origin=origin):
                page = self.open(origin=origin)
                rows = page.locator("#servers tbody tr")
                self.assertIn("served here", rows.nth(0).inner_text())  # here
                self.assertNotIn("served here", rows.nth(1).inner_text())  # staging
                snippet = page.inner_text("#overview pre.snippet")
                self.assertIn(f'io("{origin}/desk", {{path: "/socket.io/"}})', snippet)
                self.assertIn(f'io("{origin}/public", {{path: "/socket.io/"}})', snippet)
                self.assertNotIn(f'io("{origin}/",', snippet)  # no root namespace here
                page.select_option("#pg-connect select[name=namespace]", "/public")
                page.fill("#pg-connect textarea[name=auth]", '{"token": "t"}')
                page.click("#pg-connect summary")
                code = page.inner_text("#pg-snippet")
                self.assertIn(f'io("{origin}/public", {{', code)
                self.assertIn('auth: {"token":"t"}', code)

    # Playground --------------------------------------------------------------------------

    def test_an_anonymous_refusal_offers_to_log_in(self):
        page = self.open()
        page.select_option("#pg-connect select[name=namespace]", "/desk")
        page.click("#pg-connect button[name=connect]")
        refused = page.locator('#pg-log [data-kind="refused"]')
        refused.wait_for()
        self.assertIn("Unauthorized", refused.inner_text())
        login = refused.locator("a.login")
        self.assertEqual(login.get_attribute("href"), "/accounts/login/?next=/docs%23playground")
        self.assertEqual(refused.locator('a[href="#ns--desk"]').count(), 1)
        self.assertEqual(page.inner_text("#pg-status"), "disconnected")

    def test_a_logged_in_user_is_named_and_errors_read_naturally(self):
        page = self.open(logged_in=True, **PHONE)
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
        page.select_option("#pg-connect select[name=namespace]", "/desk")
        page.click("#pg-connect button[name=connect]")
        page.locator('#pg-log [data-kind="connected"]').wait_for()
        self.assertRegex(page.inner_text("#pg-status"), r"^connected as ada · sid \S+$")
        page.click("#pg-send button[name=send]")
        ack = page.locator('#pg-log [data-kind="ack"]')
        ack.wait_for()
        self.assertIn('"ada"', ack.inner_text())  # the server's user is the page's
        self.assertEqual(ack.locator("code.hljs").count(), 1)

        page.click("#pg-connect button[name=disconnect]")
        page.select_option("#pg-connect select[name=namespace]", "/public")
        page.click("#pg-connect button[name=connect]")
        page.locator('#pg-log [data-kind="connected"]').nth(1).wait_for()
        page.fill("#pg-send textarea[name=payload]", '{"text": "nope"}')
        page.uncheck("#pg-send input[name=check]")
        page.click("#pg-send button[name=send]")
        error = page.locator('#pg-log [data-kind="error"]')
        error.wait_for()
        self.assertIn('\\"nope\\" is not a valid email', error.inner_text())  # JSON-escaped
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
