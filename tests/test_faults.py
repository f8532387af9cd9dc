"""Faults inside handlers stay inside their event; shutdown closes connections cleanly."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from pathlib import Path
from unittest import mock

import socketio
from django.test import SimpleTestCase, override_settings

from asynction_django import logs
from asynction_django.server.watchdog import Watchdog
from asynction_django.testing import SocketIOTestCase

from .live import LiveServer

WIRE = Path(__file__).resolve().parent / "specs" / "wire.yaml"


@override_settings(ASYNCTION_SPEC=WIRE)
class HandlerFaultTests(SocketIOTestCase):
    def test_an_exception_is_an_error_ack_and_the_connection_goes_on(self):
        client = self.socketio_client()
        error = client.call("boom")["error"]
        self.assertEqual(error, {"type": "InternalServerError",
                                 "message": "Internal server error", "errors": []})
        self.assertEqual(client.call("ping"), "pong")

    def test_a_handler_failing_on_every_event_logs_its_traceback_once(self):
        client = self.socketio_client()
        later = time.monotonic() + 3600  # past any earlier test's report of the same failure
        with mock.patch.object(logs.handler_errors, "clock", return_value=later), \
                self.assertLogs("asynction_django", "ERROR") as logged:
            for _ in range(5):
                client.call("boom")
        self.assertEqual(len(logged.records), 1)
        self.assertIsNotNone(logged.records[0].exc_info)  # a bug of yours: with its traceback

    async def test_a_slow_handler_holds_up_only_its_own_event(self):
        slow_client = await self.asocketio_client()
        other = await self.asocketio_client()
        order = []

        async def call(client, event, *args):
            await client.call(event, *args)
            order.append(event)

        await asyncio.gather(call(slow_client, "slow"), call(slow_client, "ping"),
                             call(other, "echo", {"text": "x"}))
        self.assertEqual(order[-1], "slow")

    @override_settings(ASYNCTION_HANDLER_TIMEOUT=0.3)
    async def test_a_hanging_handler_times_out_into_an_error_ack(self):
        client = await self.asocketio_client()
        error = (await client.call("hang", timeout=5))["error"]
        self.assertEqual(error, {"type": "HandlerTimeout", "errors": [],
                                 "message": "the handler did not answer within 0.3 s"})
        self.assertEqual(await client.call("ping"), "pong")

    @override_settings(ASYNCTION_HANDLER_TIMEOUT=0.3)
    async def test_error_handlers_receive_the_timeout(self):
        client = await self.asocketio_client("/open")
        self.assertEqual(await client.call("hang", namespace="/open", timeout=5),
                         {"handled": "HandlerTimeout"})

    async def test_a_sync_handler_holding_the_database_blocks_no_other_event(self):
        holder = await self.asocketio_client()
        other = await self.asocketio_client()
        order = []

        async def call(client, event, *args):
            order.append((event, await client.call(event, *args, timeout=10)))

        await asyncio.gather(call(holder, "hold database"), call(other, "ping"),
                             call(other, "sum", [1, 2]), call(holder, "whoami"))
        self.assertEqual(order[-1], ("hold database", "released"))
        self.assertEqual(len(order), 4)


class HandlerTimeoutSettingTests(SimpleTestCase):
    def test_bad_values_are_check_errors(self):
        from asynction_django.checks import check_spec

        for value in (0, -1, "60", True):
            with self.subTest(value=value), override_settings(ASYNCTION_HANDLER_TIMEOUT=value):
                errors = check_spec()
                self.assertEqual([error.id for error in errors], ["asynction.E001"])
                self.assertIn("ASYNCTION_HANDLER_TIMEOUT must be a number of seconds",
                              errors[0].msg)


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


class WatchdogTests(SimpleTestCase):
    async def test_only_handlers_past_their_deadline_are_cancelled(self):
        watchdog = Watchdog(0.2)

        async def handler(seconds):
            task = asyncio.current_task()
            watchdog.watch(task)
            try:
                await asyncio.sleep(seconds)
                return "done"
            except asyncio.CancelledError:
                return "expired" if watchdog.release(task) else "cancelled elsewhere"
            finally:
                watchdog.release(task)

        quick, slow = await asyncio.gather(handler(0.01), handler(5))
        self.assertEqual((quick, slow), ("done", "expired"))
        self.assertEqual(watchdog._deadlines, {})
