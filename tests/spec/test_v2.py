"""AsyncAPI 2.x: a sent message without a name is a warning (asynction.W002), not a stop."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

from asynction_django import UnknownEventError
from asynction_django.asgi import get_asgi_application
from asynction_django.building import build
from asynction_django.checks import check_spec
from asynction_django.conf import AsynctionSettings
from asynction_django.runtime import get_server
from asynction_django.spec import inspect_spec
from tests.support import SPECS

UNNAMED_SENT = SPECS / "unit" / "unnamed_sent.yaml"
NO_NAME = "the message has no name (the Socket.IO event name)"


def v2(subscribe=None, publish=None):
    channel = {}
    if subscribe is not None:
        channel["subscribe"] = {"message": subscribe}
    if publish is not None:
        channel["publish"] = {"message": publish}
    return {"asyncapi": "2.6.0", "info": {"title": "t", "version": "1"},
            "channels": {"/": channel}}


UNNAMED_IN_ONE_OF = v2(
    subscribe={"oneOf": [{"name": "news", "payload": {"type": "string"}},
                         {"payload": {"type": "integer"}}]},
    publish={"name": "ping", "x-handler": "tests.handlers.ping"},
)
ONE_OF_POINTER = "/channels/~1/subscribe/message/oneOf/1"


def v3(action, message):
    return {
        "asyncapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "channels": {"root": {"address": "/", "messages": {"Notice": message}}},
        "operations": {"op": {"action": action, "channel": {"$ref": "#/channels/root"},
                              "x-handler": "tests.handlers.raw"}},  # takes one argument
    }


class UnnamedSentMessageTests(SimpleTestCase):
    def test_a_2x_subscribe_message_without_name_is_a_warning_and_the_server_builds(self):
        outcome = build(AsynctionSettings(SPEC=UNNAMED_IN_ONE_OF))
        self.assertEqual(outcome.spec_problems, [])
        self.assertEqual([(w.file, w.pointer) for w in outcome.spec_warnings],
                         [("<dict>", ONE_OF_POINTER)])
        self.assertIn(NO_NAME, outcome.spec_warnings[0].reason)
        self.assertIn("cannot be emitted", outcome.spec_warnings[0].reason)
        self.assertIsNotNone(outcome.server)
        namespace = outcome.server.spec.namespaces["/"]
        self.assertEqual(list(namespace.sent), ["news"])  # the unnamed one is left out
        self.assertEqual(list(namespace.received), ["ping"])

    def test_a_single_unnamed_subscribe_message_as_in_the_tck(self):
        spec, problems = inspect_spec(UNNAMED_SENT, require_handlers=False)
        self.assertEqual(list(problems), [])
        self.assertEqual([w.pointer for w in problems.warnings], ["/channels/~1/subscribe/message"])
        self.assertEqual(spec.namespaces["/"].sent, {})

    @override_settings(ASYNCTION_SPEC=UNNAMED_IN_ONE_OF)
    def test_checks_give_a_w002_warning_with_file_and_pointer(self):
        messages = check_spec()
        self.assertEqual([(m.id, m.level) for m in messages], [("asynction.W002", 30)])
        self.assertIn("cannot be emitted", messages[0].msg)
        self.assertEqual(messages[0].hint, f"in <dict> at {ONE_OF_POINTER}")
        err = StringIO()
        call_command("check", stdout=StringIO(), stderr=err)  # warnings do not fail
        self.assertIn("asynction.W002", err.getvalue())
        self.assertIn(ONE_OF_POINTER, err.getvalue())

    @override_settings(ASYNCTION_SPEC=UNNAMED_IN_ONE_OF)
    def test_start_up_goes_on(self):
        get_asgi_application()
        get_server().validate_emit("news", "text", "/")
        with self.assertRaisesMessage(UnknownEventError, "is not sent by the server"):
            get_server().validate_emit("", 1, "/")  # the unnamed message is no event

    def test_a_2x_publish_message_without_name_is_still_an_error(self):
        outcome = build(AsynctionSettings(SPEC=v2(publish={"x-handler": "tests.handlers.ping"})))
        self.assertIsNone(outcome.server)
        self.assertEqual([(p.pointer, p.reason.startswith(NO_NAME))
                          for p in outcome.spec_problems],
                         [("/channels/~1/publish/message", True)])
        self.assertEqual(outcome.spec_warnings, [])
        with override_settings(ASYNCTION_SPEC=v2(publish={"x-handler": "tests.handlers.ping"})):
            self.assertEqual([m.id for m in check_spec()], ["asynction.E002"])

    def test_3x_messages_are_always_named_by_their_channel_key(self):
        # A 3.x message without ``name`` is the event named by its key in the channel's
        # messages, so neither a send nor a receive operation has an unnamed message.
        for action, events in (("send", "sent"), ("receive", "received")):
            with self.subTest(action=action):
                outcome = build(AsynctionSettings(SPEC=v3(action, {"payload": {"type": "string"}})))
                self.assertEqual((outcome.spec_problems, outcome.spec_warnings), ([], []))
                namespace = outcome.server.spec.namespaces["/"]
                self.assertEqual(list(getattr(namespace, events)), ["Notice"])
