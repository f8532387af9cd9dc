"""The benchmark's handlers, registered from the spec (asynction) or by hand (plain)."""

from asynction_django import aemit


async def echo(sid, item):
    return item


async def broadcast(sid, item):
    await aemit("news", item)
