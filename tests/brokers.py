"""Real brokers for the multi-process tests: reachable, isolated per run, cleaned up."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import unittest
import uuid

REDIS = ("127.0.0.1", 6379)
RABBITMQ = ("127.0.0.1", 5672)


def require(name: str, address: tuple[str, int]) -> None:
    """Skip loudly on a developer's machine without ``name``; in CI, fail."""
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError as exc:
        message = (f"{name} IS NOT REACHABLE at {address[0]}:{address[1]} ({exc}): the "
                   "multi-process tests against it did not run")
        if os.environ.get("CI") == "true":
            raise RuntimeError(message) from exc
        raise unittest.SkipTest(message) from exc


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class RabbitVhost:
    """A vhost of the test run's own (guest may use it), deleted afterwards."""

    def __init__(self):
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
        self.binary = shutil.which("redis-server")
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if self.binary is None:
            message = "REDIS-SERVER IS NOT INSTALLED: the broker outage tests did not run"
            if os.environ.get("CI") == "true":
                raise RuntimeError(message)
            raise unittest.SkipTest(message)
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
