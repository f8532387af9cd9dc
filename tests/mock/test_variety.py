"""Successive mock fakes differ (issue #25): examples in turn, new ids, times and words."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from django.test import SimpleTestCase, TransactionTestCase
from jsonschema import Draft202012Validator

from asynction_django.apidocs.examples import message_examples
from asynction_django.asgi import SocketIORouter, socketio_asgi_app
from asynction_django.conf import get_settings
from asynction_django.mock.fakes import FakeFactory
from asynction_django.mock.server import MockApp, build_mock
from asynction_django.runtime import install_server, reset_server
from asynction_django.schemas import to_json_schema
from asynction_django.spec import load_spec
from asynction_django.testing import AsyncSocketIOClient, SocketIOTestMixin
from asynction_django.validation import compile_schema
from tests.support import ROOT, SPECS

VARIETY = SPECS / "mock_variety.yaml"
EXAMPLE = ROOT / "example_project" / "asyncapi.yaml"
FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER
MACHINE_MADE = re.compile(r"^(.)\1\1-(.)\2\2\2$")  # hypothesis' simplest match: AAA-0000


class Clock:
    """A clock the test moves: a minute further at every reading."""

    def __init__(self, start: float = 1_760_000_000.0):
        self.now = start

    def __call__(self) -> float:
        self.now += 60
        return self.now


class VarietyTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spec = load_spec(VARIETY, require_handlers=False)

    def pool(self, event, seed=3, clock=None):
        message = self.spec.namespaces["/"].sent[event]
        check = compile_schema(message.payload.schema, self.spec.document)
        schema = to_json_schema(message.payload.schema, self.spec.document)
        factory = FakeFactory(seed, size=10, clock=clock or Clock())
        return factory.pool(schema, lambda value: not check(value),
                            message_examples(message.document)), check, schema

    def picks(self, event, count, **kwargs):
        """``count`` successive picks, each checked with the package's validator and with
        jsonschema's (formats included)."""
        pool, check, schema = self.pool(event, **kwargs)
        validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
        values = [pool.pick() for _ in range(count)]
        for value in values:
            self.assertEqual(check(value), [], value)
            validator.validate(value)
        return values

    def test_examples_are_served_in_turn_with_new_ids_and_times(self):
        clock = Clock()
        orders = self.picks("order", 6, clock=clock)
        self.assertEqual([order["item"] for order in orders], ["Espresso", "Croissant"] * 3)
        self.assertEqual([order["id"] for order in orders], list(range(41, 47)))
        self.assertEqual([order["orderId"] for order in orders],
                         [f"ord-{number:04d}" for number in range(41, 47)])
        times = [datetime.fromisoformat(order["placedAt"]) for order in orders]
        self.assertEqual(times, sorted(times))
        self.assertEqual(len(set(times)), 6)
        self.assertEqual(orders[-1]["placedAt"], datetime.fromtimestamp(
            clock.now, UTC).isoformat(timespec="seconds").replace("+00:00", "Z"))

    def test_generated_values_get_new_ids_times_words_and_patterns(self):
        clock = Clock()
        readings = self.picks("reading", 30, clock=clock)
        self.assertEqual(len({reading["id"] for reading in readings}), 30)
        stamps = [reading["timestamp"] for reading in readings]
        self.assertEqual(stamps, sorted(stamps))
        self.assertEqual(stamps[-1], int(clock.now))
        self.assertEqual(len({reading["seen"] for reading in readings}), 30)
        sensors = [reading["sensor"] for reading in readings]
        self.assertGreater(len(set(sensors)), 25)
        self.assertFalse([sensor for sensor in sensors if MACHINE_MADE.match(sensor)])
        self.assertGreater(len({reading["note"] for reading in readings}), 25)
        for before, after in zip(readings, readings[1:], strict=False):
            self.assertNotEqual(before["note"], after["note"])
            self.assertNotEqual(before["tags"], after["tags"])
        for reading in readings:
            self.assertEqual(len(set(reading["tags"])), 2)  # items stay distinct
            self.assertIn(" ", reading["note"])  # a sentence, as a note reads
            self.assertIn(reading["kind"], ["indoor", "outdoor"])  # given values stay given

    def test_renewal_never_breaks_the_schema(self):
        for bounded in self.picks("bounded", 12):
            self.assertLessEqual(bounded["id"], 3)
            self.assertEqual(bounded["frameId"], "frame-7")  # const: not counted up
            self.assertLessEqual(bounded["updatedAt"], 1000)  # not "now": the maximum wins

    def test_a_seed_repeats_the_whole_sequence(self):
        def sequence(seed):
            return self.picks("reading", 8, seed=seed, clock=Clock())

        self.assertEqual(sequence(9), sequence(9))
        self.assertNotEqual(sequence(9), sequence(10))


class MockEmitVarietyTests(SocketIOTestMixin, TransactionTestCase):
    """The example chat's mock, in-process: successive emits and acks differ."""

    def setUp(self):
        server, emitter = build_mock(replace(get_settings(), SPEC=EXAMPLE, SERVER=None),
                                     interval=0.02, seed=4, accept_any_credentials=True)
        install_server(server)
        self.addCleanup(reset_server)
        self.application = MockApp(SocketIORouter(socketio_asgi_app()), emitter)
        self.spec = server.spec

    def _client(self, query, headers, cookies, user):
        return AsyncSocketIOClient(self.application, query=query, headers=headers,
                                   cookies=cookies, user=user)

    def test_new_messages_and_acks_get_new_ids_and_times(self):
        client = self.socketio_client("/", cookies={"sessionid": "any-session"})
        namespace = self.spec.namespaces["/"]
        payload = namespace.sent["new message"].payload
        check = compile_schema(payload.schema, self.spec.document)
        messages = [client.receive("new message", timeout=5).args[0] for _ in range(4)]
        for message in messages:
            self.assertEqual(check(message), [], message)
        ids = [message["id"] for message in messages]
        self.assertEqual(ids, sorted(set(ids)))
        times = [datetime.fromisoformat(message["created"]) for message in messages]
        self.assertEqual(times, sorted(times))
        self.assertLess(abs(datetime.now(UTC) - times[-1]).total_seconds(), 60)
        self.assertGreater(len({message["text"] for message in messages}), 1)
        ack_check = compile_schema(namespace.received["send message"].ack.schema,
                                   self.spec.document)
        acks = [client.call("send message", {"room": "lobby", "text": "hi"}) for _ in range(4)]
        for ack in acks:
            self.assertEqual(ack_check(ack), [], ack)
        self.assertEqual([ack["id"] for ack in acks], sorted({ack["id"] for ack in acks}))
