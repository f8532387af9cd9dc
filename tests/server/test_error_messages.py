"""Errors that say why (#25): what a client, a log and a caller of emit() are told.

Every message keeps its reason and the schema's limit however long the value was (the value
is cut, not the reason); a server's own mistake is an InternalServerError to the client and
the details (pointer, keyword, reason: never the value) go to the log; emit() names what
failed; a client's wrong event name is answered with what it is or what was meant; README
"Errors on the wire" documents the wording, which the server follows to the letter.
"""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path
from unittest import mock

import socketio
from django.test import SimpleTestCase, override_settings

from asynction_django import (
    PayloadValidationError,
    UnknownEventError,
    ValidationError,
    aemit,
    emit,
    get_server,
    logs,
)
from asynction_django.exceptions import AckValidationError
from asynction_django.testing import SocketIOTestCase
from asynction_django.validation import compile_schema

README = Path(__file__).resolve().parents[2] / "README.md"
HERE = __name__
SECRET = "s3cr3t-payload-"  # what must never reach a log
TEXT = {"type": "object", "required": ["text"],
        "properties": {"text": {"type": "string", "maxLength": 500}}}

SPEC = {
    "asyncapi": "2.6.0",
    "info": {"title": "Errors that say why", "version": "1.0"},
    "channels": {
        "/": {
            "publish": {"message": {"oneOf": [
                {"name": "send message", "x-handler": f"{HERE}.send_message", "payload": TEXT},
                {"name": "emit too long", "x-handler": f"{HERE}.emit_too_long"},
                {"name": "emit unknown", "x-handler": f"{HERE}.emit_unknown"},
                {"name": "bad ack", "x-handler": f"{HERE}.bad_ack",
                 "x-ack": {"args": {"type": "integer"}}},
                {"name": "ask", "x-handler": f"{HERE}.ask"},
            ]}},
            "subscribe": {"message": {"oneOf": [
                {"name": "news", "payload": TEXT},
                {"name": "question", "payload": {"type": "string"},
                 "x-ack": {"args": {"type": "integer"}}},
            ]}},
        },
        "/handled": {
            "x-handlers": {"error": f"{HERE}.answer_as_wire"},
            "publish": {"message": {"oneOf": [
                {"name": "send message", "x-handler": f"{HERE}.send_message", "payload": TEXT},
                {"name": "emit too long", "x-handler": f"{HERE}.emit_too_long_here"},
            ]}},
            "subscribe": {"message": {"name": "news", "payload": TEXT}},
        },
    },
}


def send_message(sid, message):
    return "sent"


async def emit_too_long(sid):
    await aemit("news", {"text": SECRET * 100}, to=sid)


async def emit_too_long_here(sid):
    await aemit("news", {"text": SECRET * 100}, to=sid, namespace="/handled")


async def emit_unknown(sid):
    await aemit("no such news", {"text": "x"}, to=sid)


def bad_ack(sid):
    return {"secret": SECRET * 10}


async def ask(sid):
    try:
        return await get_server().call("question", "ok?", to=sid, namespace="/", timeout=5)
    except AckValidationError:
        return "invalid ack"


def answer_as_wire(sid, exc):
    """What the scaffold writes, and what most error handlers do."""
    if isinstance(exc, ValidationError):
        return exc.as_wire()
    return {"handled": type(exc).__name__, "cause": type(exc.__cause__).__name__}


INTERNAL = {"error": {"type": "InternalServerError", "message": "Internal server error",
                      "errors": []}}


class LongValuesKeepTheirReasonTests(SimpleTestCase):
    """#25.1: the value is cut, the reason and the limit survive (and stay within 200)."""

    def test_every_keyword_that_quotes_the_value(self):
        long_text, long_list = "a" * 600, ["x" * 50] * 30
        cases = [
            ({"maxLength": 500}, long_text, "is longer than 500 characters"),
            ({"minLength": 700}, long_text, "is shorter than 700 characters"),
            ({"pattern": "^b+$"}, long_text, 'does not match the pattern "^b+$"'),
            ({"enum": ["yes", "no"]}, long_text, 'is not one of ["yes","no"]'),
            ({"const": "yes"}, long_text, 'is not equal to "yes"'),
            ({"format": "email"}, long_text, "is not a valid email"),
            ({"type": "integer"}, long_text, "is not an integer"),
            ({"maximum": 3}, 10 ** 99, "is more than 3"),
            ({"maxItems": 2}, long_list, "has more than 2 items"),
            ({"minItems": 40}, long_list, "has fewer than 40 items"),
            ({"uniqueItems": True}, long_list, "has repeated items"),
            ({"maxProperties": 1}, {"a": long_text, "b": 1}, "has more than 1 property"),
            ({"minProperties": 3}, {"a": long_text}, "has fewer than 3 properties"),
            ({"not": {"type": "string"}}, long_text, 'must not match {"type":"string"}'),
            ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, long_text,
             "matches none of the allowed schemas (anyOf)"),
            ({"contains": {"type": "integer"}}, long_list, "has no matching item (contains)"),
        ]
        for schema, value, reason in cases:
            with self.subTest(schema=schema):
                [error] = compile_schema(schema, {})(value)
                self.assertTrue(error.message.endswith("… " + reason), error.message)
                self.assertLessEqual(len(error.message), 200)
                self.assertNotIn(json.dumps(value)[:100], error.message)  # never whole

    def test_schema_parts_are_cut_too(self):
        [error] = compile_schema({"enum": [f"choice {n}" for n in range(500)]}, {})(5)
        self.assertTrue(error.message.startswith('5 is not one of ["choice 0","choice 1"'))
        self.assertLessEqual(len(error.message), 200)
        [error] = compile_schema({"properties": {}, "additionalProperties": False}, {})(
            {f"key{n}" * 20: n for n in range(300)})
        self.assertTrue(error.message.startswith('properties "key0'), error.message)
        self.assertTrue(error.message.endswith(" are not allowed"), error.message)


@override_settings(ASYNCTION_SPEC=SPEC)
class ErrorAcksTests(SocketIOTestCase):
    def setUp(self):
        super().setUp()
        self.client = self.socketio_client()
        later = time.monotonic() + 3600  # past any earlier report of the same kind
        for repeats in (logs.handler_errors, *logs.client_logger.filters):
            patcher = mock.patch.object(repeats, "clock", return_value=later)
            patcher.start()
            self.addCleanup(patcher.stop)

    def test_a_too_long_payload_is_told_its_limit(self):  # 25.1, on the wire
        error = self.client.call("send message", {"text": SECRET * 100})["error"]
        self.assertEqual(error["type"], "PayloadValidationError")
        [detail] = error["errors"]
        self.assertEqual((detail["pointer"], detail["keyword"]), ("/text", "maxLength"))
        self.assertTrue(detail["message"].endswith("… is longer than 500 characters"), detail)
        self.assertNotIn(SECRET * 8, json.dumps(error))

    def test_an_invalid_emit_in_a_handler_is_the_servers_bug(self):  # 25.2
        with self.assertLogs("asynction_django", "ERROR") as logged:
            self.assertEqual(self.client.call("emit too long"), INTERNAL)
        text = "\n".join(logging.Formatter().format(record) for record in logged.records)
        self.assertIn("event 'news' does not match its schema", text)
        self.assertIn('at "/text" (maxLength): the value is longer than 500 characters', text)
        self.assertNotIn(SECRET, text)
        self.assertEqual(self.client.call("send message", {"text": "fine"}), "sent")

    def test_an_unknown_emit_in_a_handler_is_the_servers_bug(self):  # 25.2
        with self.assertLogs("asynction_django", "ERROR") as logged:
            self.assertEqual(self.client.call("emit unknown"), INTERNAL)
        self.assertIn("'no such news' is not sent by the server", logged.output[0])

    def test_an_error_handler_answering_as_wire_leaks_nothing_either(self):  # 25.2
        client = self.socketio_client("/handled")
        with self.assertLogs("asynction_django", "ERROR"):
            self.assertEqual(client.call("emit too long", namespace="/handled"),
                             {"handled": "HandlerError", "cause": "PayloadValidationError"})
        # A client's own mistake still reaches it in full through the same handler.
        error = client.call("send message", {"text": 1}, namespace="/handled")["error"]
        self.assertEqual(error["type"], "PayloadValidationError")

    def test_an_invalid_ack_is_logged_without_its_value(self):  # 25.2: no values in logs
        with self.assertLogs("asynction_django", "ERROR") as logged:
            self.assertEqual(self.client.call("bad ack")["error"]["type"],
                             "AckValidationError")
        self.assertIn('at "" (type): the value is not an integer', logged.output[0])
        self.assertNotIn(SECRET, "\n".join(logged.output))

    def test_a_clients_invalid_ack_is_logged_with_the_root_pointer(self):  # 25.5
        self.client.on("question", lambda question: "maybe")
        with self.assertLogs("asynction_django.clients", "WARNING") as logged:
            self.assertEqual(self.client.call("ask"), "invalid ack")
        self.assertIn('at "" (type): the value is not an integer', logged.output[0])
        self.assertNotIn("maybe", logged.output[0])

    def test_a_server_event_sent_by_a_client(self):  # 25.4
        error = self.client.call("news", {"text": "hi"})["error"]
        self.assertEqual(error["type"], "UnknownEventError")
        self.assertEqual(error["message"], "event 'news' is sent by the server in namespace "
                                           "'/': clients may not send it")

    def test_a_typo_is_answered_with_the_closest_event(self):  # 25.4
        message = self.client.call("send mesage", {"text": "hi"})["error"]["message"]
        self.assertEqual(message, "event 'send mesage' is not part of namespace '/' "
                                  "(did you mean 'send message'?)")
        message = self.client.call("zzz")["error"]["message"]
        self.assertEqual(message, "event 'zzz' is not part of namespace '/'")

    def test_a_long_strange_event_name_is_cut_and_the_reason_kept(self):  # 25.4
        name = "x'\"\n\\\ud800</script>" + "y" * 10_000
        error = self.client.call(name)["error"]
        message = error["message"]
        self.assertTrue(message.endswith("…' is not part of namespace '/'"), message)
        self.assertLessEqual(len(message), 200)
        message.encode("utf-8")  # no lone surrogate: the name is escaped
        self.assertEqual(json.loads(json.dumps(error)), error)


V3_SPEC = {
    "asyncapi": "3.0.0",
    "info": {"title": "Guarded typos", "version": "1.0"},
    "channels": {"root": {"address": "/", "messages": {
        "open": {"name": "send message", "payload": TEXT},
        "staff": {"name": "staff stats"},
    }}},
    "operations": {
        "send": {"action": "receive", "channel": {"$ref": "#/channels/root"},
                 "messages": [{"$ref": "#/channels/root/messages/open"}],
                 "x-handler": f"{HERE}.send_message"},
        "stats": {"action": "receive", "channel": {"$ref": "#/channels/root"},
                  "messages": [{"$ref": "#/channels/root/messages/staff"}],
                  "x-handler": f"{HERE}.stats",
                  "security": [{"$ref": "#/components/securitySchemes/key"}]},
    },
    "components": {"securitySchemes": {"key": {
        "type": "httpApiKey", "in": "query", "name": "key",
        "x-apiKeyInfoFunc": f"{HERE}.key_info"}}},
}


def stats(sid):
    return "stats"


def key_info(key, required_scopes=None):
    return {"staff": True} if key == "staff-key" else None


@override_settings(ASYNCTION_SPEC=V3_SPEC)
class GuardedSuggestionTests(SocketIOTestCase):
    def test_an_event_the_client_may_not_send_is_never_suggested(self):  # 25.4
        stranger = self.socketio_client()
        self.assertEqual(stranger.call("staff stats")["error"]["type"], "Unauthorized")
        message = stranger.call("staff stat")["error"]["message"]
        self.assertEqual(message, "event 'staff stat' is not part of namespace '/'")
        staff = self.socketio_client(query={"key": "staff-key"})
        self.assertEqual(staff.call("staff stats"), "stats")
        message = staff.call("staff stat")["error"]["message"]
        self.assertTrue(message.endswith("(did you mean 'staff stats'?)"), message)


@override_settings(ASYNCTION_SPEC=SPEC)
class EmitFromDjangoTests(SimpleTestCase):
    def test_the_exception_names_the_event_pointer_and_reason(self):  # 25.3
        with mock.patch.object(socketio.AsyncServer, "emit") as sent, \
                self.assertRaises(PayloadValidationError) as caught:
            emit("news", {"text": SECRET * 100, "extra": 1}, to="sid")
        sent.assert_not_called()
        text = str(caught.exception)
        self.assertEqual(text, "event 'news' does not match its schema: at \"/text\" "
                               "(maxLength): the value is longer than 500 characters")
        self.assertNotIn(SECRET, text)  # it ends up in tracebacks and logs
        with self.assertRaises(PayloadValidationError) as caught:
            emit("news", {})
        self.assertEqual(str(caught.exception), "event 'news' does not match its schema: "
                                                'at "" (required): "text" is a required '
                                                "property")

    def test_every_failed_check_is_named_and_the_text_is_bounded(self):  # 25.3
        schema = {"type": "object", "properties": {
            f"f{n}": {"type": "string", "maxLength": 1} for n in range(30)}}
        with mock.patch.object(socketio.AsyncServer, "emit"), \
                override_settings(ASYNCTION_SPEC={**SPEC, "channels": {"/": {"subscribe": {
                    "message": {"name": "wide", "payload": schema}}}}}), \
                self.assertRaises(PayloadValidationError) as caught:
            emit("wide", {f"f{n}": "long" * 1000 for n in range(30)})
        text = str(caught.exception)
        self.assertEqual(text.count("the value is longer than 1 character"), 10)
        self.assertLess(len(text), 10 * 200 + 200)

    def test_unknown_events_keep_their_message(self):
        with self.assertRaisesMessage(UnknownEventError, "'echo' is not sent by the server"):
            emit("echo", {"text": "x"})


class WordingTableTests(SimpleTestCase):
    """#25.5: README "Errors on the wire" documents each keyword's message, which the
    playground (Ajv) words the same way; the server must say exactly what it documents."""

    # keyword: (schema, failing value, what the placeholders of its template stand for)
    CASES = {
        "type": ({"type": ["null", "integer"]}, "x", {"types": "an integer or null"}),
        "format": ({"format": "date-time"}, "x", {"format": "date-time"}),
        "pattern": ({"pattern": "^a+$"}, "b", {"pattern": "^a+$"}),
        "minLength": ({"minLength": 3}, "ab", {"limit": "3"}),
        "maxLength": ({"maxLength": 500}, "a" * 501, {"limit": "500"}),
        "minimum": ({"minimum": 3.0}, 2, {"limit": "3"}),  # 3.0 as JavaScript writes it
        "maximum": ({"maximum": 3}, 4, {"limit": "3"}),
        "exclusiveMinimum": ({"exclusiveMinimum": 3}, 3, {"limit": "3"}),
        "exclusiveMaximum": ({"exclusiveMaximum": 3}, 3, {"limit": "3"}),
        "multipleOf": ({"multipleOf": 3}, 4, {"limit": "3"}),
        "enum": ({"enum": ["yes", "no"]}, "maybe", {"options": '["yes","no"]'}),
        "const": ({"const": "pong"}, "ping", {"expected": '"pong"'}),
        "minItems": ({"minItems": 3}, [1], {"limit": "3"}),
        "maxItems": ({"maxItems": 2}, [1, 2, 3], {"limit": "2"}),
        "uniqueItems": ({"uniqueItems": True}, [1, 1], {}),
        "contains": ({"contains": {"type": "integer"}}, ["a"], {}),
        "minContains": ({"contains": {"type": "integer"}, "minContains": 2}, [1], {}),
        "maxContains": ({"contains": {"type": "integer"}, "maxContains": 1}, [1, 2], {}),
        "minProperties": ({"minProperties": 2}, {"a": 1}, {"limit": "2"}),
        "maxProperties": ({"maxProperties": 2}, {"a": 1, "b": 2, "c": 3}, {"limit": "2"}),
        "required": ({"required": ["text"]}, {}, {"name": "text"}),
        "dependentRequired": ({"dependentRequired": {"a": ["b"]}}, {"a": 1}, {"name": "b"}),
        "additionalProperties": ({"additionalProperties": False}, {"b": 1}, {"name": "b"}),
        # (and with properties beside it, where jsonschema-rs reports it in another form)
        "additionalProperties ": ({"properties": {"a": {}}, "additionalProperties": False},
                                  {"a": 1, "b": 1}, {"name": "b"}),
        "unevaluatedProperties": ({"unevaluatedProperties": False}, {"b": 1}, {"name": "b"}),
        "propertyNames": ({"propertyNames": {"maxLength": 2}}, {"abc": 1},
                          {"message": '"abc" is longer than 2 characters'}),
        "anyOf": ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, None, {}),
        "oneOf": ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, None, {}),
        "not": ({"not": {"type": "string"}}, "x", {"schema": '{"type":"string"}'}),
        "items": ({"prefixItems": [{}], "items": False}, [1, 2], {"value": "2", "at": "/1"}),
        "unevaluatedItems": ({"unevaluatedItems": False}, [1], {}),
    }

    def documented(self) -> dict[str, str]:
        text = README.read_text(encoding="utf-8")
        section = text[text.index("## Errors on the wire"):]
        section = section[:section.index("\n## ", 1)]
        rows = re.findall(r"^\| `(\w+)` \| `([^`]+)`", section, re.MULTILINE)
        return dict(rows)

    def test_the_readme_table_is_what_the_server_says(self):
        documented = self.documented()
        self.assertEqual(set(documented), {keyword.strip() for keyword in self.CASES})
        for case, (schema, value, parts) in self.CASES.items():
            keyword = case.strip()
            with self.subTest(keyword=case):
                [error] = compile_schema(schema, {})(value)
                self.assertEqual((error.keyword, error.pointer), (keyword, parts.get("at", "")))
                value_json = json.dumps(value, separators=(",", ":"))
                expected = documented[keyword]
                for name, part in parts.items():  # ("value", "at": the item that failed)
                    expected = expected.replace("{" + name + "}", part)
                expected = expected.replace("{value}", value_json[:79] + "…"
                                            if len(value_json) > 80 else value_json)
                self.assertEqual(error.message, expected)

    def test_the_root_of_a_value_is_the_empty_pointer_everywhere(self):
        for schema, value, pointer in [({"type": "string"}, 1, ""),
                                       ({"prefixItems": [{"type": "string"}]}, [1], "/0"),
                                       ({"required": ["a"]}, {}, "")]:
            with self.subTest(schema=schema):
                [error] = compile_schema(schema, {})(value)
                self.assertEqual(error.pointer, pointer)
        self.assertIn('`""` is the whole', README.read_text(encoding="utf-8"))
