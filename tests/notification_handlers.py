"""Handlers named by tests/specs/notifications.yaml."""

from asynction_django import aemit


async def notify(sid, payload):
    await aemit("notice", payload, to=sid, namespace="/notifications")
