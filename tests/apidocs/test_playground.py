"""The playground and the page in headless Chromium, served by a real daphne (#25).

Every event is sent with an ack, so a refusal shows; the page's check words errors as the
server does and says formats are the server's to check; a refused connection says what
the namespace's security scheme wants; search covers fields and says when nothing matches;
at 390 px nothing covers code or content.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from tests.support import LiveServer, chromium_executable, launch_chromium

SPEC = Path(__file__).resolve().parents[1] / "specs" / "playground.yaml"
WAIT_MS = 10_000
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

# Elements whose boxes the contents bar must never cover, each scrolled into view at the
# top, middle and bottom of the screen; the rectangles that overlap, as [what, where].
COVERED = """() => {
  const bar = document.querySelector(".nav-toggle");
  const overlaps = (a, b) => a.left < b.right && b.left < a.right
    && a.top < b.bottom && b.top < a.bottom;
  const found = [];
  const targets = Array.from(document.querySelectorAll(
    "button.try, .content .copy, #pg-send button, .event h4, #pg-log"));
  for (const target of targets) {
    for (const block of ["start", "center", "end"]) {
      target.scrollIntoView({block: block, behavior: "instant"});
      const box = target.getBoundingClientRect();
      if (box.width && overlaps(bar.getBoundingClientRect(), box)) {
        found.push([target.outerHTML.slice(0, 60), block]);
      }
    }
  }
  window.scrollTo(0, 0);
  return found;
}"""

# Each copy button against the lines of text of its code block: the ones that overlap.
COPY_OVER_CODE = """() => {
  const overlaps = (a, b) => a.left < b.right && b.left < a.right
    && a.top < b.bottom && b.top < a.bottom;
  const found = [];
  for (const wrap of document.querySelectorAll(".content .code-wrap")) {
    const button = wrap.querySelector(".copy").getBoundingClientRect();
    const code = wrap.querySelector("pre code") || wrap.querySelector("pre");
    if (!button.width) continue;  // in a closed <details>
    const range = document.createRange();
    range.selectNodeContents(code);
    const lines = Array.from(range.getClientRects()).concat([code.getBoundingClientRect()]);
    if (lines.some(line => line.width && overlaps(line, button))) {
      found.push(code.textContent.slice(0, 60));
    }
  }
  return found;
}"""


def logged_json(entry) -> object:
    """The value a log entry shows (the playground writes it as indented JSON)."""
    return json.loads(entry.locator("pre code").inner_text())


class PlaygroundInChromiumTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        executable = chromium_executable("the browser tests of the playground")
        cls.server = LiveServer({
            "ASYNCTION_SPEC": str(SPEC), "ASYNCTION_DOCS_ACCESS": "open",
            "DEBUG": True,  # static files served
            "INSTALLED_APPS": [*settings.INSTALLED_APPS, "django.contrib.staticfiles"],
        })
        cls.server.start("/socket.io/")
        cls.addClassCleanup(cls.server.stop)
        cls.browser = launch_chromium(cls, executable)

    def open(self, **options):
        context = self.browser.new_context(**{**DESKTOP, **options})
        self.addCleanup(context.close)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        self.page_errors: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.goto(f"{self.server.url}/docs")
        page.wait_for_selector("article code.language-json.hljs")  # docs.js has run
        return page

    def tearDown(self):
        self.assertEqual(getattr(self, "page_errors", []), [])

    def connect(self, page, namespace: str) -> None:
        page.select_option("#pg-connect select[name=namespace]", namespace)
        page.click("#pg-connect button[name=connect]")
        page.locator('#pg-log [data-kind="connected"]').last.wait_for()

    # Item 2: acks and formats ------------------------------------------------------------

    def test_an_event_that_declares_no_ack_still_shows_the_servers_refusal(self):
        page = self.open()
        self.connect(page, "/notes")
        page.select_option("#pg-send select[name=event]", "note")  # no x-ack
        # The page's check passes (it checks no format); the server refuses, and says so.
        page.fill("#pg-send textarea[name=payload]", '{"text": "nope"}')
        page.click("#pg-send button[name=send]")
        error = page.locator('#pg-log [data-kind="error"]')
        error.wait_for()
        refusal = logged_json(error)["error"]
        self.assertEqual(refusal["type"], "PayloadValidationError")
        self.assertEqual(refusal["errors"][0]["pointer"], "/text")
        self.assertIn('"nope" is not a valid email', refusal["errors"][0]["message"])
        # Accepted, it is acked too (with the handler's return value).
        page.fill("#pg-send textarea[name=payload]", '{"text": "ann@example.com"}')
        page.click("#pg-send button[name=send]")
        self.assertEqual(logged_json(page.locator('#pg-log [data-kind="ack"]')),
                         "ann@example.com")

    def test_the_form_says_formats_are_checked_by_the_server(self):
        page = self.open()
        page.select_option("#pg-connect select[name=namespace]", "/notes")
        page.select_option("#pg-send select[name=event]", "note")
        formats = page.locator("#pg-formats")
        self.assertTrue(formats.is_visible())
        self.assertIn("format (email): formats are checked by the server", formats.inner_text())
        # An event whose schema uses no format says nothing about formats.
        page.select_option("#pg-send select[name=event]", "tag")
        self.assertTrue(formats.is_hidden())

    # Item 6: one wording, one pointer convention -----------------------------------------

    def test_the_pages_check_and_the_server_report_the_same_errors(self):
        page = self.open()
        self.connect(page, "/notes")
        page.select_option("#pg-send select[name=event]", "note")
        log = page.locator("#pg-log")
        for payload in ('{"text": "%s"}' % ("x" * 25), "5", '{"text": 7, "more": 1}'):
            with self.subTest(payload=payload):
                page.click("#pg-send button[name=clear]")
                page.check("#pg-send input[name=check]")
                page.fill("#pg-send textarea[name=payload]", payload)
                page.click("#pg-send button[name=send]")
                mine = logged_json(log.locator('[data-kind="invalid"]'))
                page.uncheck("#pg-send input[name=check]")
                page.click("#pg-send button[name=send]")
                server = logged_json(log.locator('[data-kind="error"]'))["error"]["errors"]
                # The same, but for formats: the page leaves them to the server (it says so).
                server = [error for error in server if error["keyword"] != "format"]
                self.assertEqual(sorted(mine, key=json.dumps), sorted(server, key=json.dumps))
        # The root is "" (RFC 6901), and the limit is stated.
        page.check("#pg-send input[name=check]")
        page.click("#pg-send button[name=clear]")
        page.fill("#pg-send textarea[name=payload]", "5")
        page.click("#pg-send button[name=send]")
        self.assertEqual(logged_json(log.locator('[data-kind="invalid"]')),
                         [{"pointer": "", "message": "5 is not an object", "keyword": "type"}])
        page.click("#pg-send button[name=clear]")
        page.fill("#pg-send textarea[name=payload]", '{"text": "%s"}' % ("x" * 25))
        page.click("#pg-send button[name=send]")
        (error,) = logged_json(log.locator('[data-kind="invalid"]'))
        self.assertEqual(error["pointer"], "/text")
        self.assertIn("is longer than 20 characters", error["message"])

    # Item 3: the refusal says what the scheme wants -----------------------------------------

    def test_a_bearer_namespace_says_to_send_a_token_not_to_log_in(self):
        page = self.open()
        page.select_option("#pg-connect select[name=namespace]", "/vault")
        page.click("#pg-connect button[name=connect]")
        refused = page.locator('#pg-log [data-kind="refused"]')
        refused.wait_for()
        hint = refused.locator(".hint").inner_text()
        self.assertIn("This namespace needs a bearer token (JWT) (security scheme bearer): "
                      'put it in CONNECT auth as {"token": "…"}', hint)
        self.assertNotIn("log in", hint.lower())
        self.assertEqual(refused.locator("a.login").count(), 0)
        self.assertEqual(refused.locator('a[href="#ns--vault"]').count(), 1)
        # Doing what it says connects.
        page.fill("#pg-connect textarea[name=auth]", '{"token": "tok-1"}')
        self.connect(page, "/vault")

    # Item 4: search ---------------------------------------------------------------------

    def test_search_finds_fields_and_descriptions_and_says_when_nothing_matches(self):
        page = self.open()
        empty = page.locator("#search-empty")
        for query, shown, hidden in (("colour", "tag", "note"), ("reply goes", "note", "tag"),
                                     ("writeNote", "note", "open")):
            with self.subTest(query=query):
                page.fill("#docs-search", query)
                self.assertTrue(page.locator(f'article[data-event="{shown}"]').is_visible())
                self.assertTrue(page.locator(f'article[data-event="{hidden}"]').is_hidden())
                self.assertTrue(page.locator(f'.nav-event[href$="-{shown}"]').is_visible())
                self.assertTrue(page.locator(f'.nav-event[href$="-{hidden}"]').is_hidden())
                self.assertTrue(empty.is_hidden())
        page.fill("#docs-search", "zebra")
        self.assertTrue(empty.is_visible())
        self.assertIn("No matches", empty.inner_text())
        self.assertIn("zebra", empty.inner_text())
        self.assertEqual(page.locator("article.event:visible").count(), 0)
        page.press("#docs-search", "Escape")
        self.assertTrue(empty.is_hidden())
        self.assertEqual(page.locator("article.event:visible").count(), 3)

    # Item 5: a phone ----------------------------------------------------------------------

    def test_at_390_px_no_copy_button_covers_code(self):
        page = self.open(**PHONE)
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
        self.assertEqual(page.evaluate(COPY_OVER_CODE), [])
        page.click('button.try[data-event="note"]')
        page.click("#pg-connect summary")  # this connection in code, with its copy button
        page.fill("#pg-connect textarea[name=auth]", '{"token": "a-long-token-for-a-phone"}')
        self.assertEqual(page.evaluate(COPY_OVER_CODE), [])
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)

    def test_at_390_px_the_contents_bar_covers_nothing(self):
        page = self.open(**PHONE)
        self.assertEqual(page.evaluate(COVERED), [])
        # Anchors land below the bar, and the drawer opens below it.
        toggle = page.locator(".nav-toggle")
        toggle.click()
        page.locator('#sidebar a[href="#receive--notes-tag"]').click()
        page.locator("#sidebar").wait_for(state="hidden")
        bar = toggle.bounding_box()
        article = page.locator("#receive--notes-tag").bounding_box()
        self.assertGreaterEqual(article["y"], bar["y"] + bar["height"])
        toggle.click()
        first = page.locator("#sidebar a").first
        first.wait_for(state="visible")
        self.assertGreaterEqual(page.locator("#sidebar").bounding_box()["y"],
                                toggle.bounding_box()["y"] + toggle.bounding_box()["height"] - 1)
        self.assertEqual(" ".join(toggle.inner_text().split()), "✕ Close")
        toggle.click()  # the bar closes what it opened
        page.locator("#sidebar").wait_for(state="hidden")
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
