"""Emitting from processes that serve no clients: workers, commands, scripts.

With ``ASYNCTION_MESSAGE_QUEUE`` set, such a process publishes through a write-only
python-socketio manager, as python-socketio documents for external emitters. The manager's
connections belong to one event loop, so it lives on a loop of its own in a daemon thread
and every emit, sync or async, runs there. With connection state recovery on, its emits are
logged in Redis like the servers' (so clients that drop get them too).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

from ..conf import AsynctionSettings, forwarding_on
from ..recovery import ping_budget, recovery_for
from .managers import client_manager_for

PUBLISH_TIMEOUT = 30.0


class ExternalEmitter:
    """A write-only manager on its own loop; ``emit``/``aemit`` publish through it."""

    def __init__(self, values: AsynctionSettings):
        self.manager = client_manager_for(values.MESSAGE_QUEUE, write_only=True,
                                          options=values.MESSAGE_QUEUE_OPTIONS)
        self.recovery = recovery_for(values.CONNECTION_STATE_RECOVERY, values.MESSAGE_QUEUE,
                                     values.MESSAGE_QUEUE_OPTIONS, ping_budget(values.SOCKETIO),
                                     fleet=forwarding_on(values))
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                        name="asynction-external-emitter")
        self._thread.start()

    def _submit(self, event: str, data: Any, kwargs: dict[str, Any]) -> Future[None]:
        return asyncio.run_coroutine_threadsafe(self._publish(event, data, kwargs), self.loop)

    async def _publish(self, event: str, data: Any, kwargs: dict[str, Any]) -> None:
        if self.recovery is not None and kwargs.get("callback") is None:
            stamped = await self.recovery.stamp(event, data, **kwargs)
            if stamped.logged and self.recovery.fans_out:
                return  # every serving process reads it in the log (recovery/fanout.py)
            data = stamped.data
        await self.manager.emit(event, data, **kwargs)

    def emit(self, event: str, data: Any, **kwargs: Any) -> None:
        self._submit(event, data, kwargs).result(PUBLISH_TIMEOUT)

    async def aemit(self, event: str, data: Any, **kwargs: Any) -> None:
        await asyncio.wait_for(asyncio.wrap_future(self._submit(event, data, kwargs)),
                               PUBLISH_TIMEOUT)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
