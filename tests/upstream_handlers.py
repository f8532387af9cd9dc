"""Handlers with the signatures asynction's own array-vs-tuple example gives them.

The signatures are the point: ``tuple_message`` takes exactly the tuple's two items,
while its schema (prefixItems with no minItems, maxItems or ``items: false``) lets any
number of arguments through. What each handler received is returned as its ack, so the
tests see the values exactly as the handler got them.
"""

from __future__ import annotations


async def array_message(sid, payload):
    return {"payload": payload}


async def tuple_message(sid, num, word):
    return {"num": num, "word": word}
