"""Fairness over the real protocol: while one client floods a handler, another client is
answered before the flood drains, whatever the handler kind; the flood keeps its order, its
backpressure and its timeouts (asynction_django.fairness).

Order decides every outcome: the flood's handlers wait at a gate the test opens, so "before
the flood drains" is "while not one of the flood's events has been answered".
"""

from __future__ import annotations

import asyncio

from django.contrib.auth import get_user_model
from django.test import override_settings

from asynction_django.fairness import SHARE
from asynction_django.testing import SocketIOTestCase
from tests import fairness_handlers as handlers
from tests.support import SPECS, WAIT

FLOOD = 200  # events one client sends at once: well past what it may have in flight
IN_FLIGHT = 64  # ASYNCTION_MAX_EVENTS_IN_FLIGHT (its default)


async def until(condition, what: str, timeout: float = WAIT) -> None:
    """Return once ``condition()`` holds; fail, naming ``what``, if it does not within
    ``timeout`` seconds (the pause paces the asking, it decides nothing)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        await asyncio.sleep(0.01)


@override_settings(ASYNCTION_SPEC=SPECS / "fairness.yaml", ASYNCTION_RATE_LIMIT_DEFAULT=None,
                   ASYNCTION_MAX_EVENTS_IN_FLIGHT=IN_FLIGHT)
class FloodTests(SocketIOTestCase):
    def setUp(self):
        super().setUp()
        handlers.GATE.clear()
        handlers.STARTED.clear()
        self.addCleanup(handlers.GATE.set)  # whatever happens, no worker is left waiting

    def started(self, event: str) -> list[int]:
        return [n for name, n in handlers.STARTED if name == event]

    async def test_another_client_is_answered_while_a_sync_handlers_flood_waits(self):
        await get_user_model().objects.acreate(username="ada")
        async with await self.asocketio_client() as flooder, \
                await self.asocketio_client() as other:
            flood = [asyncio.ensure_future(flooder.call("held", n, timeout=20))
                     for n in range(FLOOD)]
            await until(lambda: len(self.started("held")) >= SHARE, "the flood's first calls")
            # Without turns, the flood's calls would have every worker and a line of
            # dozens more ahead of these: they would wait for the gate.
            self.assertEqual(await other.call("free", 1), 1)
            self.assertEqual(await other.call("users"), 1)  # the ORM, in its own thread
            self.assertFalse([call for call in flood if call.done()])  # none answered yet
            self.assertEqual(self.started("held"), list(range(SHARE)))  # the rest wait
            handlers.GATE.set()
            self.assertEqual(await asyncio.gather(*flood), list(range(FLOOD)))
        self.assertEqual(self.started("held"), list(range(FLOOD)))  # in the order sent

    async def test_another_client_is_answered_while_an_async_handlers_flood_waits(self):
        handlers.ASYNC_GATE["gate"] = gate = asyncio.Event()
        async with await self.asocketio_client() as flooder, \
                await self.asocketio_client() as other:
            flood = [asyncio.ensure_future(flooder.call("held async", n, timeout=20))
                     for n in range(FLOOD)]
            await until(lambda: len(self.started("held async")) >= IN_FLIGHT, "the flood")
            self.assertEqual(await other.call("free", 1), 1)
            self.assertFalse([call for call in flood if call.done()])
            self.assertEqual(self.started("held async"), list(range(IN_FLIGHT)))  # unread
            gate.set()
            self.assertEqual(await asyncio.gather(*flood), list(range(FLOOD)))

    async def test_events_waiting_their_turn_count_as_in_flight(self):
        """Backpressure is unchanged: an event waiting for a worker is in flight, so the
        flooder's connection is read no further while its line is full."""
        handlers.ASYNC_GATE["gate"] = gate = asyncio.Event()
        gate.set()  # "held async" answers at once here: it only shows whether it was read
        async with await self.asocketio_client() as flooder, \
                await self.asocketio_client() as other:
            flood = [asyncio.ensure_future(flooder.call("held", n, timeout=20))
                     for n in range(IN_FLIGHT)]
            after = asyncio.ensure_future(flooder.call("held async", IN_FLIGHT, timeout=20))
            await until(lambda: len(self.started("held")) >= SHARE, "the flood's first calls")
            self.assertEqual(await other.call("free", 1), 1)
            self.assertEqual(self.started("held async"), [])  # not read: no slot free
            handlers.GATE.set()
            self.assertEqual(await after, IN_FLIGHT)
            self.assertEqual(await asyncio.gather(*flood), list(range(IN_FLIGHT)))

    @override_settings(ASYNCTION_HANDLER_TIMEOUT=0.3)
    async def test_a_call_that_times_out_while_waiting_its_turn_never_runs(self):
        async with await self.asocketio_client() as client:
            calls = [client.call("held", n, timeout=5) for n in range(SHARE + 1)]
            answers = await asyncio.gather(*calls)
            self.assertEqual([answer["error"]["type"] for answer in answers],
                             ["HandlerTimeout"] * (SHARE + 1))
            handlers.GATE.set()
            self.assertEqual(await client.call("free", 9), 9)  # after the late call's turn
        self.assertEqual(handlers.STARTED, [*(("held", n) for n in range(SHARE)), ("free", 9)])
