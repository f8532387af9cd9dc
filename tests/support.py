"""What the tests need from this machine, each written once: services and programs,
ports, processes, Chromium, real brokers, and a real daphne serving the test project.

scripts/ and bench/ use it too. One rule for anything missing (:func:`skip_or_fail`): a
developer's machine skips the tests that need it, loudly; CI (``CI=true``) fails them.
Every wait is on a condition, with a deadline (:func:`wait_until`), never a fixed sleep.
"""

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
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import requests
import socketio
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "specs"
STARTUP_TIMEOUT = 20  # seconds a server may take to answer after it was started
WAIT = 3.0  # seconds an awaited condition may take, unless a test says otherwise

# Services and programs --------------------------------------------------------------


def skip_or_fail(missing: str, what: str, hint: str) -> NoReturn:
    """The one rule for what a test needs and this machine lacks: on a developer's machine
    the test skips, loudly; in CI (``CI=true``) it fails."""
    message = f"NO {missing.upper()}: {what} did not run. {hint}"
    if os.environ.get("CI") == "true":
        raise RuntimeError(message)
    raise unittest.SkipTest(message)


def require_service(name: str, address: tuple[str, int], what: str) -> None:
    """``name`` must answer at ``address`` (Redis, RabbitMQ), or :func:`skip_or_fail`."""
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError as exc:
        skip_or_fail(name, what, f"Nothing answers at {address[0]}:{address[1]} ({exc}).")


# Waiting -----------------------------------------------------------------------------


def eventually(condition: Callable[[], Any], timeout: float = WAIT,
               interval: float = 0.02) -> bool:
    """Whether ``condition()`` became true within ``timeout`` seconds (asked every
    ``interval``: the pause paces the asking, it decides nothing)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def wait_until(condition: Callable[[], Any], what: str, timeout: float = WAIT) -> None:
    """Return once ``condition()`` is true; fail the test, naming ``what``, if it is not
    within ``timeout`` seconds."""
    if not eventually(condition, timeout):
        raise AssertionError(f"{what}: not within {timeout}s")


# Ports and processes -----------------------------------------------------------------


def free_port(*preferred: int) -> int:
    """A port nobody listens on: the first of ``preferred`` that is free, else any."""
    for port in (*preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


def answers(port: int, path: str | None = None) -> bool:
    """Whether something accepts connections on ``port`` (with ``path``: answers an HTTP
    GET of it, whatever the status)."""
    try:
        if path is None:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        else:
            requests.get(f"http://127.0.0.1:{port}{path}", timeout=1)
    except OSError:  # requests' errors are OSErrors too
        return False
    return True


def wait_until_serving(process: subprocess.Popen, port: int, what: str, *,
                       path: str | None = None, log: Path | None = None,
                       timeout: float = STARTUP_TIMEOUT) -> None:
    """Wait for ``process`` to answer on ``port`` (see :func:`answers`); RuntimeError,
    with ``log``'s text, if it exits first or does not answer within ``timeout``."""
    def serving() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{_text(log)}")
        return answers(port, path)

    if not eventually(serving, timeout, interval=0.05):
        stop(process)
        raise RuntimeError(f"{what} did not answer within {timeout}s:\n{_text(log)}")


def start_server(command: list[str], port: int, what: str, *, path: str | None = None,
                 log: Path | None = None, timeout: float = STARTUP_TIMEOUT,
                 **popen: Any) -> subprocess.Popen:
    """``command`` started, its output appended to ``log`` (if given), and serving on
    ``port`` (see :func:`wait_until_serving`)."""
    if log is None:
        process = subprocess.Popen(command, **popen)
    else:
        with log.open("ab") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                       **popen)
    wait_until_serving(process, port, what, path=path, log=log, timeout=timeout)
    return process


def stop(process: subprocess.Popen | None, timeout: float = 10) -> None:
    """End ``process``: terminated, then killed if it has not exited within ``timeout``."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _text(log: Path | None) -> str:
    return log.read_text(errors="replace") if log is not None and log.exists() else ""


def run_cli(*args: str, project: bool = False,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m asynction_django ...`` from a neutral directory: outside any project,
    or (``project``) in the test project."""
    env = {"PATH": "/usr/bin:/bin"}
    if project:
        env = {**env, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "asynction_django", *args],
                          capture_output=True, text=True, cwd=tempfile.gettempdir(), env=env,
                          timeout=timeout)


# Chromium ----------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update"]
CHROMIUM_HINT = "Install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH."


def find_chromium() -> str | None:
    """``CHROMIUM_PATH``, else Debian's ``chromium`` on PATH."""
    return (os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


def chromium_executable(what: str) -> str:
    """The Chromium the tests of ``what`` need, or :func:`skip_or_fail`."""
    executable = find_chromium()
    if executable is None:
        skip_or_fail("chromium", what, CHROMIUM_HINT)
    return executable


def launch_chromium(test_class: type[SimpleTestCase], executable: str) -> Any:
    """A headless Chromium through Playwright, closed when ``test_class`` is done."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    test_class.addClassCleanup(playwright.stop)
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    test_class.addClassCleanup(browser.close)
    return browser


# Brokers -----------------------------------------------------------------------------

REDIS = ("127.0.0.1", 6379)
RABBITMQ = ("127.0.0.1", 5672)
# The live servers' logging when a broker is the subject: its warnings on the console.
BROKER_LOGS = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"},
                 "console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "asynction_django": {"handlers": ["null"], "propagate": False},
        **{name: {"handlers": ["console"], "level": "WARNING", "propagate": False}
           for name in ("asynction_django.broker", "asynction_django.recovery")},
    },
}


def unique(prefix: str) -> str:
    """A name of this test run's own (channels, rooms, vhosts), so runs can overlap."""
    return f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class RabbitVhost:
    """A vhost of the test run's own (guest may use it), deleted afterwards."""

    def __init__(self) -> None:
        self.name = unique("asynction-test")
        self.ctl = shutil.which("rabbitmqctl")

    def create(self) -> str:
        if self.ctl is None:  # no admin tool: share "/" (the exchange name is unique anyway)
            return "amqp://guest:guest@127.0.0.1:5672/"
        subprocess.run([self.ctl, "add_vhost", self.name], check=True, capture_output=True)
        subprocess.run([self.ctl, "set_permissions", "-p", self.name, "guest", ".*", ".*",
                        ".*"], check=True, capture_output=True)
        return f"amqp://guest:guest@127.0.0.1:5672/{self.name}"

    def delete(self) -> None:
        if self.ctl is not None:
            subprocess.run([self.ctl, "delete_vhost", self.name], capture_output=True)


class PrivateRedis:
    """``redis-server`` on a spare port, which the fault tests stop and start again."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            skip_or_fail("redis-server", "the broker outage tests",
                         "Install Redis (apt-get install redis-server).")
        self.process = start_server(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], self.port, "redis-server", timeout=10,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        stop(self.process)
        self.process = None


def private_redis(test_class: type[SimpleTestCase]) -> str:
    """A redis-server of the class's own (``test_class.redis``), stopped after it: its URL."""
    test_class.redis = PrivateRedis(free_port())
    test_class.redis.start()
    test_class.addClassCleanup(test_class.redis.stop)
    return test_class.redis.url


# A real daphne -----------------------------------------------------------------------


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
        self.process = start_server(
            [sys.executable, *command], self.port, "the live server", cwd=ROOT, env=env,
            path=f"{probe_path}?EIO=4&transport=polling", log=self._log)

    def run_python(self, code: str) -> str:
        """Run ``code`` with the server's settings and database; return its output."""
        env = self._environment()
        command = [sys.executable, "-c", f"import django; django.setup()\n{code}"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(done.stderr)
        return done.stdout

    def spawn_python(self, code: str) -> subprocess.Popen:
        """Start ``code`` with the server's settings (a worker beside the server: emits from
        it go through the message queue); its output is the caller's to read."""
        command = [sys.executable, "-c", f"import django; django.setup()\n{code}"]
        return subprocess.Popen(command, cwd=ROOT, env=self._environment(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def log(self) -> str:
        return _text(self._log)

    def stop(self) -> None:
        stop(self.process, 5)
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
