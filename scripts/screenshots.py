"""Take the README's screenshots of the docs page from the example project, served for real.

    .venv/bin/python scripts/screenshots.py [--out docs]

Runs the example project under daphne (on a free port, with a database of its own in a
temporary folder and the demo users of ``seed_demo``), logs in as its staff user in
headless Chromium (Debian's ``chromium``, or ``CHROMIUM_PATH``) and writes:

- ``docs-page.png``: the top of the docs page on a desktop (1400 × 1000);
- ``playground.png``: the playground after an ack, a server event, the page's own check
  and the server's error (the whole section, 1400 px wide);
- ``docs-phone.png``: the page at 390 px wide, next to its contents drawer, opened.
"""

from __future__ import annotations

import argparse
import base64
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

STAFF = ("admin", "chat-admin-1")  # seed_demo's staff user
SETTINGS = """\
from example_project.settings import *  # noqa: F403

DEBUG = True
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {database!r}}}}}
"""


def serve(folder: Path) -> tuple[subprocess.Popen, str]:
    """The example project under daphne, on its own database; returns (process, base url)."""
    (folder / "screenshot_settings.py").write_text(
        SETTINGS.format(database=str(folder / "db.sqlite3")))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "screenshot_settings",
           "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}
    for command in (["migrate", "-v", "0"], ["seed_demo", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    # 8000 when free: the example's spec names localhost:8000, so the page says "served
    # here" as it does under ``./dev example``; else any free port.
    port = free_port(8000)
    try:
        process = start_server(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "example_project.asgi:application"], port, "daphne", path="/accounts/login/",
            log=folder / "daphne.log", timeout=30, cwd=ROOT, env=env)
    except RuntimeError as exc:
        sys.exit(str(exc))
    return process, f"http://127.0.0.1:{port}"


def logged_in_page(browser, url: str, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", STAFF[0])
    page.fill("input[name=password]", STAFF[1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/docs")
    page.wait_for_selector("code.hljs")  # highlighted: the page is ready
    return page


def desktop(browser, url: str, out: Path) -> None:
    page = logged_in_page(browser, url, viewport={"width": 1400, "height": 1000})
    page.screenshot(path=str(out / "docs-page.png"))

    log = page.locator("#pg-log")
    page.click('button.try[data-event="join room"]')
    page.click("#pg-connect button[name=connect]")
    log.locator('[data-kind="connected"]').wait_for()
    page.click("#pg-send button[name=send]")
    log.locator('[data-kind="ack"]').wait_for()
    page.select_option("#pg-send select[name=event]", "send message")
    page.click("#pg-send button[name=send]")
    log.locator('[data-kind="event"]').wait_for()
    log.locator('[data-kind="ack"]').nth(1).wait_for()
    page.fill("#pg-send textarea[name=payload]", '{"room": "Lobby!", "text": ""}')
    page.click("#pg-send button[name=send]")
    log.locator('[data-kind="invalid"]').wait_for()
    page.uncheck("#pg-send input[name=check]")
    page.click("#pg-send button[name=send]")
    log.locator('[data-kind="error"]').wait_for()
    page.click("#pg-connect summary")  # this connection in code
    # The whole playground; the top bar, sticky, would cover its heading.
    page.add_style_tag(content=".topbar { position: static; }")
    box = page.locator("#playground").evaluate(
        "node => { const box = node.getBoundingClientRect();"
        " return {x: box.x + scrollX - 24, y: box.y + scrollY - 16,"
        " width: box.width + 48, height: box.height + 16}; }")
    page.screenshot(path=str(out / "playground.png"), full_page=True, clip=box)
    page.context.close()


def phone(browser, url: str, out: Path) -> None:
    page = logged_in_page(browser, url, viewport={"width": 390, "height": 844},
                          device_scale_factor=2, is_mobile=True, has_touch=True)
    shots = [page.screenshot()]
    page.click(".nav-toggle")
    page.wait_for_timeout(400)  # the drawer slides in
    shots.append(page.screenshot())
    page.context.close()
    # The two side by side, drawn by the browser itself.
    images = "".join(f'<img src="data:image/png;base64,{base64.b64encode(shot).decode()}">'
                     for shot in shots)
    sheet = browser.new_page(viewport={"width": 2 * 390 + 3 * 24, "height": 844 + 2 * 24},
                             device_scale_factor=1)
    sheet.set_content(
        "<style>body{margin:0;padding:24px;display:flex;gap:24px;background:#e9edf3}"
        "img{width:390px;height:844px;border-radius:18px;box-shadow:0 4px 16px #0003}</style>"
        + images)
    sheet.screenshot(path=str(out / "docs-phone.png"))
    sheet.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        sys.exit(f"no Chromium. {CHROMIUM_HINT}")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        process, url = serve(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable,
                                                     args=CHROMIUM_ARGS)
                desktop(browser, url, args.out)
                phone(browser, url, args.out)
                browser.close()
        finally:
            stop(process)
    for name in ("docs-page.png", "playground.png", "docs-phone.png"):
        print(f"wrote {args.out / name}")


if __name__ == "__main__":
    main()
