"""Handler timeouts: only the handlers past their deadline are cancelled."""

from __future__ import annotations

import asyncio

from django.test import SimpleTestCase

from asynction_django.server.watchdog import Watchdog


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
