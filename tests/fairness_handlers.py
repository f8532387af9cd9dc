"""Handlers of tests/specs/fairness.yaml: some wait at a gate the test opens, so that a test
can tell, by order alone, whose events were served while others waited."""

import asyncio
import threading

from django.contrib.auth import get_user_model

GATE = threading.Event()  # the sync handlers' gate: opened by the test, closed before the next
STARTED: list[tuple[str, int]] = []  # (event, n), in the order the handlers started
ASYNC_GATE: dict[str, asyncio.Event] = {}  # "gate": made by the test, in the test's loop


def held(sid, n):
    STARTED.append(("held", n))
    GATE.wait(10)  # bounded: a failing test leaves no worker waiting for ever
    return n


def free(sid, n):
    STARTED.append(("free", n))
    return n


async def held_async(sid, n):
    STARTED.append(("held async", n))
    await ASYNC_GATE["gate"].wait()
    return n


def users(sid):
    return get_user_model().objects.count()
