"""Handlers of tests/specs/conformance.yaml: the reference server of the protocol suite."""

from asynction_django import aemit, get_connection


async def greet(sid, environ, auth):
    await aemit("auth", auth or {}, to=sid, namespace=get_connection(sid).namespace)


async def message(sid, *arguments):
    await aemit("message-back", arguments, to=sid)


async def message_with_ack(sid, *arguments):
    return arguments
