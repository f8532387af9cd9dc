"""``x-presence`` read at start-up: its forms, and every wrong one stopping start-up and
``manage.py check`` with file, JSON pointer and reason, in 2.x and 3.x documents."""

from __future__ import annotations

import copy

from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import SimpleTestCase, override_settings

from asynction_django import SpecError
from asynction_django.building import build
from asynction_django.checks import check_spec
from asynction_django.conf import AsynctionSettings
from asynction_django.runtime import get_server
from asynction_django.spec import inspect_spec, load_spec
from asynction_django.spec.convert import convert_to_v3
from tests.support import SPECS

DIFF = {"type": "object", "required": ["room", "member"]}
SENT = {"message": {"oneOf": [{"name": "presence:join", "payload": DIFF},
                              {"name": "presence:leave", "payload": DIFF}]}}


def document(presence, subscribe=SENT, channel="/chat"):
    return {"asyncapi": "2.6.0", "info": {"title": "t", "version": "1"},
            "channels": {channel: {"x-presence": presence, "subscribe": copy.deepcopy(subscribe)}}}


def problems(doc):
    _, found = inspect_spec(doc)
    return [(problem.pointer, problem.reason) for problem in found]


class ReadingTests(SimpleTestCase):
    def test_true_keeps_every_room_under_the_default_events(self):
        presence = load_spec(document(True)).namespaces["/chat"].presence
        self.assertIsNone(presence.rooms)
        self.assertIsNone(presence.info)
        self.assertEqual((presence.join, presence.leave), ("presence:join", "presence:leave"))
        self.assertEqual(presence.location.pointer, "/channels/~1chat/x-presence")

    def test_false_or_absent_keeps_none(self):
        self.assertIsNone(load_spec(document(False)).namespaces["/chat"].presence)
        spec = load_spec(SPECS / "echo.yaml")
        self.assertTrue(all(ns.presence is None for ns in spec.namespaces.values()))

    def test_a_mapping_names_rooms_info_and_events(self):
        sent = {"message": {"oneOf": [{"name": "came", "payload": DIFF},
                                      {"name": "went", "payload": DIFF}]}}
        presence = load_spec(document({"rooms": ["lobby", "game:*"], "info": "tests.x.info",
                                       "join": "came", "leave": "went"}, sent)
                             ).namespaces["/chat"].presence
        self.assertEqual(presence.rooms, ("lobby", "game:*"))
        self.assertEqual((presence.info, presence.join, presence.leave),
                         ("tests.x.info", "came", "went"))

    def test_the_test_spec_in_3x_form_reads_the_same(self):
        v2 = load_spec(SPECS / "presence.yaml")
        v3 = load_spec(convert_to_v3(SPECS / "presence.yaml"))
        for name in ("/chat", "/staff"):
            mine, theirs = v2.namespaces[name].presence, v3.namespaces[name].presence
            self.assertEqual((mine.rooms, mine.info, mine.join, mine.leave),
                             (theirs.rooms, theirs.info, theirs.join, theirs.leave))


class ProblemTests(SimpleTestCase):
    at = "/channels/~1chat/x-presence"

    def assertProblem(self, doc, pointer, fragment):
        found = problems(doc)
        self.assertTrue([reason for where, reason in found
                         if where == pointer and fragment in reason],
                        f"no problem at {pointer} containing {fragment!r}; got {found}")

    def test_wrong_shapes(self):
        cases = [
            ("yes", self.at, "x-presence must be true, false or a mapping"),
            ([], self.at, "x-presence must be true, false or a mapping"),
            ({"room": ["lobby"]}, f"{self.at}/room", "unknown x-presence option 'room'"),
            ({"rooms": []}, f"{self.at}/rooms", "non-empty list"),
            ({"rooms": "lobby"}, f"{self.at}/rooms", "non-empty list"),
            ({"rooms": ["lobby", 3]}, f"{self.at}/rooms/1", "a room pattern must be"),
            ({"rooms": ["x" * 201]}, f"{self.at}/rooms/0", "at most 200 characters"),
            ({"info": 42}, f"{self.at}/info", "info must be the dotted path"),
            ({"join": ""}, f"{self.at}/join", "join must be an event name"),
            ({"join": "same", "leave": "same"}, f"{self.at}/leave", "two different events"),
        ]
        for value, pointer, fragment in cases:
            with self.subTest(value=value):
                self.assertProblem(document(value), pointer, fragment)

    def test_the_events_must_be_declared_as_sent(self):
        self.assertProblem(document(True, subscribe={"message": {"name": "presence:join",
                                                                 "payload": DIFF}}),
                           self.at, "must declare the event 'presence:leave'")
        self.assertProblem(document({"join": "came", "leave": "went"}),
                           self.at, "must declare the event 'came'")

    def test_each_event_is_one_argument(self):
        tuple_diff = {"prefixItems": [{"type": "string"}, {"type": "object"}]}
        sent = {"message": {"oneOf": [{"name": "presence:join", "payload": tuple_diff},
                                      {"name": "presence:leave"}]}}
        found = problems(document(True, sent))
        pointers = {where for where, reason in found if "one argument" in reason}
        self.assertEqual(pointers, {"/channels/~1chat/subscribe/message/oneOf/0/payload",
                                    "/channels/~1chat/subscribe/message/oneOf/1/payload"})

    def test_in_3x_one_channel_of_an_address_sets_it(self):
        doc = convert_to_v3(document(True))
        doc["channels"]["again"] = {"address": "/chat", "x-presence": True}
        self.assertProblem(doc, "/channels/again/x-presence", "both set x-presence")
        doc["channels"]["chat"]["x-presence"] = {"rooms": []}
        self.assertProblem(doc, "/channels/chat/x-presence/rooms", "non-empty list")

    def test_an_info_function_that_does_not_import_is_reported_where_it_is_named(self):
        outcome = build(AsynctionSettings(SPEC=document({"info": "tests.nowhere.info"})))
        found = [(p.pointer, p.reason) for p in outcome.spec_problems]
        self.assertEqual(found, [(f"{self.at}/info",
                                  "cannot import 'tests.nowhere.info': No module named "
                                  "'tests.nowhere'")])

    def test_a_broker_that_cannot_share_presence_is_a_settings_error(self):
        outcome = build(AsynctionSettings(SPEC=document(True),
                                          MESSAGE_QUEUE="amqp://guest:guest@127.0.0.1//"))
        self.assertIn("x-presence needs ASYNCTION_MESSAGE_QUEUE on Redis",
                      "\n".join(outcome.settings_errors))

    def test_settings_of_presence(self):
        for value, fragment in (([], "must be None or a dict"),
                                ({"tll": 5}, "unknown options ['tll']"),
                                ({"ttl": 0}, "ttl must be a number"),
                                ({"max_rooms": 0}, "max_rooms must be"),
                                ({"key_prefix": ""}, "key_prefix must be")):
            with self.subTest(value=value), override_settings(ASYNCTION_PRESENCE=value):
                errors = check_spec()
                self.assertEqual([error.id for error in errors], ["asynction.E001"])
                self.assertIn(f"ASYNCTION_PRESENCE {fragment}", errors[0].msg)


@override_settings(ASYNCTION_SPEC=document({"rooms": []}))
class StartUpTests(SimpleTestCase):
    def test_manage_py_check_names_file_pointer_and_reason(self):
        with self.assertRaises(SystemCheckError) as caught:
            call_command("check")
        text = str(caught.exception)
        self.assertIn("asynction.E002", text)
        self.assertIn("in <dict> at /channels/~1chat/x-presence/rooms", text)
        self.assertIn("rooms must be a non-empty list", text)

    def test_start_up_stops(self):
        with self.assertRaises(SpecError):
            get_server()
