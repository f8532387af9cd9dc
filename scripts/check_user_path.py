"""The user's path, as CI proves it: the README followed verbatim against the built wheel.

1. Clone the repository (committed files only), build the sdist and, from it, the wheel
   with no Node on PATH, and check both carry the browser bundles and their licences.
2. Install the wheel into a fresh venv, then run the README's Quick start code blocks as
   they are written (``bash`` blocks line by line; a block starting ``# path`` creates that
   file, ``# path (replace the whole file)`` replaces it, ``# path (add at the end)`` appends
   to it) and serve it with plain daphne.
3. Check it as a user would: ``manage.py check`` clean, the docs page and every asset it
   links, a real python-socketio client (a valid event acked, an invalid one refused), the
   playground in headless Chromium, and no credential or payload in daphne's output.
4. Run the README's Deployment blocks (``DEBUG = False``, collectstatic, WhiteNoise) and
   check the docs and playground again, logged in as staff.

Run with the dev venv's Python (it drives python-socketio, requests and Playwright):
``.venv/bin/python scripts/check_user_path.py [--keep]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support import (  # noqa: E402
    CHROMIUM_ARGS,
    CHROMIUM_HINT,
    eventually,
    find_chromium,
    free_port,
    start_server,
    stop,
)

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
TARGET = re.compile(r"#\s*(\S+)(?:\s*\((add at the end|replace the whole file)\))?")
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')
PACKAGED = ["asynction_django/py.typed",
            "asynction_django/templates/asynction_django/docs.html",
            "asynction_django/static/asynction_django/playground.js",
            "asynction_django/static/asynction_django/vendor/socket.io.min.js",
            "asynction_django/static/asynction_django/vendor/socket.io.min.js.LICENSE.txt",
            "asynction_django/static/asynction_django/vendor/ajv2020.min.js",
            "asynction_django/static/asynction_django/vendor/ajv2020.min.js.LICENSE.txt"]
SECRETS = {"CONNECT auth": "auth-secret-1f9e", "header": "header-secret-77ab",
           "cookie": "cookie-secret-0c3d", "payload": "payload-secret-5e21"}
STAFF = ("opsadmin", "user-path-check-1")


def step(message: str) -> None:
    print(f"== {message}", flush=True)


def run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"FAILED: {' '.join(command)} (in {cwd})\n{done.stdout}\n{done.stderr}")


def hide_node(env: dict[str, str], work: Path) -> dict[str, str]:
    """``env`` where ``node``, ``npm`` and ``npx`` fail as if they were not installed."""
    shims = work / "no-node-bin"
    shims.mkdir(exist_ok=True)
    for tool in ("node", "npm", "npx", "corepack"):
        shim = shims / tool
        shim.write_text(f"#!/bin/sh\necho '{tool} is hidden from this build' >&2\nexit 127\n")
        shim.chmod(0o755)
    return {**env, "PATH": f"{shims}{os.pathsep}{env.get('PATH', '')}"}


def build(clone: Path, dist: Path, env: dict[str, str]) -> tuple[Path, Path]:
    if subprocess.run(["node", "--version"], env=env, capture_output=True).returncode == 0:
        sys.exit("FAILED: could not hide Node from PATH")
    run([sys.executable, "-m", "build", "--outdir", str(dist), str(clone)], clone, env)
    wheel = next(dist.glob("*.whl"))
    sdist = next(dist.glob("*.tar.gz"))
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[-1] for name in archive.getnames()}
    for name in PACKAGED:
        for archive, names in ((wheel.name, in_wheel), (sdist.name, in_sdist)):
            if name not in names:
                sys.exit(f"FAILED: {archive} lacks {name}")
    licences = [name for name in in_wheel if "/licenses/" in name]
    if not any(name.endswith("/LICENSE") for name in licences):
        sys.exit(f"FAILED: the wheel's metadata carries no licence: {licences}")
    return wheel, sdist


def copy_worktree(clone: Path) -> None:
    """What a clone would hold if the working tree were committed as it is."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)


def readme_section(readme: str, title: str) -> str:
    start = readme.index(f"\n## {title}")
    end = readme.find("\n## ", start + 1)
    return readme[start:end if end != -1 else None]


def follow(section: str, site: Path, env: dict[str, str]) -> tuple[list[str], Path]:
    """Run a README section's blocks from ``site``; return its daphne command and folder."""
    cwd, daphne = site, []
    for language, body in FENCE.findall(section):
        if language == "bash":
            for line in body.splitlines():
                command = line.split("  #")[0].strip()
                if command.startswith("cd "):
                    cwd = cwd / command[3:].strip()
                elif command.startswith("daphne "):
                    daphne = command.split()
                elif command:
                    run(["bash", "-c", command], cwd, env)
            continue
        first, _, content = body.partition("\n")
        target = TARGET.fullmatch(first.strip())
        if target is None:
            sys.exit(f"FAILED: a {language} block in the README names no file: {first!r}")
        path = cwd / target.group(1)
        if target.group(2) == "add at the end":
            path.write_text(path.read_text() + "\n" + content)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    if not daphne:
        sys.exit("FAILED: the README section never says how to run daphne")
    return daphne, cwd


@contextmanager
def served(daphne: list[str], cwd: Path, env: dict[str, str], log: Path):
    port = free_port()
    command = [daphne[0], "-b", "127.0.0.1", "-p", str(port), *daphne[1:]]
    try:
        process = start_server(command, port, "daphne", path="/socket.io/?EIO=4&transport=polling",
                               log=log, timeout=30, cwd=cwd, env=env)
    except RuntimeError as exc:
        sys.exit(f"FAILED: {exc}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"FAILED: {what}")
    print(f"   ok: {what}", flush=True)


def check_assets(url: str, session: requests.Session) -> None:
    page = session.get(f"{url}/docs", timeout=10)
    check(page.status_code == 200, f"GET /docs answers 200 (got {page.status_code})")
    assets = ASSET.findall(page.text)
    check(len(assets) >= 4, f"the docs page links its assets ({len(assets)})")
    for asset in assets:
        status = session.get(f"{url}{asset}", timeout=10).status_code
        check(status == 200, f"GET {asset} answers 200 (got {status})")


def check_socketio(url: str) -> None:
    client = socketio.Client(reconnection=False)
    received: list = []
    client.on("new message", received.append, namespace="/chat")
    for transport in ("websocket", "polling"):
        client.connect(url, namespaces=["/chat"], transports=[transport], wait_timeout=10,
                       auth={"token": SECRETS["CONNECT auth"]},
                       headers={"X-Api-Key": SECRETS["header"],
                                "Cookie": f"tracking={SECRETS['cookie']}"})
        ack = client.call("send message", {"text": SECRETS["payload"]}, namespace="/chat",
                          timeout=10)
        check(isinstance(ack, dict) and isinstance(ack.get("id"), int),
              f"{transport}: a valid event is acked with its id ({ack})")
        refused = client.call("send message", {"text": ""}, namespace="/chat", timeout=10)
        check(refused["error"]["type"] == "PayloadValidationError"
              and refused["error"]["errors"][0]["pointer"] == "/text",
              f"{transport}: an invalid event gets an error ack naming /text")
        eventually(lambda: received, 10)
        check(received and received[-1] == {"text": SECRETS["payload"]},
              f"{transport}: the handler's emit reached the client")
        received.clear()
        client.disconnect()


def check_playground(url: str, staff: bool) -> None:
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        sys.exit(f"FAILED: no Chromium. {CHROMIUM_HINT}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        if staff:
            page.goto(f"{url}/admin/login/?next=/docs")
            page.fill("input[name=username]", STAFF[0])
            page.fill("input[name=password]", STAFF[1])
            page.click("input[type=submit]")
            page.wait_for_url(f"{url}/docs")
        else:
            page.goto(f"{url}/docs")
        page.select_option("#pg-connect select[name=namespace]", "/chat")
        page.click("#pg-connect button[name=connect]")
        page.locator('#pg-log [data-kind="connected"]').wait_for()
        page.select_option("#pg-send select[name=event]", "send message")
        page.fill("#pg-send textarea[name=payload]", '{"text": "from the playground"}')
        page.click("#pg-send button[name=send]")
        ack = page.locator('#pg-log [data-kind="ack"]')
        ack.wait_for()
        check('"id"' in ack.inner_text(), "the playground connects, sends and shows the ack")
        page.uncheck("#pg-send input[name=check]")
        page.fill("#pg-send textarea[name=payload]", '{"text": ""}')
        page.click("#pg-send button[name=send]")
        error = page.locator('#pg-log [data-kind="error"]')
        error.wait_for()
        check("PayloadValidationError" in error.inner_text(),
              "the playground shows the server's refusal of an invalid event")
        check(errors == [], f"no JavaScript errors in the page ({errors})")
        browser.close()


def check_log(log: Path) -> None:
    output = log.read_text(errors="replace")
    for what, secret in SECRETS.items():
        check(secret not in output, f"daphne's output carries no {what}")
    check("Traceback" not in output, "daphne's output carries no traceback")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--worktree", action="store_true",
                        help="use the working tree's files (committed or not, never ignored "
                             "ones) instead of a clone of HEAD")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="asynction-user-path-"))
    try:
        step("clone, then build the sdist and the wheel from it, with no Node on PATH")
        clone = work / "clone"
        if options.worktree:
            copy_worktree(clone)
        else:
            run(["git", "clone", "--quiet", str(ROOT), str(clone)], work, dict(os.environ))
        wheel, sdist = build(clone, work / "dist", hide_node(dict(os.environ), work))
        print(f"   built {sdist.name} and {wheel.name}")

        step("install the wheel into a fresh venv")
        venv = work / "venv"
        run([sys.executable, "-m", "venv", str(venv)], work, dict(os.environ))
        env = hide_node({**os.environ, "VIRTUAL_ENV": str(venv),
                         "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}, work)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        run(["pip", "install", "--quiet", str(wheel)], work, env)

        step("the README's Quick start, verbatim")
        readme = (clone / "README.md").read_text()
        site = work / "site"
        site.mkdir()
        daphne, project = follow(readme_section(readme, "Quick start"), site, env)
        run(["python", "manage.py", "check", "--fail-level", "WARNING"], project, env)
        print("   ok: manage.py check reports nothing")
        log = work / "daphne.log"
        with served(daphne, project, env, log) as url:
            check_assets(url, requests.Session())
            check_socketio(url)
            check_playground(url, staff=False)
        check_log(log)

        step("the README's Deployment section: DEBUG = False, collectstatic, WhiteNoise")
        daphne, project = follow(readme_section(readme, "Deployment"), project, env)
        run(["python", "manage.py", "createsuperuser", "--noinput", "--username", STAFF[0],
             "--email", "ops@example.com"], project,
            {**env, "DJANGO_SUPERUSER_PASSWORD": STAFF[1]})
        with served(daphne, project, env, log) as url:
            anonymous = requests.get(f"{url}/docs", timeout=10, allow_redirects=False)
            check(anonymous.status_code in (302, 403), "anonymous visitors cannot read the docs")
            session = requests.Session()
            login = session.get(f"{url}/admin/login/", timeout=10)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
            session.post(f"{url}/admin/login/", timeout=10, headers={"Referer": login.url},
                         data={"username": STAFF[0], "password": STAFF[1],
                               "csrfmiddlewaretoken": token.group(1) if token else ""})
            check_assets(url, session)
            check_socketio(url)
            check_playground(url, staff=True)
        check_log(log)
        print("user path: all checks passed")
    finally:
        if options.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
