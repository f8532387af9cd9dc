"""socket.io-client 4 clients in rooms (room_clients.js), driven from a test: started and
joined, then asked, once the traffic is over, for everything each one received."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase

from tests.fleet.test_forwarding import node_binary


def join_rooms(test: SimpleTestCase, url: str, clients: int, rooms: int,
               expected: int, polling_every: int = 0) -> subprocess.Popen:
    """The clients, each in room ``room-<n % rooms>`` (every ``polling_every``-th one
    polling-only; 0: none), all joined when this returns."""
    process = subprocess.Popen(
        [node_binary(), str(Path(__file__).with_name("room_clients.js")),
         json.dumps({"url": url, "clients": clients, "rooms": rooms, "expected": expected,
                     "pollingEvery": polling_every})],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    test.addCleanup(process.kill)
    ready = process.stdout.readline() if process.stdout else ""
    test.assertIn("ready", json.loads(ready or "{}"),
                  "" if ready or process.stderr is None else process.stderr.read())
    return process


def received(test: SimpleTestCase, process: subprocess.Popen) -> list[dict[str, Any]]:
    """What each client received (once each has all it expects, or after 30 s)."""
    output, errors = process.communicate("done\n", timeout=60)
    test.assertEqual(process.returncode, 0, errors)
    return list(json.loads(output.strip().splitlines()[-1]))
