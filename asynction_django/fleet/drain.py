"""Leaving a fleet gently: a process told to stop hands its clients to the others over time.

On SIGTERM, daphne and uvicorn close every connection at once, so a rolling deploy sends all
of a process's clients to the others in the same second. With a drain window, the first
SIGTERM is this module's: the process stops taking new sessions (a handshake is answered
503, which a balancer retries elsewhere), then closes its clients' transports one after
another, in random order, spread over the window — each client reconnects at once, through
the balancer, to another process, and with connection state recovery resumes there with
nothing missed (its record is kept as it leaves). Then it
waits, up to ``FINISH_TIMEOUT`` seconds, for the requests it forwarded to other processes to
be answered (their owners answer pending long-polls at once); then the server's own SIGTERM
handling runs: the process exits within the window plus that wait plus the server's own
shutdown. A second SIGTERM stops at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import signal
import threading
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

from ..logs import logger

FINISH_TIMEOUT = 5.0  # seconds the drain's end waits for the requests it forwarded


class Drain:
    """The SIGTERM handler of one process's Engine.IO server (installed by its first request)."""

    def __init__(self, engine: Any, window: float):
        self.engine = engine
        self.window = window
        self.draining = False
        self._installed = False
        self._original: Any = signal.SIG_DFL
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> None:
        """Take SIGTERM from the ASGI server, keeping its handler for after the drain (only
        the main thread may; a server that runs the app elsewhere gets no drain)."""
        if self._installed or threading.current_thread() is not threading.main_thread():
            return
        self._installed = True
        self._loop = asyncio.get_running_loop()
        self._original = signal.signal(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self, signum: int, frame: FrameType | None) -> None:
        if self.draining or self._loop is None:
            self._stop_now(signum, frame)
            return
        self.draining = True
        loop = self._loop
        loop.call_soon_threadsafe(lambda: loop.create_task(self._drain(signum, frame)))

    async def _drain(self, signum: int, frame: FrameType | None) -> None:
        forwarder = self.engine.forwarder
        # Its own sessions, and the WebSockets it relays to other processes' sessions.
        handovers: list[Callable[[], Awaitable[Any]]] = [
            functools.partial(socket.close, wait=False, abort=True)
            for socket in self.engine.sockets.values()]
        if forwarder is not None:
            handovers += [functools.partial(forwarder.end_relay, tunnel)
                          for tunnel in forwarder.relayed()]
        random.shuffle(handovers)
        logger.info("draining: %d clients handed to the other processes over %.0f s",
                    len(handovers), self.window)
        pause = self.window / len(handovers) if handovers else 0.0
        for hand_over in handovers:
            with contextlib.suppress(Exception):  # already gone: nothing to hand over
                await hand_over()  # the client reconnects elsewhere
            await asyncio.sleep(pause * random.uniform(0.5, 1.5))
        # Last, the requests it passes on for the others' sessions: pending long-polls are
        # answered now by their owners, and the process stops once none is on its way (or
        # after FINISH_TIMEOUT) — no request cut in the middle, none failed for its client.
        if forwarder is not None:
            with contextlib.suppress(Exception):
                await forwarder.finish(FINISH_TIMEOUT)
        self._stop_now(signum, frame)

    def _stop_now(self, signum: int, frame: FrameType | None) -> None:
        """What the ASGI server would have done on SIGTERM."""
        original = self._original
        if callable(original):
            original(signum, frame)
        else:  # the default (or ignored): as if this handler had never been there
            signal.signal(signal.SIGTERM, original)
            if original == signal.SIG_DFL:
                signal.raise_signal(signal.SIGTERM)
