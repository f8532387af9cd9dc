"""A real daphne in a child process, for the tests where the wire itself is the subject."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Any

import requests
import socketio
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 20


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update"]


def chromium_executable(what: str) -> str:
    """Debian's chromium (or ``CHROMIUM_PATH``); without one, the tests of ``what`` skip
    loudly, and fail in CI."""
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if executable is None:
        message = (f"NO CHROMIUM: {what} did not run. Install Debian's chromium "
                   "(apt-get install chromium) or set CHROMIUM_PATH.")
        if os.environ.get("CI") == "true":
            raise RuntimeError(message)
        raise unittest.SkipTest(message)
    return executable


def launch_chromium(test_class: type[SimpleTestCase], executable: str) -> Any:
    """A headless Chromium through Playwright, closed when ``test_class`` is done."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    test_class.addClassCleanup(playwright.stop)
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    test_class.addClassCleanup(browser.close)
    return browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """``daphne tests.asgi:application`` with the given setting overrides."""

    def __init__(self, overrides: dict[str, Any], root_path: str = "", database: bool = False):
        self.overrides = dict(overrides)
        self.root_path = root_path
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory()
        self._log = Path(self._tmp.name) / "daphne.log"
        self.process: subprocess.Popen | None = None

    def _environment(self) -> dict[str, str]:
        overrides = dict(self.overrides)
        if self.database:
            overrides["DATABASES"] = {"default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(Path(self._tmp.name) / "db.sqlite3"),
            }}
        return {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
                "ASYNCTION_TEST_OVERRIDES": json.dumps(overrides, default=str)}

    def start(self, probe_path: str, command: list[str] | None = None,
              environment: dict[str, str] | None = None) -> None:
        """Run daphne (or ``python <command>``, which must serve on ``self.port``)."""
        env = {**self._environment(), **(environment or {})}
        if self.database:
            subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"],
                           cwd=ROOT, env=env, check=True)
        if command is None:
            command = ["-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
            if self.root_path:
                command += ["--root-path", self.root_path]
            command.append("tests.asgi:application")
        with self._log.open("wb") as log:
            self.process = subprocess.Popen([sys.executable, *command], cwd=ROOT,
                                            env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early:\n{self.log()}")
            try:
                requests.get(f"{self.url}{probe_path}?EIO=4&transport=polling", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"daphne did not answer within {STARTUP_TIMEOUT}s:\n{self.log()}")

    def run_python(self, code: str) -> str:
        """Run ``code`` with the server's settings and database; return its output."""
        env = self._environment()
        command = [sys.executable, "-c", f"import django; django.setup()\n{code}"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(done.stderr)
        return done.stdout

    def log(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._tmp.cleanup()


class LiveSocketIOTestCase(SimpleTestCase):
    """One daphne per test class; ``connect()`` gives real python-socketio clients."""

    overrides: dict[str, Any] = {}
    root_path = ""
    socketio_path = "socket.io"
    transport = "websocket"
    database = False

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.server = LiveServer(cls.overrides, cls.root_path, cls.database)
        cls.server.start(f"{cls.root_path}/{cls.socketio_path}/")
        cls.addClassCleanup(cls.server.stop)

    def connect(self, namespaces: list[str] | None = None, transport: str | None = None,
                query: str = "", **kwargs: Any) -> socketio.Client:
        """A connected client (disconnected after the test) over the class's transport."""
        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)
        kwargs.setdefault("socketio_path", f"{self.root_path}/{self.socketio_path}")
        url = f"{self.server.url}?{query}" if query else self.server.url
        client.connect(url, namespaces=namespaces or ["/"],
                       transports=[transport or self.transport], wait_timeout=5, **kwargs)
        return client

    def refusal(self, namespace: str = "/", auth: Any = None, query: str = "",
                headers: dict[str, str] | None = None) -> Any:
        """Connect expecting a CONNECT_ERROR; return the data the server refused with.

        Websocket classes use python-socketio's client; polling classes speak the
        protocol with plain HTTP requests, so the CONNECT_ERROR frame itself is checked.
        """
        if self.transport == "polling":
            return self._raw_polling_refusal(namespace, auth, query, headers or {})
        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)
        refused: list[Any] = []
        client.on("connect_error", refused.append, namespace=namespace)
        url = f"{self.server.url}?{query}" if query else self.server.url
        with self.assertRaises(socketio.exceptions.ConnectionError):
            client.connect(url, namespaces=[namespace], transports=["websocket"],
                           headers=headers or {},
                           socketio_path=f"{self.root_path}/{self.socketio_path}",
                           auth=auth, wait_timeout=5)
        self.assertEqual(len(refused), 1, "expected exactly one CONNECT_ERROR")
        return refused[0]

    def _raw_polling_refusal(self, namespace: str, auth: Any, query: str,
                             headers: dict[str, str]) -> Any:
        base = f"{self.server.url}{self.root_path}/{self.socketio_path}/?EIO=4&transport=polling"
        if query:
            base += f"&{query}"
        opened = requests.get(base, headers=headers, timeout=5).text
        self.assertTrue(opened.startswith("0{"), opened)
        sid = json.loads(opened[1:])["sid"]
        prefix = "" if namespace == "/" else f"{namespace},"
        body = "40" + prefix + (json.dumps(auth) if auth is not None else "")
        requests.post(f"{base}&sid={sid}", data=body, timeout=5).raise_for_status()
        reply = requests.get(f"{base}&sid={sid}", timeout=5).text
        self.assertTrue(reply.startswith("44" + prefix), f"expected CONNECT_ERROR, got {reply!r}")
        return json.loads(reply[len("44" + prefix):])
