"""The sync handlers' pool serves connections in turn: who starts next, what never starts,
what may not wait, and Django's database handling around every call."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import unittest
from concurrent.futures import CancelledError
from unittest import mock

from asgiref.sync import async_to_sync
from django.test import SimpleTestCase

from asynction_django import fairness
from asynction_django.fairness import FairExecutor, calls_of
from asynction_django.handlers import Handler
from tests.support import WAIT


class TurnTests(SimpleTestCase):
    def setUp(self):
        self.gate = threading.Event()
        self.addCleanup(self.gate.set)  # whatever happens, no worker is left waiting
        self.started = []

    def pool(self, workers, share=fairness.SHARE):
        return FairExecutor(workers, share)

    def submit(self, pool, client, name, held=True):
        def call():
            self.started.append(name)
            if held:
                self.gate.wait(10)
            return name

        with calls_of(client):
            return pool.submit(call)

    def test_a_newcomer_goes_before_the_calls_a_busy_client_has_waiting(self):
        pool = self.pool(workers=1)
        first = [self.submit(pool, "flooder", f"f{n}") for n in range(4)]
        late = self.submit(pool, "newcomer", "n0")
        self.gate.set()
        self.assertEqual([call.result(WAIT) for call in first], ["f0", "f1", "f2", "f3"])
        self.assertEqual(late.result(WAIT), "n0")
        self.assertEqual(self.started, ["f0", "n0", "f1", "f2", "f3"])

    def test_a_client_alone_leaves_workers_for_the_others(self):
        pool = self.pool(workers=3, share=2)
        flood = [self.submit(pool, "flooder", f"f{n}") for n in range(10)]
        other = self.submit(pool, "other", "o0", held=False)
        self.assertEqual(other.result(WAIT), "o0")  # while the flood is held at the gate
        self.assertEqual(sorted(self.started), ["f0", "f1", "o0"])
        self.assertFalse([call for call in flood if call.done()])
        self.gate.set()
        self.assertEqual([call.result(WAIT) for call in flood], [f"f{n}" for n in range(10)])

    def test_turns_go_round_the_busy_clients(self):
        pool = self.pool(workers=1, share=1)
        holder = self.submit(pool, "holder", "h0")
        calls = [self.submit(pool, client, f"{client}{n}", held=False)
                 for client in "ab" for n in range(3)]
        self.gate.set()
        holder.result(WAIT)
        for call in calls:
            call.result(WAIT)
        self.assertEqual(self.started, ["h0", "a0", "b0", "a1", "b1", "a2", "b2"])

    def test_calls_made_outside_any_connection_are_served(self):
        self.assertEqual(self.pool(workers=2).submit(lambda: "done").result(WAIT), "done")

    def test_a_call_cancelled_while_it_waits_never_starts(self):
        pool = self.pool(workers=1)
        held = self.submit(pool, "client", "c0")
        cancelled = self.submit(pool, "client", "c1")
        self.assertTrue(cancelled.cancel())
        self.gate.set()
        self.assertEqual(self.submit(pool, "client", "c2").result(WAIT), "c2")
        self.assertEqual(held.result(WAIT), "c0")
        self.assertRaises(CancelledError, cancelled.result)
        self.assertEqual(self.started, ["c0", "c2"])

    def test_what_a_call_raises_reaches_its_caller(self):
        def broken():
            raise ValueError("no")

        with self.assertRaisesMessage(ValueError, "no"):
            self.pool(workers=1).submit(broken).result(WAIT)


class HandlerTurnTests(SimpleTestCase):
    """Sync handlers run through the pool, with what Django needs around each call."""

    def setUp(self):
        pool = FairExecutor(workers=3)
        patcher = mock.patch.object(fairness, "sync_calls", pool)  # read by Handler()
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_sync_handlers_close_stale_database_connections_around_each_call(self):
        with mock.patch("channels.db.close_old_connections") as closed:
            name = async_to_sync(Handler(lambda: threading.current_thread().name, "f"))()
        self.assertEqual(closed.call_count, 2)
        self.assertTrue(name.startswith("asynction-sync"), name)

    def test_what_a_call_calls_back_into_does_not_wait_for_its_connections_turn(self):
        """A sync handler that calls back into async code that runs another sync handler of
        the same connection (async_to_sync: presence, a disconnect) holds its worker while
        it waits: that call must not wait for a turn its connection cannot get back."""
        inner = Handler(lambda: "inner", "inner")
        outer = Handler(lambda: async_to_sync(inner)(), "outer")

        async def both_at_once():
            with calls_of("one client"):
                calls = [outer() for _ in range(fairness.SHARE)]  # the connection's share
                return await asyncio.wait_for(asyncio.gather(*calls), WAIT)

        self.assertEqual(async_to_sync(both_at_once)(), ["inner"] * fairness.SHARE)


class ForkTests(SimpleTestCase):
    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_a_forked_child_gets_a_pool_of_its_own(self):
        """A child forked while every worker is busy (a live server's daphne, a pre-forking
        server) has none of those threads: its calls must not wait for them to finish."""
        pool = fairness.sync_calls
        gate = threading.Event()
        self.addCleanup(gate.set)
        busy = []
        for client in range(pool.workers):  # one call per client: every worker taken
            with calls_of(("fork test", client)):
                busy.append(pool.submit(gate.wait, 10))
        child = os.fork()
        if child == 0:  # the child: no test machinery, an exit status only
            status = 1
            try:
                status = 0 if pool.submit(lambda: 2).result(WAIT) == 2 else 1
            finally:
                os._exit(status)  # noqa: B012 - nothing may escape a child
        deadline = time.monotonic() + 2 * WAIT
        while not (ended := os.waitpid(child, os.WNOHANG))[0]:
            if time.monotonic() > deadline:
                os.kill(child, signal.SIGKILL)
                ended = os.waitpid(child, 0)
                break
            time.sleep(0.02)  # paces the asking; the child's exit status decides
        self.assertEqual(os.waitstatus_to_exitcode(ended[1]), 0)
        gate.set()
        self.assertEqual([call.result(WAIT) for call in busy], [True] * pool.workers)
