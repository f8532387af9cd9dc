"""The README's screenshots of the example chat, taken from a live server.

    .venv/bin/python scripts/chat_screenshots.py [--out docs]

It serves the example project with ``manage.py runserver`` (daphne's) on a free port and a
throw-away database, creates the demo users (``manage.py seed_demo``), then drives two
headless Chromium users: bob chats in two rooms, alice joins, they talk, bob starts typing.
It saves ``example-chat.png`` (alice's desktop, light theme) and ``example-chat-phone.png``
(alice on a 390 px phone, dark theme, an over-long message refused by the spec) in --out.

Needs Debian's ``chromium`` (or ``CHROMIUM_PATH``) and Playwright (the dev extra).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support import (  # noqa: E402
    CHROMIUM_ARGS,
    CHROMIUM_HINT,
    find_chromium,
    free_port,
    start_server,
    stop,
)

PASSWORD = "chat-demo-1"  # manage.py seed_demo's alice and bob
DESKTOP = {"width": 1280, "height": 760}
PHONE = {"width": 390, "height": 844}
SETTINGS = """\
from example_project.settings import *  # noqa: F403

DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {database!r}}}}}
"""


def serve(folder: Path, port: int) -> subprocess.Popen:
    """The example project on a database of its own, so the screenshots start from nothing."""
    (folder / "screenshot_settings.py").write_text(
        SETTINGS.format(database=str(folder / "chat.sqlite3")), encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "screenshot_settings",
           "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate"], ["seed_demo"]):
        subprocess.run([*manage, *command, "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    try:
        return start_server([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], port,
                            "the example server", path="/accounts/login/", timeout=30,
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None


def open_chat(browser, url: str, username: str, **context):
    page = browser.new_context(**context).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    page.locator('#status[data-state="connected"]').wait_for()
    page.locator("#members li").first.wait_for()
    return page


def say(page, text: str) -> None:
    count = page.locator("#messages .text").count()
    page.fill("#composer textarea", text)
    page.press("#composer textarea", "Enter")
    page.locator("#messages .text").nth(count).wait_for()


def join(page, room: str) -> None:
    page.fill("#new-room input", room)
    page.press("#new-room input", "Enter")
    page.wait_for_function(f"document.querySelector('#room-name').textContent === {room!r}")


def take(url: str, out: Path, executable: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        bob = open_chat(browser, url, "bob", viewport=DESKTOP)
        join(bob, "design")
        say(bob, "Phone mock-ups are ready for review.")
        join(bob, "releases")
        say(bob, "1.4 is tagged.")
        bob.click("#rooms button:text-is('#lobby')")
        bob.wait_for_function("document.querySelector('#room-name').textContent === 'lobby'")
        say(bob, "Morning! The deploy went out at nine.")
        say(bob, "Release notes are in #releases.")

        alice = open_chat(browser, url, "alice", viewport=DESKTOP, color_scheme="light")
        say(alice, "Great, thanks! Trying the new layout on my phone now.")
        say(bob, "The people list and the typing indicator are live: open a second browser "
                 "and watch this side.")
        say(alice, "Both show up here as you go.")
        bob.locator("#composer textarea").press_sequentially("Looks tidy on desktop")
        alice.wait_for_function("document.querySelector('#typing').textContent !== ''")
        alice.screenshot(path=str(out / "example-chat.png"))

        phone = open_chat(browser, url, "alice", viewport=PHONE, device_scale_factor=2,
                          is_mobile=True, has_touch=True, color_scheme="dark")
        long = ("A long update from the phone, far past what the spec allows for one "
                "message. ") * 7
        phone.fill("#composer textarea", long.strip())
        phone.click("#send")
        phone.locator("#error").wait_for()
        # Typing repeats "true" every two seconds: type long enough for the phone to hear.
        bob.locator("#composer textarea").press_sequentially(" and on the phone", delay=200)
        phone.wait_for_function("document.querySelector('#typing').textContent !== ''")
        phone.screenshot(path=str(out / "example-chat-phone.png"))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    options = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        raise SystemExit(f"no Chromium. {CHROMIUM_HINT}")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="chat-screenshots-") as folder:
        server = serve(Path(folder), port)
        try:
            take(f"http://127.0.0.1:{port}", options.out, executable)
        finally:
            stop(server)
    print(f"saved {options.out / 'example-chat.png'} and {options.out / 'example-chat-phone.png'}")


if __name__ == "__main__":
    main()
