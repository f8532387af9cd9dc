"""The mock server: fake data valid against the spec, over the real wire."""

from __future__ import annotations

import io
import math
import re
import sys
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from unittest import mock

import socketio
import yaml
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase
from jsonschema import Draft202012Validator

from asynction_django.apidocs.examples import message_examples
from asynction_django.asgi import SocketIORouter, socketio_asgi_app
from asynction_django.conf import get_settings
from asynction_django.exceptions import SpecError
from asynction_django.mock.fakes import FakeFactory, MissingExtra
from asynction_django.mock.server import MockApp, build_mock
from asynction_django.runtime import install_server, reset_server
from asynction_django.schemas import to_json_schema
from asynction_django.spec import Arity, load_spec
from asynction_django.testing import AsyncSocketIOClient, SocketIOTestMixin
from asynction_django.validation import compile_schema

from .live import ROOT, LiveServer

SPECS = Path(__file__).resolve().parent / "specs"
EXAMPLE = ROOT / "example_project" / "asyncapi.yaml"
REALISTIC = SPECS / "mock_realistic.yaml"
REPLIES = SPECS / "mock_replies.yaml"
UNFAKEABLE = SPECS / "mock_unfakeable.yaml"
UNWRITTEN_SECURITY = SPECS / "mock_unwritten_security.yaml"
FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER
SAFE_INTEGER = 2**53 - 1


def checker(schema):
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    return validator.is_valid


class FakeTests(SimpleTestCase):
    factory = FakeFactory(seed=7)

    def pool(self, schema):
        values = self.factory.pool(schema, checker(schema)).values
        for value in values:
            self.assertTrue(checker(schema)(value), value)
        return values

    def test_formats_and_faker_providers_give_realistic_strings(self):
        values = self.pool({"type": "object", "required": ["email", "id", "name", "when"],
                            "properties": {"email": {"type": "string", "format": "email"},
                                           "id": {"type": "string", "format": "uuid"},
                                           "name": {"type": "string", "format": "first_name"},
                                           "when": {"type": "string", "format": "date-time"}}})
        self.assertGreater(len(values), 5)
        for value in values:
            self.assertRegex(value["email"], r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
            self.assertRegex(value["name"], r"^[A-Z][a-z]+$")  # a Faker first name
            self.assertEqual(set(value), {"email", "id", "name", "when"})  # no made-up keys

    def test_plain_strings_are_words_and_constraints_hold(self):
        values = self.pool({"type": "string", "minLength": 2, "maxLength": 12})
        self.assertTrue(all(value.isprintable() for value in values))
        numbers = self.pool({"type": "integer", "minimum": 5, "maximum": 9})
        self.assertTrue(all(5 <= number <= 9 for number in numbers))

    def test_tuples_enums_and_recursive_schemas(self):
        tuples = self.pool({"type": "array", "prefixItems": [{"type": "integer"},
                                                             {"enum": ["up", "down"]}],
                            "items": False, "minItems": 2})
        self.assertTrue(all(len(value) == 2 and value[1] in ("up", "down") for value in tuples))
        tree = {"$defs": {"node": {"type": "object", "required": ["label"], "properties": {
            "label": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
            "$ref": "#/$defs/node"}
        self.assertTrue(self.pool(tree))

    def test_missing_extra_says_what_to_install(self):
        with mock.patch.dict(sys.modules, {"faker": None}):
            with self.assertRaisesMessage(MissingExtra, "pip install 'asynction-django[mock]'"):
                FakeFactory()
            with self.assertRaisesMessage(CommandError, "pip install 'asynction-django[mock]'"):
                call_command("asynction_mock", str(SPECS / "echo.yaml"))

    def test_bad_arguments_are_command_errors(self):
        with self.assertRaisesMessage(CommandError, "--interval must be more than 0"):
            call_command("asynction_mock", str(SPECS / "echo.yaml"), interval=0)
        with self.assertRaisesMessage(CommandError, "no such file"):
            call_command("asynction_mock", "nope.yaml")
        with self.assertRaisesMessage(CommandError, "problem(s) in the AsyncAPI document"):
            call_command("asynction_mock", str(SPECS / "unit" / "broken.yaml"), stderr=_Null())


EMAIL = r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$"
HEADLINES = [{"title": "Rain expected in Lisbon", "score": 3},
             {"title": "Markets close higher", "score": 7}]


def leaves(value):
    """Every number and string in a JSON value."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def mock_settings(spec):
    return replace(get_settings(), SPEC=spec, SERVER=None)


class RealisticFakeTests(SimpleTestCase):
    """What fakes look like: the spec's examples first, modest numbers, words (issue #18)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spec = load_spec(REALISTIC, require_handlers=False)
        cls.factory = FakeFactory(seed=11)

    def values(self, event, examples=()):
        payload = self.spec.namespaces["/"].sent[event].payload
        check = compile_schema(payload.schema, self.spec.document)
        schema = to_json_schema(payload.schema, self.spec.document)
        values = self.factory.pool(schema, lambda value: not check(value), examples).values
        for value in values:
            self.assertEqual(check(value), [], value)
        return values

    def test_numbers_are_modest_and_safe_unless_the_schema_says_otherwise(self):
        stats = self.values("stats")
        for value in stats:
            self.assertTrue(0 <= value["numUsers"] <= 1000, value)
            self.assertTrue(0 <= value["value"] <= 1000, value)
        budgets = self.values("budget")
        for budget in budgets:
            self.assertGreaterEqual(budget["amount"], 5000)
            self.assertEqual(budget["amount"] % 500, 0)
            self.assertTrue(-1100 <= budget["debt"] <= -100, budget)
            # A range of ±10^20 allows modest values, so modest they are.
            self.assertTrue(0 <= budget["huge"] <= 1000, budget)
            self.assertTrue(math.isfinite(budget["ratio"]) and abs(budget["ratio"]) <= 1000)
        numbers = [leaf for value in stats + budgets for leaf in leaves(value)
                   if isinstance(leaf, (int, float)) and not isinstance(leaf, bool)]
        self.assertTrue(numbers)
        self.assertTrue(all(abs(number) <= SAFE_INTEGER for number in numbers))

    def test_strings_are_words_unless_a_format_or_pattern_says_otherwise(self):
        values = self.values("stats")
        self.assertGreater(len(values), 5)
        for value in values:
            self.assertRegex(value["email"], EMAIL)  # by the property's name
            self.assertRegex(value["contact"], EMAIL)  # by its format
            self.assertRegex(value["username"], r"^[\w.]+$")
            self.assertRegex(value["name"], r"^[A-Z][\w.'-]*( [A-Z][\w.'-]*)+$")
            datetime.fromisoformat(value["time"])  # not a phone number
            datetime.fromisoformat(value["seen"])
            self.assertRegex(value["url"], r"^https?://")
            self.assertTrue(30 <= len(value["note"]) <= 40 and " " in value["note"], value)
            self.assertRegex(value["id"], r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")
            self.assertRegex(value["host"], r"^\d+\.\d+\.\d+\.\d+$")
            self.assertRegex(value["code"], r"^[A-Z]{3}-[0-9]{4}$")  # whole, not just a part
            self.assertTrue(1 <= len(value["tags"]) <= 5)
            self.assertEqual(len(set(value["tags"])), len(value["tags"]))
            self.assertTrue(1 <= len(value["extra"]) <= 3)  # free-form: words keyed by words
            self.assertTrue(all(word.isalpha() for word in [*value["extra"], *value["tags"]]))
            for leaf in leaves(value):
                self.assertTrue(not isinstance(leaf, str) or leaf.isprintable(), leaf)

    def test_the_schemas_own_examples_const_enum_and_default_at_any_depth(self):
        values = self.values("reading")
        self.assertEqual({value["sensor"] for value in values}, {"thermo-kitchen", "thermo-garage"})
        for value in values:
            self.assertEqual(value["unit"], "celsius")
            self.assertIn(value["level"], ["low", "high"])
            self.assertEqual(value["mode"], "auto")
            self.assertEqual(value["position"], {"lat": 38.72, "lon": -9.14})
            self.assertLessEqual(value["floor"], 10)  # its example (99) breaks its maximum
        self.assertEqual(self.values("move"), [["e2", "e4"]])  # each tuple item's examples

    def test_message_examples_come_first_and_broken_ones_are_left_out(self):
        message = self.spec.namespaces["/"].sent["headline"]
        self.assertEqual(self.values("headline", message_examples(message.document)), HEADLINES)

    def test_recursive_schemas_are_unrolled(self):
        def depth(node):
            return 1 + max((depth(child) for child in node.get("children", [])), default=0)

        values = self.values("tree")
        self.assertGreaterEqual(max(depth(value) for value in values), 2)
        self.assertTrue(all(label.isalpha() for value in values for label in leaves(value)))


class FakeValidityTests(SimpleTestCase):
    """Every fake of every schema of the fixtures is valid, whatever the seed."""

    def test_every_fake_is_valid_against_its_schema_over_many_seeds(self):
        for path in (REALISTIC, REPLIES, EXAMPLE):
            spec = load_spec(path, require_handlers=False)
            messages = [message for namespace in spec.namespaces.values()
                        for message in (*namespace.sent.values(), *namespace.received.values())]
            arguments = [part for message in messages for part in (message.payload, message.ack)
                         if part is not None and part.arity is not Arity.NONE]
            for part in arguments:
                schema = to_json_schema(part.schema, spec.document)
                check = compile_schema(part.schema, spec.document)
                validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
                for seed in range(3):
                    with self.subTest(spec=path.name, at=part.location.pointer, seed=seed):
                        values = FakeFactory(seed, size=8).pool(
                            schema, lambda value, check=check: not check(value)).values
                        self.assertTrue(values)
                        for value in values:
                            validator.validate(value)
                            self.assertEqual(check(value), [])
                            self.assertTrue(all(
                                abs(leaf) <= SAFE_INTEGER for leaf in leaves(value)
                                if isinstance(leaf, int)))


class MockStartupErrorTests(SimpleTestCase):
    """What stops the mock is said at start-up: every problem, with its file and pointer."""

    def test_every_unfakeable_schema_is_named_with_its_file_and_pointer(self):
        with self.assertRaises(SpecError) as caught:
            build_mock(mock_settings(UNFAKEABLE))
        problems = caught.exception.problems
        self.assertEqual([(problem.file, problem.pointer) for problem in problems], [
            (str(UNFAKEABLE), "/channels/~1/publish/message/x-ack/args"),
            # The part of the payload that cannot be faked, not only the payload.
            (str(UNFAKEABLE), "/channels/~1/subscribe/message/oneOf/0/payload/properties/count"),
        ])
        self.assertIn("the mock cannot fake the ack of event 'ask' in /: no value valid",
                      problems[0].reason)
        self.assertIn("the mock cannot fake the payload of event 'broken' in /",
                      problems[1].reason)
        stderr = io.StringIO()
        with self.assertRaisesMessage(CommandError, "2 problem(s) in the AsyncAPI document"):
            call_command("asynction_mock", str(UNFAKEABLE), stderr=stderr)
        for problem in problems:
            self.assertIn(f"{problem.file}:{problem.pointer}: {problem.reason}", stderr.getvalue())

    def test_an_unimportable_info_function_suggests_accept_any_credentials(self):
        stderr = io.StringIO()
        with self.assertRaisesMessage(CommandError, "1 problem(s) in the AsyncAPI document"):
            call_command("asynction_mock", str(UNWRITTEN_SECURITY), stderr=stderr)
        self.assertRegex(stderr.getvalue(), re.escape(
            f"{UNWRITTEN_SECURITY}:/components/securitySchemes/apiKey: cannot import "
            "'tests.not_written_yet.check_key'") + ".*run it with --accept-any-credentials")
        server, _ = build_mock(mock_settings(UNWRITTEN_SECURITY), accept_any_credentials=True)
        self.assertEqual(list(server.spec.namespaces), ["/"])

    def test_no_such_hint_where_accept_any_credentials_would_not_help(self):
        document = yaml.safe_load(UNWRITTEN_SECURITY.read_text())
        document["components"]["securitySchemes"]["apiKey"] = {"type": "X509"}
        for accept_any in (False, True):
            with self.assertRaises(SpecError) as caught:
                build_mock(mock_settings(document), accept_any_credentials=accept_any)
            [problem] = caught.exception.problems
            self.assertIn("which a Socket.IO server cannot enforce", problem.reason)
            self.assertNotIn("--accept-any-credentials", problem.reason)


class MockProtocolTests(SocketIOTestMixin, SimpleTestCase):
    """The fixtures' mocks, served in-process, over the real Socket.IO protocol."""

    def serve(self, path):
        server, emitter = build_mock(mock_settings(path), interval=0.02, seed=5)
        install_server(server)
        self.addCleanup(reset_server)
        self.application = MockApp(SocketIORouter(socketio_asgi_app()), emitter)
        return server

    def _client(self, query, headers, cookies, user):
        return AsyncSocketIOClient(self.application, query=query, headers=headers,
                                   cookies=cookies, user=user)

    def test_acks_of_the_kraken_shape_are_valid(self):
        server = self.serve(REALISTIC)
        ack = server.spec.namespaces["/"].received["subscribe"].ack
        validator = Draft202012Validator(to_json_schema(ack.schema, server.spec.document),
                                         format_checker=FORMAT_CHECKER)
        client = self.socketio_client("/")
        for _ in range(10):
            answer = client.call("subscribe", {"pair": "XBT/EUR"})
            validator.validate(answer)
            self.assertEqual(answer["event"], "subscriptionStatus")
        error = client.call("subscribe", {"pair": 7})  # still validated as usual
        self.assertEqual(error["error"]["type"], "PayloadValidationError")

    def test_server_events_carry_the_spec_examples(self):
        self.serve(REALISTIC)
        client = self.socketio_client("/")
        for _ in range(4):
            self.assertIn(client.receive("headline", timeout=5).args, [[h] for h in HEADLINES])
        [reading] = client.receive("reading", timeout=5).args
        self.assertIn(reading["sensor"], ["thermo-kitchen", "thermo-garage"])
        self.assertEqual(client.receive("move", timeout=5).args, ["e2", "e4"])
        [stats] = client.receive("stats", timeout=5).args
        self.assertTrue(0 <= stats["numUsers"] <= 1000)
        self.assertRegex(stats["email"], EMAIL)

    def test_asyncapi3_replies_and_messages_use_their_examples(self):
        self.serve(REPLIES)
        client = self.socketio_client("/")
        acks = [client.call("ping", {"reqid": 1}) for _ in range(8)]
        self.assertTrue(all(ack in ({"event": "pong", "reqid": 42},
                                    {"event": "busy", "retryAfter": 5}) for ack in acks), acks)
        self.assertEqual(client.receive("tick", timeout=5).args,
                         [{"pair": "XBT/EUR", "price": 61234.5}])


class _Null:
    def write(self, text):
        pass

    def flush(self):
        pass


class Collector:
    """Everything a python-socketio client receives, on any event and namespace."""

    def __init__(self, client: socketio.Client, namespaces: list[str]):
        self.events: list[tuple[str, str, tuple]] = []
        self.arrived = threading.Event()
        for namespace in namespaces:
            client.on("*", self._handler(namespace), namespace=namespace)

    def _handler(self, namespace):
        def record(event, *args):
            self.events.append((namespace, event, args))
            self.arrived.set()
        return record


class MockServerTests(SimpleTestCase):
    """``python -m asynction_django mock`` on the example project's spec, outside any project."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spec = load_spec(EXAMPLE, require_handlers=False)
        cls.server = LiveServer({})
        cls.server.start("/socket.io/", ["-m", "asynction_django", "mock", str(EXAMPLE),
                                          "--port", str(cls.server.port), "--interval", "0.1",
                                          "--accept-any-credentials", "--seed", "1"],
                         environment={"DJANGO_SETTINGS_MODULE": ""})
        cls.addClassCleanup(cls.server.stop)

    def connect(self, namespaces=("/", "/admin"), **kwargs) -> socketio.Client:
        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)
        kwargs.setdefault("headers", {"Cookie": "sessionid=any-session"})
        client.connect(self.server.url, namespaces=list(namespaces), wait_timeout=5,
                       transports=["websocket"], **kwargs)
        return client

    def validator(self, arguments):
        return Draft202012Validator(to_json_schema(arguments.schema, self.spec.document),
                                    format_checker=FORMAT_CHECKER)

    def test_client_events_are_validated_and_acked_with_valid_fakes(self):
        client = self.connect()
        valid = {"join room": {"room": "lobby"}, "send message": {"room": "lobby", "text": "hi"},
                 "typing": ("lobby", True), "list rooms": None,
                 "broadcast": {"text": "hello", "level": "info"}}
        for namespace in self.spec.namespaces.values():
            for event, message in namespace.received.items():
                data = valid[event]
                with self.subTest(namespace=namespace.name, event=event):
                    ack = client.call(event, data, namespace=namespace.name, timeout=5)
                    if message.ack is None:
                        self.assertIsNone(ack)
                    else:
                        self.validator(message.ack).validate(ack)
        error = client.call("send message", {"room": "lobby"}, timeout=5)
        self.assertEqual(error["error"]["type"], "PayloadValidationError")

    def test_every_server_event_arrives_with_valid_fakes(self):
        client = self.connect()
        collector = Collector(client, ["/", "/admin"])
        expected = {(namespace.name, event): message
                    for namespace in self.spec.namespaces.values()
                    for event, message in namespace.sent.items()}
        for _ in range(50):
            if {(namespace, event) for namespace, event, _ in collector.events} >= set(expected):
                break
            collector.arrived.clear()
            collector.arrived.wait(1)
        seen = {(namespace, event) for namespace, event, _ in collector.events}
        self.assertEqual(seen, set(expected))
        for namespace, event, args in collector.events:
            message = expected[(namespace, event)]
            with self.subTest(namespace=namespace, event=event):
                instance = list(args) if message.payload.arity is Arity.TUPLE else args[0]
                self.validator(message.payload).validate(instance)

    def refusal(self, url: str, headers: dict[str, str]) -> dict:
        client = socketio.Client(reconnection=False)
        self.addCleanup(client.disconnect)
        refused = []
        client.on("connect_error", refused.append)
        with self.assertRaises(socketio.exceptions.ConnectionError):
            client.connect(url, namespaces=["/"], wait_timeout=5, transports=["websocket"],
                           headers=headers)
        return refused[0]

    def test_handshakes_and_security_are_still_checked(self):
        # Any credential is accepted, but a missing one is still refused.
        self.assertEqual(self.refusal(self.server.url, {}), {"message": "Unauthorized"})
        refused = self.refusal(f"{self.server.url}?client=bogus", {"Cookie": "sessionid=x"})
        self.assertEqual(refused["data"]["errors"][0]["pointer"], "/query/client")

    def test_the_docs_are_served_too(self):
        import requests

        page = requests.get(f"{self.server.url}/docs", timeout=5)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Example chat", page.text)
        css = requests.get(f"{self.server.url}/static/asynction_django/docs.css", timeout=5)
        self.assertEqual(css.status_code, 200)


class MockSecurityTests(SimpleTestCase):
    """``manage.py asynction_mock`` in a project: the spec's own security functions run."""

    def test_real_security_functions_without_accept_any(self):
        server = LiveServer({"ASYNCTION_SPEC": str(SPECS / "security.yaml")})
        server.start("/socket.io/", ["-m", "django", "asynction_mock", "--port",
                                      str(server.port), "--interval", "5"])
        self.addCleanup(server.stop)
        good = socketio.Client(reconnection=False)
        self.addCleanup(good.disconnect)
        good.connect(server.url, namespaces=["/"], transports=["websocket"], wait_timeout=5,
                     auth={"api_key": "key-123"})
        self.assertTrue(good.connected)
        bad = socketio.Client(reconnection=False)
        self.addCleanup(bad.disconnect)
        with self.assertRaises(socketio.exceptions.ConnectionError):
            bad.connect(server.url, namespaces=["/"], transports=["websocket"], wait_timeout=5,
                        auth={"api_key": "wrong"})
