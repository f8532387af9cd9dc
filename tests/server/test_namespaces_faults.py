"""Faults inside handlers stay inside their event: an error ack, a traceback logged once,
a timeout for a handler that hangs, and no other event held up."""

from __future__ import annotations

import asyncio
import time
from unittest import mock

from django.test import override_settings

from asynction_django import logs
from asynction_django.testing import SocketIOTestCase
from tests.support import SPECS

WIRE = SPECS / "wire.yaml"


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
