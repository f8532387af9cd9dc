"""Several daphne processes behind one API, through a real Redis and a real RabbitMQ
(python-socketio's managers), and what an outage of Redis does to them."""

from __future__ import annotations

import threading

import socketio
from django.test import SimpleTestCase

from tests.support import (
    BROKER_LOGS,
    RABBITMQ,
    REDIS,
    SPECS,
    LiveServer,
    RabbitVhost,
    eventually,
    private_redis,
    require_service,
    unique,
)

SPEC = str(SPECS / "brokers.yaml")
WAIT = 10.0


class Inbox:
    """The ``news`` one client receives; it answers ``question`` with ``answer``."""

    def __init__(self, client: socketio.Client, answer: str = "yes"):
        self.client = client
        self.news: list[str] = []
        self._changed = threading.Condition()
        client.on("news", self._receive)
        client.on("question", lambda question: answer)

    def _receive(self, data):
        with self._changed:
            self.news.append(data["text"])
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = WAIT) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: text in self.news, timeout)

    @property
    def sid(self) -> str:
        return self.client.call("my sid", timeout=5)


class MultiProcessTests:
    """Two daphne processes sharing a broker; clients spread across them."""

    servers: list[LiveServer]

    @classmethod
    def broker_settings(cls) -> dict:
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        overrides = {"ASYNCTION_SPEC": SPEC, **cls.broker_settings()}
        cls.servers = [LiveServer(overrides), LiveServer(overrides)]
        for server in cls.servers:
            cls.addClassCleanup(server.stop)
            server.start("/socket.io/")

    def inbox(self, process: int, transport: str = "websocket", answer: str = "yes") -> Inbox:
        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)
        client.connect(self.servers[process].url, transports=[transport], wait_timeout=5)
        return Inbox(client, answer)

    def assertNothing(self, *inboxes: Inbox, text: str, after: Inbox) -> None:
        """None of ``inboxes`` got ``text``: a marker broadcast by ``after`` (the client that
        sent ``text``, so through the same process and broker, in order) reaches each of
        them, and ``text`` never came before it."""
        marker = unique("marker")
        after.client.call("broadcast", marker, timeout=5)
        for inbox in inboxes:
            self.assertTrue(inbox.wait_for(marker))
            self.assertNotIn(text, inbox.news)

    def test_broadcasts_reach_every_client_of_every_process(self):
        a1, a2, b1 = self.inbox(0), self.inbox(0, "polling"), self.inbox(1)
        b1.client.call("broadcast", "to everyone", timeout=5)
        for inbox in (a1, a2, b1):
            self.assertTrue(inbox.wait_for("to everyone"))
        self.assertNothing(a1, a2, b1, text="nothing else", after=b1)
        for inbox in (a1, a2, b1):
            self.assertEqual(inbox.news.count("to everyone"), 1)

    def test_room_emits_reach_exactly_the_room(self):
        a1, a2, b1, b2 = self.inbox(0), self.inbox(0), self.inbox(1), self.inbox(1)
        room = unique("room")
        a1.client.call("join", room, timeout=5)
        b1.client.call("join", room, timeout=5)
        a2.client.call("tell room", (room, "in the room"), timeout=5)
        self.assertTrue(a1.wait_for("in the room"))
        self.assertTrue(b1.wait_for("in the room"))
        self.assertNothing(a2, b2, text="in the room", after=a2)

    def test_an_emit_to_one_sid_reaches_it_on_the_other_process(self):
        a1, b1, b2 = self.inbox(0), self.inbox(1), self.inbox(1)
        a1.client.call("tell", (b1.sid, "psst"), timeout=5)
        self.assertTrue(b1.wait_for("psst"))
        self.assertNothing(a1, b2, text="psst", after=a1)

    def test_acks_come_back_across_processes_and_are_validated(self):
        a1, b1, b2 = self.inbox(0), self.inbox(1), self.inbox(1, answer="maybe")
        self.assertEqual(a1.client.call("ask other", (b1.sid, "ready?"), timeout=10), "yes")
        self.assertEqual(a1.client.call("ask other", (b2.sid, "ready?"), timeout=10),
                         "AckValidationError")

    def test_processes_that_serve_nothing_emit_through_the_broker(self):
        a1, b1 = self.inbox(0), self.inbox(1)
        worker = self.servers[0]
        with self.assertRaisesMessage(RuntimeError, "PayloadValidationError"):
            worker.run_python("from asynction_django import emit\n"
                              "emit('news', {'text': 42})")
        worker.run_python("from asynction_django import emit\n"
                          "emit('news', {'text': 'from a worker'})\n"
                          "emit('news', {'text': 'twice from a worker'})")
        worker.run_python("import asyncio\nfrom asynction_django import aemit\n"
                          "asyncio.run(aemit('news', {'text': 'from async code'}))")
        for inbox in (a1, b1):
            self.assertTrue(inbox.wait_for("from async code"))
            self.assertEqual(inbox.news, ["from a worker", "twice from a worker",
                                          "from async code"])


class RedisTests(MultiProcessTests, SimpleTestCase):
    @classmethod
    def broker_settings(cls):
        require_service("Redis", REDIS, "the tests of several processes on Redis")
        return {"ASYNCTION_MESSAGE_QUEUE": "redis://127.0.0.1:6379/15",
                "ASYNCTION_MESSAGE_QUEUE_OPTIONS": {"channel": unique("asynction-test")}}


class RabbitMQTests(MultiProcessTests, SimpleTestCase):
    @classmethod
    def broker_settings(cls):
        require_service("RabbitMQ", RABBITMQ, "the tests of several processes on RabbitMQ")
        vhost = RabbitVhost()
        cls.addClassCleanup(vhost.delete)
        return {"ASYNCTION_MESSAGE_QUEUE": vhost.create(),
                "ASYNCTION_MESSAGE_QUEUE_OPTIONS": {"channel": unique("asynction-test")}}


class RedisOutageTests(SimpleTestCase):
    """A Redis of the test's own, stopped and started again under two serving processes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        overrides = {"ASYNCTION_SPEC": SPEC, "LOGGING": BROKER_LOGS,
                     "ASYNCTION_MESSAGE_QUEUE": private_redis(cls)}
        cls.servers = [LiveServer(overrides), LiveServer(overrides)]
        for server in cls.servers:
            cls.addClassCleanup(server.stop)
            server.start("/socket.io/")

    inbox = MultiProcessTests.inbox

    def test_each_process_keeps_serving_and_delivery_resumes_after_a_restart(self):
        a, b = self.inbox(0), self.inbox(1)
        a.client.call("broadcast", "before", timeout=5)
        self.assertTrue(b.wait_for("before"))

        self.redis.stop()
        for number in range(20):  # traffic during the outage
            self.assertTrue(a.client.call("broadcast", f"during {number}", timeout=5))
            self.assertTrue(b.client.call("my sid", timeout=5))  # each serves its own
        self.assertTrue(a.wait_for("during 19"))  # local delivery goes on
        log = self.servers[0].log()
        self.assertEqual(log.count("Cannot publish to redis... giving up"), 1, log)
        self.assertIn("the message broker is unreachable", log)

        self.redis.start()

        def resumed() -> bool:
            a.client.call("broadcast", "after", timeout=5)
            return b.wait_for("after", timeout=1)

        # python-socketio retries with a growing backoff
        self.assertTrue(eventually(resumed, 40), "cross-process delivery did not resume:\n"
                        + self.servers[1].log())
        self.assertNotIn("during 19", b.news)  # lost in the outage: never delivered late
        self.assertTrue(a.client.call("my sid", timeout=5))  # the same daphne processes
