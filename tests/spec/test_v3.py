"""AsyncAPI 3.0/3.1 documents into the model: every mapping rule, the 3.x checks, and
the documents served."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from asynction_django.spec import Arity, inspect_spec, load_spec
from asynction_django.testing import ConnectionRefused, SocketIOTestCase
from tests.support import SPECS, LiveSocketIOTestCase

CHAT = SPECS / "v3" / "chat.yaml"
BROKEN = SPECS / "v3" / "broken.yaml"


class MappingTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spec = load_spec(CHAT)

    def test_address_is_the_namespace_and_channels_sharing_it_are_one(self):
        self.assertEqual(sorted(self.spec.namespaces), ["/", "/staff"])
        self.assertEqual(self.spec.namespaces["/"].connect_handler, "tests.handlers.connect")

    def test_receive_and_send_operations_are_the_two_directions(self):
        root = self.spec.namespaces["/"]
        self.assertEqual(sorted(root.received), ["echo", "pair", "ping", "sum"])
        self.assertEqual(sorted(root.sent), ["question", "welcome"])

    def test_reply_only_messages_are_ack_shapes_not_events(self):
        root = self.spec.namespaces["/"]
        self.assertNotIn("echoAck", root.received)
        self.assertNotIn("answer", root.sent)
        self.assertNotIn("pong", root.received)

    def test_reply_is_the_ack_in_both_directions(self):
        root = self.spec.namespaces["/"]
        self.assertEqual(root.received["echo"].ack.schema, {"type": "string"})
        self.assertEqual(root.sent["question"].ack.schema,
                         {"type": "string", "enum": ["yes", "no"]})
        # A reply channel without messages: its messages are the ack.
        self.assertEqual(root.received["ping"].ack.schema, {"const": "pong"})
        # A reply on the event's own channel with a runtime address: the Socket.IO ack.
        self.assertEqual(root.received["pair"].ack.arity, Arity.TUPLE)

    def test_x_ack_is_an_alias_of_reply(self):
        self.assertEqual(self.spec.namespaces["/"].received["sum"].ack.schema, {"type": "integer"})

    def test_handlers_on_the_operation_or_the_message(self):
        received = self.spec.namespaces["/"].received
        self.assertEqual(received["echo"].handler, "tests.handlers.echo")  # operation
        self.assertEqual(received["sum"].handler, "tests.handlers.total")  # message
        self.assertEqual(received["pair"].handler, "tests.handlers.pair")  # operation trait

    def test_multi_format_schema_objects(self):
        payload = self.spec.namespaces["/"].received["sum"].payload  # a JSON Schema format
        self.assertEqual(payload.schema, {"type": "array", "items": {"type": "integer"}})
        self.assertEqual(payload.arity, Arity.ONE)
        welcome = self.spec.namespaces["/"].sent["welcome"].payload  # an AsyncAPI format
        self.assertEqual(welcome.schema["required"], ["text"])

    def test_traits_follow_the_3x_rule_the_object_wins(self):
        echo = self.spec.namespaces["/"].received["echo"].document
        self.assertEqual(echo["summary"], "Said by the message itself.")
        self.assertEqual(echo["title"], "From a trait")

    def test_servers_host_and_pathname_give_the_socketio_path(self):
        self.assertEqual(self.spec.servers["public"].socketio_path, "live/socket.io")

    def test_security_lists_schemes_with_their_scopes(self):
        self.assertEqual(self.spec.servers["public"].security,
                         [{"apikey": []}, {"servers/public/security/1": ["chat:admin"]}])
        self.assertEqual(self.spec.security_schemes["servers/public/security/1"]["scheme"],
                         "bearer")
        staff = self.spec.namespaces["/staff"]
        self.assertEqual(staff.security, [{"apikey": []}])  # channel x-security: 2.x meaning
        self.assertEqual(staff.received["ping"].security, [{"oauth": ["write"]}])

    def test_no_feature_reads_the_raw_document_so_docs_work(self):
        from asynction_django.apidocs.page import build_docs

        docs = build_docs(self.spec, "live/socket.io", self.spec.servers["public"])
        events = {event.event: event for namespace in docs.namespaces
                  for event in namespace.received + namespace.sent}
        self.assertEqual(events["question"].ack.example, "yes")
        self.assertEqual(events["pair"].payload.summary, "2 arguments")


class ProblemTests(SimpleTestCase):
    def test_every_3x_mistake_with_file_and_pointer(self):
        spec, problems = inspect_spec(BROKEN)
        found = {(problem.pointer, problem.reason.split(":")[0]) for problem in problems}
        self.assertTrue(all(problem.file == str(BROKEN) for problem in problems))
        expected = {
            ("/channels/nowhere/address", "channel 'nowhere' has no address"),
            ("/channels/rooms/address", "channel '/rooms/{room}' has parameters; Socket.IO "
                                        "namespaces with parameters are not supported"),
            ("/operations/wrongAction/action", "action must be send or receive"),
            ("/operations/foreignMessage/messages/0",
             "this message is not one of channel 'main''s messages"),
            ("/operations/notRoot/channel",
             "an operation's channel must be a $ref to a channel of this document's #/channels, "
             "not /components/channels/hidden"),
            ("/operations/replyAddressTwice/reply/address",
             "a reply cannot have an address when its channel has one (channel 'other' has "
             "address '/other')"),
            ("/channels/main/messages/ok/x-ack",
             "this message's operation has a reply"),
            ("/channels/main/messages/avro/payload/schemaFormat",
             "schemaFormat 'application/vnd.apache.avro;version=1.9.0' is not supported"),
            ("/operations/noHandler/reply", "a reply with several messages is an ack of one "
                                            "argument matching any of them"),
            ("/operations/noHandler", "event 'first' is received from clients but has no "
                                      "x-handler (on the operation or its message)"),
        }
        self.assertEqual(found, expected)

    def test_unsupported_versions(self):
        spec, problems = inspect_spec({"asyncapi": "3.2.0", "info": {"title": "x"}})
        self.assertIsNone(spec)
        self.assertIn("use 2.0.0 to 2.6.0, 3.0.0 or 3.1.0", problems[0].reason)


@override_settings(ASYNCTION_SPEC=CHAT, ASYNCTION_SERVER=None)
class ServingTests(SocketIOTestCase):
    def test_events_acks_and_emits_are_validated_as_for_2x(self):
        client = self.socketio_client()
        self.assertEqual(client.receive("welcome").args, [{"text": "auth=[]"}])
        self.assertEqual(client.call("echo", {"text": "hi"}), "hi")
        self.assertEqual(client.call("pair", 1, "a"), (1, "a"))
        self.assertEqual(client.call("sum", [1, 2]), 3)
        self.assertEqual(client.call("ping"), "pong")
        error = client.call("echo", 5)["error"]
        self.assertEqual(error["type"], "PayloadValidationError")
        self.assertEqual(client.call("pair", "x", 1)["error"]["type"], "PayloadValidationError")

    def test_namespace_and_operation_security(self):
        with self.assertRaises(ConnectionRefused):
            self.socketio_client("/staff")
        client = self.socketio_client("/staff", query={"key": "key-123"})
        self.assertEqual(client.call("ping", namespace="/staff")["error"]["type"], "Unauthorized")
        client = self.socketio_client("/staff", query={"key": "key-123"},
                                      auth={"token": "full"})
        self.assertEqual(client.call("ping", namespace="/staff"), "pong")


class OtherToolsStyleTests(LiveSocketIOTestCase):
    """A document in the style other tools write for Socket.IO, served over a real daphne."""

    overrides = {"ASYNCTION_SPEC": str(SPECS / "v3" / "tuples.yaml")}

    def test_serves_on_both_transports(self):
        for transport in ("websocket", "polling"):
            with self.subTest(transport=transport):
                # The handshake schema requires Engine.IO's own EIO and transport: they pass.
                listener = self.connect(transport=transport)
                speaker = self.connect(transport="websocket")
                news = []
                listener.on("news", news.append)
                self.assertTrue(listener.call("join", "den", timeout=5))
                self.assertEqual(speaker.call("pair", (7, "x"), timeout=5), (7, "x"))
                # prefixItems: [] with items: any number of arguments of that schema.
                self.assertEqual(speaker.call("count", ("a", "b", "c"), timeout=5), 3)
                self.assertEqual(speaker.call("count", timeout=5), 0)
                error = speaker.call("count", ("a", 1), timeout=5)["error"]
                self.assertEqual(error["errors"][0]["pointer"], "/1")
                error = speaker.call("pair", "7", timeout=5)
                self.assertEqual(error["error"]["type"], "PayloadValidationError")
                speaker.call("tell room", ("den", "hello"), timeout=5)
                listener.call("join", "den", timeout=5)  # anything the room got lands first
                self.assertEqual(news, [{"text": "hello"}])
