"""The fleet test (tests/fleet/test_at_scale.py) with as many clients as you like:

    python bench/fleet_at_scale.py [--uvicorn] [--clients N]

A few hundred socket.io-client 4 clients in rooms (a third polling-only), a publisher at a
steady rate, one process killed with SIGKILL and restarted, then a rolling restart of every
process; behind nginx round-robin over three daphne processes, or on ``uvicorn --workers
3``. It prints delivered/expected, duplicates, the worst gap a client saw, p99 delivery
latency in and out of the failovers, reconnections and recoveries, then lists the clients
that did not get every event of their room exactly once, in order.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import unittest
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def uvicorn_workers_tests() -> type:
    """The same test on ``uvicorn --workers 3``: a worker killed is replaced by uvicorn;
    SIGHUP replaces the workers one by one (uvicorn's own rolling restart)."""
    from django.test import SimpleTestCase

    from tests.fleet.test_at_scale import PUBLISHER, FleetAtScaleMixin
    from tests.support import LiveServer, wait_until

    class UvicornWorkersAtScaleTests(FleetAtScaleMixin, SimpleTestCase):
        """``uvicorn --workers 3``: a worker killed is replaced by uvicorn; SIGHUP replaces the
        workers one by one (uvicorn's own rolling restart)."""

        name = "uvicorn --workers 3"

        def setUp(self):
            self.server = LiveServer(self.settings())
            self.addCleanup(self.server.stop)
            self.server.start("/socket.io/", command=[
                "-m", "uvicorn", "--workers", "3", "--host", "127.0.0.1",
                "--port", str(self.server.port), "--no-access-log", "tests.asgi:application"])
            self.url = self.server.url
            self.logs = [self.server.log]

        def publisher(self) -> Any:
            process = self.server.spawn_python(PUBLISHER)
            self.addCleanup(process.kill)
            return process

        def workers(self) -> list[int]:
            children = Path(f"/proc/{self.server.process.pid}/task/{self.server.process.pid}"
                            "/children").read_text().split()
            return [int(pid) for pid in children
                    if "multiprocessing.resource_tracker" not in _command_line(int(pid))]

        def kill_and_restart_one(self) -> None:
            before = self.workers()
            os.kill(before[1], signal.SIGKILL)
            wait_until(lambda: before[1] not in self.workers() and len(self.workers()) == 3,
                       "uvicorn to replace the killed worker", 20)

        def restart_every_process(self) -> None:
            before = set(self.workers())
            self.server.process.send_signal(signal.SIGHUP)
            wait_until(lambda: not before & set(self.workers()) and len(self.workers()) == 3,
                       "uvicorn to replace every worker", 120)

    return UvicornWorkersAtScaleTests


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uvicorn", action="store_true", help="uvicorn --workers 3")
    parser.add_argument("--clients", type=int, default=240)
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from tests.fleet import test_at_scale

    chosen = (uvicorn_workers_tests() if arguments.uvicorn
              else test_at_scale.DaphneBehindNginxAtScaleTests)
    chosen.clients = arguments.clients
    test = chosen("test_every_client_gets_every_event_once_in_order")
    unittest.TextTestRunner(verbosity=1).run(unittest.TestSuite([test]))


if __name__ == "__main__":
    main()
