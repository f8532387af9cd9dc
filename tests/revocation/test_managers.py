"""Revocations travel between processes as a kind of message of this project's own, through
python-socketio's pub/sub manager (queues/managers.py): one seam under every broker."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

from django.test import SimpleTestCase, override_settings
from socketio.async_pubsub_manager import AsyncPubSubManager

from asynction_django.queues.managers import (
    ChannelsManager,
    ProjectMessages,
    RedisManager,
)
from tests.support import RABBITMQ, REDIS, ROOT, RabbitVhost, require_service, unique

KIND = "asynction:test"
STOP = "asynction:test-stop"  # a kind nobody registered: the listener yields it


class MemoryBroker(AsyncPubSubManager):
    """A broker in a queue: what it was handed, it yields, as a broker's ``_listen`` does."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    async def _publish(self, data: dict[str, Any]) -> None:
        await self.queue.put(json.dumps(data))

    async def _listen(self) -> AsyncIterator[Any]:
        while True:
            yield await self.queue.get()


class MemoryManager(ProjectMessages, MemoryBroker):
    pass


class SeamTests(SimpleTestCase):
    async def test_a_registered_kind_goes_to_its_receiver_and_the_rest_to_python_socketio(self):
        manager = MemoryManager()
        received = []

        async def receiver(message: dict[str, Any]) -> None:
            received.append(message.get("n"))
            if message.get("n") == 1:
                raise RuntimeError("a receiver's bug")

        manager.on_message(KIND, receiver)
        for message in ({"method": KIND, "n": 1, "host_id": "another"},  # fails, logged
                        {"method": KIND, "n": 2, "host_id": manager.host_id},  # its own
                        "not json",
                        {"method": "emit", "event": "news", "host_id": "another"},
                        {"method": KIND, "n": 3, "host_id": "another"},
                        {"method": ["not", "a", "name"], "host_id": "another"}):
            manager.queue.put_nowait(message if isinstance(message, str)
                                     else json.dumps(message))
        listened = manager._listen()
        with self.assertLogs("asynction_django.broker", "ERROR"):
            passed = [await anext(listened) for _ in range(3)]
        self.assertEqual(passed, ["not json",  # as it came: python-socketio drops it too
                                  {"method": "emit", "event": "news", "host_id": "another"},
                                  {"method": ["not", "a", "name"], "host_id": "another"}])
        self.assertEqual(received, [1, 3])
        await listened.aclose()

    def test_python_socketios_listener_takes_a_decoded_message_as_it_is(self):
        # ProjectMessages._listen yields dicts; _thread must not decode them a second time.
        self.assertIn("isinstance(message, dict)", inspect.getsource(AsyncPubSubManager._thread))


async def delivered(listener: ProjectMessages, publisher: ProjectMessages) -> dict:
    """What ``listener``'s receiver got of a message ``publisher`` published."""
    arrived: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    listener.on_message(KIND, arrived.put)
    listening = asyncio.ensure_future(_listen_until_stop(listener))
    try:
        for _ in range(100):  # until the listener has subscribed: a publish before is lost
            await publisher.publish_message(KIND, {"reason": "logout"})
            try:
                return await asyncio.wait_for(arrived.get(), 0.1)
            except TimeoutError:
                continue
        raise AssertionError("nothing arrived")
    finally:
        # Told to stop, the listener leaves from a yield, as python-socketio's would.
        await publisher.publish_message(STOP, {})
        await asyncio.wait({listening}, timeout=5)
        listening.cancel()


async def _listen_until_stop(manager: ProjectMessages) -> None:
    listened = manager._listen()
    async for message in listened:
        if isinstance(message, dict) and message.get("method") == STOP:
            break
    await listened.aclose()


# aiormq (under aio-pika) leaves tasks behind that never finish cancelling when the loop
# closes: RabbitMQ's exchange is checked in a child process, which exits without closing.
IN_A_CHILD = """
import asyncio, json, os, sys
import django
django.setup()
from asynction_django.queues.managers import AioPikaManager
from tests.revocation.test_managers import delivered

async def main(url, channel):
    message = await delivered(AioPikaManager(url, channel=channel),
                              AioPikaManager(url, channel=channel, write_only=True))
    print(json.dumps(message), flush=True)
    os._exit(0)

asyncio.run(main(*sys.argv[1:]))
"""


class BrokerTests(SimpleTestCase):
    """A message published by one manager (a write-only one, as a worker's) reaches another's
    receiver through each real broker."""

    def assertDelivered(self, message: dict) -> None:
        self.assertEqual((message["method"], message["reason"]), (KIND, "logout"))

    async def test_redis(self):
        require_service("redis", REDIS, "the revocation seam over Redis")
        url, channel = "redis://127.0.0.1:6379/0", unique("revocation")
        listener = RedisManager(url, channel=channel)
        publisher = RedisManager(url, channel=channel, write_only=True)
        self.assertDelivered(await delivered(listener, publisher))
        for connection in (listener.pubsub, listener.redis, publisher.redis):
            await connection.aclose()

    def test_rabbitmq(self):
        require_service("rabbitmq", RABBITMQ, "the revocation seam over RabbitMQ")
        vhost = RabbitVhost()
        url = vhost.create()
        self.addCleanup(vhost.delete)
        done = subprocess.run([sys.executable, "-c", IN_A_CHILD, url, unique("revocation")],
                              capture_output=True, text=True, cwd=ROOT, timeout=60,
                              env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertDelivered(json.loads(done.stdout))

    @override_settings(CHANNEL_LAYERS={"default": {
        "BACKEND": "channels.layers.InMemoryChannelLayer"}})
    async def test_a_channels_layer(self):
        channel = unique("revocation")
        self.assertDelivered(await delivered(ChannelsManager(channel=channel),
                                             ChannelsManager(channel=channel, write_only=True)))
