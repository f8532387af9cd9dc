"""The mock server: every problem said at start-up, fake data valid against the spec over
the real wire, and the spec's security still checked."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import replace

import socketio
import yaml
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase
from jsonschema import Draft202012Validator

from asynction_django.asgi import SocketIORouter, socketio_asgi_app
from asynction_django.conf import get_settings
from asynction_django.exceptions import SpecError
from asynction_django.mock.server import MockApp, build_mock
from asynction_django.runtime import install_server, reset_server
from asynction_django.schemas import to_json_schema
from asynction_django.spec import Arity, load_spec
from asynction_django.testing import AsyncSocketIOClient, SocketIOTestMixin
from tests.support import ROOT, SPECS, LiveServer

EXAMPLE = ROOT / "example_project" / "asyncapi.yaml"
REALISTIC = SPECS / "mock_realistic.yaml"
REPLIES = SPECS / "mock_replies.yaml"
UNFAKEABLE = SPECS / "mock_unfakeable.yaml"
UNWRITTEN_SECURITY = SPECS / "mock_unwritten_security.yaml"
FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER
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
