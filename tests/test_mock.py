"""The mock server: fake data valid against the spec, over the real wire."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from unittest import mock

import socketio
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase
from jsonschema import Draft202012Validator

from asynction_django.fakes import FakeFactory, MissingExtra
from asynction_django.schemas import to_json_schema
from asynction_django.spec import Arity, load_spec

from .live import ROOT, LiveServer

SPECS = Path(__file__).resolve().parent / "specs"
EXAMPLE = ROOT / "example_project" / "asyncapi.yaml"
FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER


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
