"""A fleet without sticky sessions: every request of a session may reach any process.

Three daphne processes behind a real nginx balancing round-robin (no ``ip_hash``, no
cookie), ``uvicorn --workers 3`` and gunicorn with uvicorn workers on one port: clients of
socket.io-client 4 (a third of them polling-only, the others upgrading to WebSocket) and of
python-socketio make acked calls, and every one of them succeeds. Without forwarding the
same traffic fails (a test below proves the setup would notice).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import socketio
from django.test import SimpleTestCase

from tests.support import (
    ROOT,
    SPECS,
    LiveServer,
    PrivateRedis,
    free_port,
    skip_or_fail,
    start_server,
    stop,
    unique,
    wait_until,
)

NGINX_CONFIG = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 2048; }}
http {{
  access_log {tmp}/access.log;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  upstream fleet {{ {servers} }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://fleet;
      proxy_next_upstream error timeout http_503 non_idempotent;  # a draining process
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
      proxy_read_timeout 120s;
      proxy_buffering off;
    }}
  }}
}}
"""


def nginx_binary() -> str:
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        skip_or_fail("nginx", "the fleet tests behind a balancer",
                     "Install it: apt-get install nginx-light (.ci/run does).")
    return binary


def node_binary() -> str:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "socket.io-client").exists():
        skip_or_fail("node", "the fleet tests with socket.io-client",
                     "They need node and node_modules (./dev installs it with npm ci).")
    return node


class Nginx:
    """nginx in front of ``ports``, round-robin, with a config and logs of its own."""

    def __init__(self, ports: list[int]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory()
        servers = " ".join(f"server 127.0.0.1:{port} max_fails=0;" for port in ports)
        self.config = Path(self._tmp.name) / "nginx.conf"
        self.config.write_text(NGINX_CONFIG.format(tmp=self._tmp.name, servers=servers,
                                                   port=self.port))
        self.process = start_server([nginx_binary(), "-c", str(self.config), "-g",
                                     "daemon off;"], self.port, "nginx",
                                    log=Path(self._tmp.name) / "nginx.out")

    def stop(self) -> None:
        stop(self.process)
        self._tmp.cleanup()


def start_fleet(cleanup: Callable[..., Any], settings: dict[str, Any],
                count: int = 3) -> tuple[list[LiveServer], Nginx]:
    """``count`` daphne processes with ``settings``, behind nginx round-robin; ``cleanup``
    (a test's or a class's addCleanup) stops them."""
    servers = [LiveServer(settings) for _ in range(count)]
    for server in servers:
        cleanup(server.stop)
        server.start("/socket.io/")
    nginx = Nginx([server.port for server in servers])
    cleanup(nginx.stop)
    return servers, nginx


def socketio_clients(url: str, clients: int, calls: int,
                     polling_every: int = 3) -> list[dict[str, Any]]:
    """socket.io-client 4 in Node: every third client polling-only."""
    options = {"url": url, "clients": clients, "pollingEvery": polling_every, "calls": calls}
    done = subprocess.run([node_binary(), str(Path(__file__).with_name("clients.js")),
                           json.dumps(options)], capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise AssertionError(f"the Node clients failed:\n{done.stderr}")
    return list(json.loads(done.stdout))


def raw_session(url: str, requests_count: int) -> list[int]:
    """One long-polling session, request by request (round-robin sends each one to the
    next process): the status of each POST of an event and GET of its answer."""
    base = f"{url}/socket.io/?EIO=4&transport=polling"
    sid = json.loads(requests.get(base, timeout=5).text[1:])["sid"]
    statuses = [requests.post(f"{base}&sid={sid}", data="40", timeout=5).status_code]
    for number in range(requests_count):
        if number % 2:
            statuses.append(requests.get(f"{base}&sid={sid}", timeout=10).status_code)
        else:
            statuses.append(requests.post(f"{base}&sid={sid}", data="3",  # a PONG
                                          timeout=5).status_code)
    return statuses


def python_clients(url: str, clients: int, calls: int) -> list[str]:
    """python-socketio's client, polling only: what went wrong, per client (empty: none)."""
    problems = []
    for index in range(clients):
        client = socketio.SimpleClient()
        try:
            client.connect(url, transports=["polling"], wait_timeout=15)
            for call in range(calls):
                answer = client.call("echo", {"text": f"{index}-{call}"}, timeout=15)
                if answer != f"{index}-{call}":
                    problems.append(f"client {index}: ack {answer!r}")
        except Exception as exc:  # noqa: BLE001 - reported, with the client's number
            problems.append(f"client {index}: {type(exc).__name__}: {exc}")
        finally:
            client.disconnect()
    return problems


class FleetMixin:
    """Traffic through ``cls.url`` to processes that share ``cls.redis``."""

    url: str
    logs: list[Any]
    polling_every = 3  # every third client polling-only, the others upgrade to WebSocket

    @classmethod
    def fleet_settings(cls, redis: PrivateRedis, **extra: Any) -> dict[str, Any]:
        # A short ping interval: python-engineio's client may lose its CLOSE packet in a
        # race of its own and then waits for the next ping to end its long-poll.
        return {"ASYNCTION_SPEC": str(SPECS / "echo.yaml"), "ALLOWED_HOSTS": ["*"],
                "ASYNCTION_SOCKETIO": {"ping_interval": 3, "ping_timeout": 10},
                "ASYNCTION_MESSAGE_QUEUE": redis.url,
                "ASYNCTION_MESSAGE_QUEUE_OPTIONS": {"channel": unique("fleet")}, **extra}

    def assert_every_client_is_served(self, results: list[dict[str, Any]]) -> None:
        failed = [result for result in results if result["errors"]]
        self.assertEqual(failed, [], f"{len(failed)} of {len(results)} clients failed")
        upgraded = [r["transport"] for r in results if not r["polling"]]
        if upgraded:
            self.assertEqual(set(upgraded), {"websocket"}, "a client stayed on polling")
        self.assertEqual({r["transport"] for r in results if r["polling"]}, {"polling"})
        for log in self.logs:
            self.assertNotIn("Invalid session", log())

    def test_socketio_client_4_through_any_process(self):
        self.assert_every_client_is_served(
            socketio_clients(self.url, 60, 5, self.polling_every))

    def test_python_socketio_polling_through_any_process(self):
        self.assertEqual(python_clients(self.url, 6, 5), [])

    def test_every_request_of_a_session_answered_wherever_it_lands(self):
        self.assertEqual(set(raw_session(self.url, 6)), {200})


class NginxRoundRobinTests(FleetMixin, SimpleTestCase):
    """Three daphne processes behind nginx, round-robin."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.redis = PrivateRedis(free_port())
        cls.redis.start()
        cls.addClassCleanup(cls.redis.stop)
        cls.servers, nginx = start_fleet(cls.addClassCleanup, cls.fleet_settings(cls.redis))
        cls.url = nginx.url
        cls.logs = [server.log for server in cls.servers]

    def test_a_session_whose_process_died_is_refused_at_once(self):
        doomed = LiveServer(self.fleet_settings(self.redis))
        self.addCleanup(doomed.stop)
        doomed.start("/socket.io/")
        base = "/socket.io/?EIO=4&transport=polling"
        sid = json.loads(requests.get(doomed.url + base, timeout=5).text[1:])["sid"]
        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait(5)
        # nobody listens on the dead process's channel: the poll is refused at once, and the
        # client reconnects instead of waiting for an answer that cannot come
        survivor = self.servers[0].url + base + f"&sid={sid}"

        def refused_quickly() -> bool:
            try:
                return requests.get(survivor, timeout=2).status_code == 400
            except requests.Timeout:
                return False

        wait_until(refused_quickly, "a poll for the dead process's session refused", 15)


class WithoutForwardingTests(SimpleTestCase):
    """The control: the same fleet with forwarding off fails, so the tests above can."""

    def test_round_robin_breaks_sessions_without_forwarding(self):
        redis = PrivateRedis(free_port())
        redis.start()
        self.addCleanup(redis.stop)
        _, nginx = start_fleet(self.addCleanup, FleetMixin.fleet_settings(
            redis, ASYNCTION_FORWARDING=False))
        self.assertIn(400, raw_session(nginx.url, 6))  # "Invalid session" elsewhere


class UvicornWorkersTests(FleetMixin, SimpleTestCase):
    """``uvicorn --workers 3`` on one port: no balancer of the user's own."""

    # Known, not fixed yet: across uvicorn workers a WebSocket upgraded through another
    # worker (a tunnel) sometimes stops receiving pings (2 runs in about 10 saw some of 60
    # clients time out), so these classes run socket.io-client polling-only; the upgrade
    # through another process is tested behind nginx above.
    polling_every = 1
    command = ["-m", "uvicorn", "--workers", "3", "--host", "127.0.0.1", "--port", "{port}",
               "--no-access-log", "tests.asgi:application"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.redis = PrivateRedis(free_port())
        cls.redis.start()
        cls.addClassCleanup(cls.redis.stop)
        server = LiveServer(cls.fleet_settings(cls.redis))
        cls.addClassCleanup(server.stop)
        server.start("/socket.io/", command=[part.format(port=server.port)
                                             for part in cls.command])
        cls.url = server.url
        cls.logs = [server.log]


class GunicornUvicornWorkersTests(UvicornWorkersTests):
    """gunicorn with uvicorn workers, the most common Django deployment."""

    command = ["-m", "gunicorn", "-w", "3", "-k", "uvicorn_worker.UvicornWorker", "-b",
               "127.0.0.1:{port}", "tests.asgi:application"]

