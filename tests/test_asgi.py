"""The ASGI application under real servers: where it serves Socket.IO (the spec server's
path, under a root path), and how it shuts down."""

from __future__ import annotations

import signal
import threading

import requests
import socketio
from django.test import SimpleTestCase

from tests.support import SPECS, LiveServer, LiveSocketIOTestCase

WIRE = SPECS / "wire.yaml"
HANDSHAKE = {"ASYNCTION_SPEC": str(SPECS / "handshake.yaml"), "ASYNCTION_SERVER": "internal"}


class ShutdownTests(SimpleTestCase):
    """SIGTERM to daphne or uvicorn: the process exits, and clients are told at once."""

    def shutdown(self, command=None):
        server = LiveServer({"ASYNCTION_SPEC": str(WIRE)})
        if command is not None:
            command = [*command, "--port", str(server.port), "tests.asgi:application"]
        server.start("/socket.io/", command)
        self.addCleanup(server.stop)
        told = threading.Event()
        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)  # a no-op once the server has closed it
        client.on("disconnect", lambda reason: told.set())
        client.connect(server.url, transports=["websocket"], wait_timeout=5)
        self.assertEqual(client.call("ping", timeout=5), "pong")
        server.process.send_signal(signal.SIGTERM)
        self.assertTrue(told.wait(5), "the client was not told its connection ended")
        # uvicorn ends by re-raising the signal it caught, so its status is -SIGTERM.
        self.assertIn(server.process.wait(15), (0, -signal.SIGTERM), server.log())
        return server.log()

    def test_daphne(self):
        self.shutdown()

    def test_uvicorn_runs_the_lifespan(self):
        log = self.shutdown(["-m", "uvicorn", "--host", "127.0.0.1",
                             "--timeout-graceful-shutdown", "5"])
        self.assertIn("Application startup complete", log)
        self.assertIn("Application shutdown complete", log)


class ServerPathTests(LiveSocketIOTestCase):
    """ASYNCTION_SERVER picks the spec server whose url gives the Socket.IO path."""

    overrides = {**HANDSHAKE, "ASYNCTION_SERVER": "public"}
    socketio_path = "api/socket.io"

    def test_socketio_is_served_at_the_servers_path_only(self):
        self.assertEqual(self.connect().call("raw", 5, timeout=5), 5)
        default = requests.get(f"{self.server.url}/socket.io/?EIO=4&transport=polling", timeout=5)
        self.assertEqual(default.status_code, 404)


class RootPathTests(LiveSocketIOTestCase):
    """Mounted under daphne's --root-path, as behind a proxy that strips a prefix."""

    overrides = HANDSHAKE
    root_path = "/prefix"

    def test_connects_under_the_root_path_on_both_transports(self):
        for transport in ("websocket", "polling"):
            with self.subTest(transport=transport):
                client = self.connect(transport=transport)
                self.assertEqual(client.call("raw", 7, timeout=5), 7)
                client.disconnect()
