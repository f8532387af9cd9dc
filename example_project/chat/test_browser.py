"""The example chat, its docs and its playground, used in a real headless Chromium.

Needs Debian's ``chromium`` (``apt-get install chromium``; ``.ci/run`` installs it) or
``CHROMIUM_PATH``. Without one, the tests skip loudly on a developer's machine and fail
in CI. ``ASYNCTION_SCREENSHOTS=docs`` saves the README's screenshots there.
"""

from __future__ import annotations

import os
import shutil
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from asynction_django import presence
from asynction_django.testing import SocketIOLiveServerTestCase, session_cookie

from .tests import OnRedis, eventually

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update"]
WAIT_MS = 10_000


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which(
        "chromium-browser")


class BrowserTestCase(SocketIOLiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        executable = chromium_path()
        if executable is None:
            message = ("NO CHROMIUM: the browser tests of the docs and playground did not run. "
                       "Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH.")
            if os.environ.get("CI") == "true":
                raise RuntimeError(message)
            raise unittest.SkipTest(message)
        from playwright.sync_api import sync_playwright

        super().setUpClass()
        # Playwright's sync API keeps an event loop running in this thread, which makes
        # Django refuse ORM calls here; the test's own ORM use is sync and safe.
        cls._async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=executable,
                                                     args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        if cls._async_unsafe is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = cls._async_unsafe
        super().tearDownClass()

    def open_page(self, javascript: bool = True, **options):
        options.setdefault("viewport", {"width": 1400, "height": 1000})
        context = self.browser.new_context(java_script_enabled=javascript, **options)
        self.addCleanup(context.close)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        errors = self.__dict__.setdefault("page_errors", [])  # of every page of the test
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    def log_in(self, page, username: str) -> None:
        page.goto(f"{self.live_server_url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "browser-test-1")
        page.click("button[type=submit]")
        page.wait_for_url(f"{self.live_server_url}/")

    def screenshot(self, page, name: str) -> None:
        folder = os.environ.get("ASYNCTION_SCREENSHOTS")
        if folder:
            page.screenshot(path=str(Path(folder) / name))

    def open_chat(self, username: str, **options):
        page = self.open_page(**options)
        self.log_in(page, username)
        page.locator('#status[data-state="connected"]').wait_for()
        page.locator(f'#members li[data-user="{username}"]').wait_for()  # the join's ack
        return page

    def members(self, page) -> list[str]:
        return page.eval_on_selector_all("#members li", "items => items.map(i => i.dataset.user)")

    def notices(self, page) -> list[str]:
        return page.locator("#messages .notice:not(.empty)").all_inner_texts()

    def wait_for_text(self, page, selector: str, text: str) -> None:
        page.wait_for_function("([selector, text]) => document.querySelector(selector)"
                               ".textContent === text", arg=[selector, text])


class DocsInBrowserTests(BrowserTestCase):
    def setUp(self):
        users = get_user_model().objects
        self.staff = users.create_user("grace", password="browser-test-1", is_staff=True)
        self.page = self.open_page()
        self.log_in(self.page, "grace")
        self.page.goto(f"{self.live_server_url}/docs")

    def test_a_reader_sees_the_whole_api(self):
        page = self.page
        self.assertEqual(page.title(), "Example chat 1.0.0 · Socket.IO API")
        self.assertIn("/socket.io/", page.inner_text("#overview"))
        self.assertIn("configured", page.inner_text("#servers"))
        send = page.locator('article[data-event="send message"]')
        text = send.inner_text()
        for expected in ("client → server", "Say something in a room", "room", "text",
                         "pattern: ^[a-z0-9-]{1,32}$", "length ≤ 500", "Ack", "format: date-time",
                         '"text": "Hello everyone"'):
            self.assertIn(expected, text)
        # Required: the argument, room, text; the ack, id, created.
        self.assertEqual(send.locator(".req").count(), 6)
        presence = page.locator('article[data-event="presence"]').inner_text()
        self.assertIn("server → client", presence)
        self.assertIn("(generated: the spec gives none)", presence)
        self.assertIn("session (scopes: auth.view_user)",
                      page.locator('section[data-namespace="/admin"] dl').inner_text())
        self.assertIn("httpApiKey", page.inner_text("#security"))
        # Search narrows the contents and the events to what matches.
        page.fill("#docs-search", "typing")
        self.assertTrue(page.locator('article[data-event="send message"]').is_hidden())
        self.assertEqual(page.locator('article[data-event="typing"]:visible').count(), 2)
        page.fill("#docs-search", "")
        self.screenshot(page, "docs-page.png")
        self.assertEqual(self.page_errors, [])

    def test_the_playground_connects_sends_and_shows_what_comes_back(self):
        page = self.page
        log = page.locator("#pg-log")
        page.click('button.try[data-event="join room"]')
        self.assertEqual(page.input_value("#pg-send select[name=event]"), "join room")
        page.click("#pg-connect button[name=connect]")
        log.locator('[data-kind="connected"]').wait_for()
        self.assertIn("connected as", page.inner_text("#pg-status"))

        page.click("#pg-send button[name=send]")  # the pre-filled example: {"room": "lobby"}
        self.assertIn('"history": []', log.locator('[data-kind="ack"]').last.inner_text())
        # The server's presence tells the room, the newcomer included, who arrived.
        arrived = log.locator('[data-kind="event"]', has_text='"room": "lobby"')
        arrived.wait_for()
        self.assertIn("presence:join", arrived.inner_text())

        page.select_option("#pg-send select[name=event]", "send message")
        self.assertIn("Hello everyone", page.input_value("#pg-send textarea[name=payload]"))
        page.click("#pg-send button[name=send]")
        message = log.locator('[data-kind="event"]', has_text="new message")
        message.wait_for()
        self.assertIn('"text": "Hello everyone"', message.inner_text())
        log.locator('[data-kind="ack"]').nth(1).wait_for()
        self.assertIn('"id"', log.locator('[data-kind="ack"]').nth(1).inner_text())

        # The page checks the payload against the schema first...
        page.fill("#pg-send textarea[name=payload]", '{"room": "lobby"}')
        page.click("#pg-send button[name=send]")
        invalid = log.locator('[data-kind="invalid"]')
        invalid.wait_for()
        self.assertIn('\\"text\\" is a required property', invalid.inner_text())  # as the server
        # ...and without that check the server's own validation answers.
        page.uncheck("#pg-send input[name=check]")
        page.click("#pg-send button[name=send]")
        error = log.locator('[data-kind="error"]')
        error.wait_for()
        self.assertIn("PayloadValidationError", error.inner_text())
        self.assertIn('\\"text\\" is a required property', error.inner_text())  # JSON-escaped
        page.locator("#playground").scroll_into_view_if_needed()
        self.screenshot(page, "playground.png")
        self.assertEqual(self.page_errors, [])

    def test_refusals_show_as_the_server_reports_them(self):
        page = self.page
        page.select_option("#pg-connect select[name=namespace]", "/admin")
        page.click("#pg-connect button[name=connect]")
        refused = page.locator('#pg-log [data-kind="refused"]')
        refused.wait_for()
        self.assertIn("Forbidden", refused.inner_text())  # staff, but no auth.view_user
        self.assertEqual(page.inner_text("#pg-status"), "disconnected")

        self.staff.user_permissions.add(Permission.objects.get(codename="view_user"))
        page.select_option("#pg-connect select[name=transport]", "polling")
        page.click("#pg-connect button[name=connect]")
        page.locator('#pg-log [data-kind="connected"]').wait_for()
        page.locator('#pg-log [data-kind="event"]').wait_for()  # presence, sent on connect
        self.assertIn("presence", page.locator('#pg-log [data-kind="event"]').inner_text())
        self.assertEqual(page.input_value("#pg-send select[name=event]"), "broadcast")

    def test_bad_json_is_reported_in_the_page(self):
        page = self.page
        page.fill("#pg-connect textarea[name=auth]", "{not json")
        page.click("#pg-connect button[name=connect]")
        invalid = page.locator('#pg-log [data-kind="invalid"]')
        invalid.wait_for()
        self.assertIn("CONNECT auth is not JSON", invalid.inner_text())


class DocsWithoutJavaScriptTests(BrowserTestCase):
    def test_the_page_reads_without_javascript(self):
        get_user_model().objects.create_user("ada", password="browser-test-1", is_staff=True)
        page = self.open_page(javascript=False)
        self.log_in(page, "ada")
        page.goto(f"{self.live_server_url}/docs")
        self.assertIn("Say something in a room",
                      page.locator('article[data-event="send message"]').inner_text())
        self.assertTrue(page.locator("#pg").is_hidden())
        self.assertIn("The playground needs JavaScript", page.inner_text("#playground"))
        page.click('.sidebar a[href="#send--admin-presence"]')  # plain anchors still navigate
        self.assertEqual(page.url, f"{self.live_server_url}/docs#send--admin-presence")


class ChatInBrowserTests(BrowserTestCase):
    """The chat page itself: a phone's width, readable refusals, presence and typing."""

    PHONE = {"width": 390, "height": 844}

    def setUp(self):
        users = get_user_model().objects
        self.users = {name: users.create_user(name, password="browser-test-1")
                      for name in ("alice", "bob", "carol")}

    def assert_fits_the_phone(self, page) -> None:
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
        send = page.locator("#send")
        self.assertTrue(send.is_visible())
        box = send.bounding_box()
        self.assertGreaterEqual(box["x"], 0)
        self.assertLessEqual(box["x"] + box["width"], 390)
        self.assertLessEqual(box["y"] + box["height"], 844)

    def test_on_a_phone_a_long_invalid_message_is_refused_in_words_and_kept(self):
        page = self.open_chat("alice", viewport=self.PHONE, is_mobile=True, has_touch=True)
        self.assert_fits_the_phone(page)
        text = "Far too long, and one very long word: " + "x" * 600
        page.fill("#composer textarea", text)
        page.click("#send")
        self.wait_for_text(page, "#error", "Message too long (max 500 characters)")
        self.assertNotIn("xxxxxxxxxx", page.inner_text("#error"))  # never the value
        self.assertEqual(page.input_value("#composer textarea"), text)  # kept, to be fixed
        self.assertEqual(page.inner_text("#counter"), f"{len(text)} / 500")
        self.assertEqual(page.get_attribute("#composer textarea", "aria-invalid"), "true")
        self.assert_fits_the_phone(page)
        # Cut to the limit, it goes out; a 500-character word wraps instead of widening.
        page.fill("#composer textarea", "y" * 500)
        self.assertEqual(page.inner_text("#error"), "")
        page.click("#send")
        page.locator("#messages .msg .text").wait_for()
        self.assertEqual(page.input_value("#composer textarea"), "")
        self.assertEqual(page.inner_text("#messages .msg .text"), "y" * 500)
        self.assert_fits_the_phone(page)
        self.assertEqual(self.page_errors, [])

    def test_an_invalid_room_name_is_refused_in_words(self):
        page = self.open_chat("alice")
        # Without the form's own pattern check, the server's check answers.
        page.eval_on_selector("#new-room input", "input => input.removeAttribute('pattern')")
        page.fill("#new-room input", "Not A Room")
        page.press("#new-room input", "Enter")
        self.wait_for_text(page, "#room-error",
                           "Room names are 1–32 lowercase letters, digits or dashes")
        self.assertEqual(page.inner_text("#room-name"), "lobby")

    def test_two_people_see_each_other_arrive_type_talk_and_leave(self):
        alice = self.open_chat("alice")
        bob = self.open_chat("bob", viewport=self.PHONE)
        alice.locator('#members li[data-user="bob"]').wait_for()
        self.assertEqual(self.members(alice), ["alice", "bob"])
        self.assertEqual(self.members(bob), ["alice", "bob"])
        self.assertEqual(alice.inner_text("#member-count"), "2")
        self.assertEqual(self.notices(alice), ["bob joined"])
        self.assertEqual(self.notices(bob), [])  # not told of their own arrival

        bob.locator("#composer textarea").press_sequentially("hello ali")
        self.wait_for_text(alice, "#typing", "bob is typing…")
        self.assertEqual(bob.inner_text("#typing"), "")  # not your own
        bob.press("#composer textarea", "Enter")
        alice.locator("#messages .msg .text").wait_for()
        self.assertEqual(alice.inner_text("#messages .msg .text"), "hello ali")
        self.wait_for_text(alice, "#typing", "")

        # bob moves to another room: alice sees him leave, he sees only himself there.
        bob.fill("#new-room input", "design")
        bob.press("#new-room input", "Enter")
        self.wait_for_text(bob, "#room-name", "design")
        alice.locator('#members li[data-user="bob"]').wait_for(state="detached")
        self.assertEqual(self.members(alice), ["alice"])
        self.assertEqual(self.members(bob), ["bob"])
        self.assertEqual(self.notices(alice)[-1], "bob left")
        self.assertEqual(self.page_errors, [])

    def test_a_flood_is_refused_in_words_and_send_comes_back(self):
        """x-rate-limit: a burst of 5 messages, then 5 a second. A script in the page floods
        its connection, then the user presses Enter: the refusal is a sentence, the text is
        kept, Send waits out the server's retry_after, and the same connection then takes
        the message."""
        page = self.open_chat("alice")
        page.fill("#composer textarea", "are you there?")
        seen = page.evaluate_handle("""() => {
            const error = document.querySelector("#error");
            const seen = [];  // the error line and the composer, each time the line changes
            new MutationObserver(() => seen.push({
                text: error.textContent, sendDisabled: document.querySelector("#send").disabled,
                draft: document.querySelector("#composer textarea").value,
            })).observe(error, { childList: true, characterData: true, subtree: true });
            for (let n = 0; n < 10; n++) {
                chatSocket.emit("send message", { room: "lobby", text: `flood ${n}` });
            }
            document.querySelector("#composer").requestSubmit();
            return seen;
        }""")
        page.wait_for_function("seen => seen.length >= 2", arg=seen)  # shown, then cleared
        self.assertEqual(seen.json_value()[:2], [
            {"text": "Slow down: try again in 1 s", "sendDisabled": True,
             "draft": "are you there?"},
            {"text": "", "sendDisabled": False, "draft": "are you there?"}])
        self.assertIsNone(page.get_attribute("#composer textarea", "aria-invalid"))
        page.press("#composer textarea", "Enter")
        page.locator("#messages .msg .text", has_text="are you there?").wait_for()
        self.assertEqual(page.input_value("#composer textarea"), "")
        self.assertEqual(page.inner_text("#error"), "")
        texts = page.locator("#messages .msg .text").all_inner_texts()
        self.assertLessEqual({f"flood {n}" for n in range(5)}, set(texts))  # the burst
        self.assertLess(len(texts), 11)  # and not the rest of the flood
        self.assertEqual(self.page_errors, [])

    def test_a_dropped_connection_comes_back_without_a_gap(self):
        """Connection state recovery: alice's network goes while bob talks; back, she has
        every message once, in order, with the same sid and room, and bob still sees her."""
        alice = self.open_chat("alice")
        bob = self.open_chat("bob")
        alice.locator('#members li[data-user="bob"]').wait_for()
        sid = alice.evaluate("chatSocket.id")
        alice.evaluate("""() => {
            const manager = chatSocket.io;  // come back in 1.5 s, after bob has talked
            manager.reconnectionDelay(1500); manager.reconnectionDelayMax(1500);
            manager.randomizationFactor(0);
            manager.engine.close();  // the network goes: no goodbye
        }""")
        self.wait_for_text(alice, "#status", "reconnecting…")
        for text in ("one", "two", "three"):
            bob.fill("#composer textarea", text)
            bob.press("#composer textarea", "Enter")
            bob.locator("#messages .msg .text", has_text=text).wait_for()
        alice.locator('#status[data-state="connected"]').wait_for()
        alice.locator("#messages .msg .text", has_text="three").wait_for()
        self.assertEqual(alice.locator("#messages .msg .text").all_inner_texts(),
                         ["one", "two", "three"])
        self.assertEqual(alice.evaluate("[chatSocket.recovered, chatSocket.id]"), [True, sid])
        bob.fill("#composer textarea", "four")
        bob.press("#composer textarea", "Enter")
        alice.locator("#messages .msg .text", has_text="four").wait_for()
        self.assertEqual(alice.locator("#messages .msg .text").all_inner_texts(),
                         ["one", "two", "three", "four"])
        self.assertEqual(self.members(bob), ["alice", "bob"])
        self.assertEqual(self.page_errors, [])

    def test_a_typing_indicator_without_a_repeat_expires(self):
        alice = self.open_page()
        alice.clock.install()
        self.log_in(alice, "alice")
        alice.locator('#members li[data-user="alice"]').wait_for()
        # carol's client says "typing" once and never "stopped" (a closed laptop lid).
        carol = self.socketio_connect("/", headers={"Cookie": session_cookie(
            self.users["carol"])})
        carol.call("join room", {"room": "lobby"}, timeout=5)
        alice.locator('#members li[data-user="carol"]').wait_for()
        carol.emit("typing", ("lobby", True))
        self.wait_for_text(alice, "#typing", "carol is typing…")
        alice.clock.fast_forward(4000)
        self.assertEqual(alice.inner_text("#typing"), "carol is typing…")
        alice.clock.fast_forward(1500)
        self.wait_for_text(alice, "#typing", "")
        self.assertEqual(self.members(alice), ["alice", "carol"])  # typing ended, not presence

    def test_light_and_dark_themes_follow_the_system(self):
        backgrounds = {}
        for scheme in ("light", "dark"):
            page = self.open_chat("alice", color_scheme=scheme)
            backgrounds[scheme] = page.evaluate(
                "getComputedStyle(document.querySelector('.chat')).backgroundColor")
        self.assertEqual(backgrounds, {"light": "rgb(255, 255, 255)",
                                       "dark": "rgb(23, 26, 35)"})


class PresenceInBrowserTests(OnRedis, BrowserTestCase):
    """Several tabs of one user in the page's "Here now" list. On Redis, as `./dev cluster`
    keeps presence, so this test's process reads the counts daphne's process wrote."""

    def setUp(self):
        for name in ("alice", "bob"):
            get_user_model().objects.create_user(name, password="browser-test-1")

    def connections(self, room="lobby") -> dict[str, int]:
        """Who presence counts in ``room``: username -> connections. Asked from a thread of
        its own: Playwright keeps an event loop running in this one."""
        with ThreadPoolExecutor(1) as thread:
            members = thread.submit(presence, room, namespace="/").result()
        return {member.info["username"]: member.connections for member in members}

    def test_a_user_comes_with_their_first_tab_and_goes_with_their_last(self):
        alice = self.open_chat("alice")
        first_tab, second_tab = self.open_chat("bob"), self.open_chat("bob")
        self.assertEqual(self.members(second_tab), ["alice", "bob"])
        eventually(lambda: self.connections() == {"alice": 1, "bob": 2}, "bob's two tabs")
        self.assertEqual(self.members(alice), ["alice", "bob"])
        self.assertEqual(self.notices(alice), ["bob joined"])  # once, not per tab

        first_tab.close()
        # Counted down to one: the server has decided, and bob did not leave.
        eventually(lambda: self.connections() == {"alice": 1, "bob": 1}, "bob's tab closed")
        self.assertEqual(self.members(alice), ["alice", "bob"])
        self.assertEqual(self.notices(alice), ["bob joined"])

        second_tab.close()
        alice.locator('#members li[data-user="bob"]').wait_for(state="detached")
        self.assertEqual(self.notices(alice), ["bob joined", "bob left"])
        self.assertEqual(alice.inner_text("#member-count"), "1")
        self.assertEqual(self.connections(), {"alice": 1})
        self.assertEqual(self.page_errors, [])
