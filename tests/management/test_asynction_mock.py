"""asynction_mock's docs, wherever the spec puts the Socket.IO path (issue #25)."""

from __future__ import annotations

import io
from unittest import mock

import requests
from django.test import SimpleTestCase

from asynction_django.management.commands import asynction_mock
from asynction_django.runtime import reset_server
from tests.support import SPECS, LiveServer

WS_PATH = SPECS / "mock_ws_path.yaml"


class StandaloneMockDocsTests(SimpleTestCase):
    """``python -m asynction_django mock`` (no project) on a spec served at /ws/socket.io."""

    def test_the_docs_are_served_and_their_url_printed(self):
        server = LiveServer({})
        server.start("/ws/socket.io/", ["-m", "asynction_django", "mock", str(WS_PATH),
                                        "--port", str(server.port)],
                     environment={"DJANGO_SETTINGS_MODULE": ""})
        self.addCleanup(server.stop)
        page = requests.get(f"{server.url}/docs", timeout=5)
        self.assertEqual(page.status_code, 200, server.log()[-3000:])
        self.assertIn("Ticker under /ws", page.text)
        self.assertIn("/ws/socket.io/", page.text)  # the playground connects to the spec's path
        self.assertIn(f"Docs and playground: {server.url}/docs\n", server.log())


class ProjectMockDocsTests(SimpleTestCase):
    """``manage.py asynction_mock`` names the docs where the project serves them."""

    def test_the_start_up_lines_name_the_docs_beside_the_socketio_path(self):
        stdout = io.StringIO()
        self.addCleanup(reset_server)  # the command installs the mock as the server
        with mock.patch("daphne.server.Server.run") as run:
            asynction_mock.Command(stdout=stdout).run_from_argv(
                ["manage.py", "asynction_mock", str(WS_PATH), "--port", "8123"])
        run.assert_called_once()
        self.assertIn("(Socket.IO path /ws/socket.io/)", stdout.getvalue())
        self.assertIn("Docs and playground: http://127.0.0.1:8123/ws/docs\n", stdout.getvalue())
