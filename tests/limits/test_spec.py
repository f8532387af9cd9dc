"""``x-rate-limit`` read from 2.x and 3.x documents, and every mistake reported where it is."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml
from django.test import SimpleTestCase, override_settings

from asynction_django.checks import check_spec
from asynction_django.limits import RateLimit
from asynction_django.spec import inspect_spec
from asynction_django.spec.convert import convert_to_v3
from tests.support import SPECS

SPEC = SPECS / "rate_limits.yaml"
HANDLER = "tests.limits.handlers.ping"
TEN_PER_SECOND = (RateLimit(10, 1_000_000),)


def v2(message_extra: dict[str, Any] | None = None,
       channel_extra: dict[str, Any] | None = None) -> dict[str, Any]:
    message = {"name": "ping", "x-handler": HANDLER, **(message_extra or {})}
    return {"asyncapi": "2.6.0", "info": {"title": "t", "version": "1"},
            "channels": {"/": {"publish": {"message": message}, **(channel_extra or {})}}}


def v3(operation_extra: dict[str, Any] | None = None,
       message_extra: dict[str, Any] | None = None,
       channel_extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "asyncapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "channels": {"root": {"address": "/", "messages": {
            "ping": {"name": "ping", **(message_extra or {})}}, **(channel_extra or {})}},
        "operations": {"ping": {
            "action": "receive", "channel": {"$ref": "#/channels/root"},
            "messages": [{"$ref": "#/channels/root/messages/ping"}], "x-handler": HANDLER,
            **(operation_extra or {})}},
    }


class ReadingTests(SimpleTestCase):
    def read(self, document: dict[str, Any]) -> Any:
        spec, problems = inspect_spec(document)
        self.assertEqual(problems, [])
        return spec.namespaces["/"]

    def test_on_a_message_and_a_channel_in_2x(self):
        namespace = self.read(v2({"x-rate-limit": {"limit": 10, "per": "1s"}},
                                 {"x-rate-limit": [{"limit": 1, "per": 60, "by": "ip"}]}))
        self.assertEqual(namespace.received["ping"].rate_limits, TEN_PER_SECOND)
        self.assertEqual(namespace.rate_limits, (RateLimit(1, 60_000_000, "ip"),))

    def test_not_said_is_none_and_false_is_no_limit(self):
        self.assertIsNone(self.read(v2()).received["ping"].rate_limits)
        self.assertIsNone(self.read(v2()).rate_limits)
        self.assertEqual(self.read(v2({"x-rate-limit": False})).received["ping"].rate_limits,
                         ())

    def test_from_a_2x_message_trait(self):
        document = v2({"traits": [{"x-rate-limit": {"limit": 10, "per": "1s"}}]})
        self.assertEqual(self.read(document).received["ping"].rate_limits, TEN_PER_SECOND)

    def test_on_a_3x_operation_message_or_channel(self):
        limit = {"x-rate-limit": {"limit": 10, "per": "1s"}}
        self.assertEqual(self.read(v3(operation_extra=limit)).received["ping"].rate_limits,
                         TEN_PER_SECOND)
        self.assertEqual(self.read(v3(message_extra=limit)).received["ping"].rate_limits,
                         TEN_PER_SECOND)
        self.assertEqual(self.read(v3(channel_extra=limit)).rate_limits, TEN_PER_SECOND)

    def test_a_3x_operation_wins_over_its_message(self):
        document = v3(operation_extra={"x-rate-limit": {"limit": 10, "per": "1s"}},
                      message_extra={"x-rate-limit": {"limit": 1, "per": "1s"}})
        self.assertEqual(self.read(document).received["ping"].rate_limits, TEN_PER_SECOND)

    def test_the_fixture(self):
        spec, problems = inspect_spec(SPEC)
        self.assertEqual(problems, [])
        root, room = spec.namespaces["/"], spec.namespaces["/room"]
        self.assertEqual(root.received["both"].rate_limits,
                         (RateLimit(5, 10_000_000), RateLimit(1, 10_000_000, "user")))
        self.assertIsNone(root.received["whoami"].rate_limits)
        self.assertEqual(room.rate_limits, (RateLimit(4, 10_000_000),))

    def test_a_document_converted_to_3x_keeps_its_limits(self):
        spec, _ = inspect_spec(SPEC)
        converted, problems = inspect_spec(convert_to_v3(SPEC))
        self.assertEqual(problems, [])
        for name, namespace in spec.namespaces.items():
            other = converted.namespaces[name]
            self.assertEqual(other.rate_limits, namespace.rate_limits)
            self.assertEqual({event: message.rate_limits for event, message in
                              other.received.items()},
                             {event: message.rate_limits for event, message in
                              namespace.received.items()})


class ProblemTests(SimpleTestCase):
    def problems(self, document: dict[str, Any]) -> list[tuple[str, str]]:
        _, problems = inspect_spec(document)
        return [(problem.pointer, problem.reason) for problem in problems]

    def test_a_mistake_in_a_message_names_its_key(self):
        document = v2({"x-rate-limit": {"limit": 10, "per": "1 sec"}})
        self.assertEqual(self.problems(document), [(
            "/channels/~1/publish/message/x-rate-limit/per",
            "x-rate-limit: per must be a duration: seconds (a number) or a string such as "
            "500ms, 1s, 10m, 1h")])

    def test_a_mistake_in_a_list_names_the_item(self):
        document = v2(channel_extra={"x-rate-limit": [{"limit": 1, "per": "1s"},
                                                      {"limit": 1, "per": "1s", "by": "me"}]})
        self.assertEqual(self.problems(document), [(
            "/channels/~1/x-rate-limit/1/by",
            "x-rate-limit: by must be one of connection, user, ip")])

    def test_a_3x_operation_mistake(self):
        document = v3(operation_extra={"x-rate-limit": {"limit": -1, "per": "1s"}})
        self.assertEqual(self.problems(document), [(
            "/operations/ping/x-rate-limit/limit",
            "x-rate-limit: limit must be a whole number of events above 0")])

    def test_two_3x_channels_of_one_address_may_not_both_set_it(self):
        document = v3(channel_extra={"x-rate-limit": {"limit": 1, "per": "1s"}})
        document["channels"]["other"] = {"address": "/",
                                         "x-rate-limit": {"limit": 2, "per": "1s"}}
        self.assertEqual(self.problems(document), [(
            "/channels/other/x-rate-limit",
            "channels 'root' and 'other' share an address (one namespace) and both set "
            "x-rate-limit")])

    def test_a_mistake_behind_a_ref_is_reported_in_its_own_place(self):
        document = v2({"x-rate-limit": {"$ref": "#/components/x-limits/fast"}})
        document["components"] = {"x-limits": {"fast": {"limit": 10, "per": "1s", "x": 1}}}
        self.assertEqual(self.problems(document), [(
            "/components/x-limits/fast/x",
            "x-rate-limit: unknown key 'x': a rate limit has limit, per and by")])


class CheckTests(SimpleTestCase):
    def test_manage_py_check_names_the_file_pointer_and_reason(self):
        document = yaml.safe_load(SPEC.read_text())
        broken = copy.deepcopy(document)
        broken["channels"]["/room"]["x-rate-limit"] = {"limit": 4, "per": "soon"}
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "asyncapi.yaml"
            path.write_text(yaml.safe_dump(broken))
            with override_settings(ASYNCTION_SPEC=path):
                errors = check_spec()
        [error] = errors
        self.assertEqual(error.id, "asynction.E002")
        self.assertIn("x-rate-limit: per must be a duration", error.msg)
        self.assertEqual(error.hint, f"in {path.resolve()} at /channels/~1room/x-rate-limit/per")

    def test_a_bad_default_is_asynction_E001(self):
        with override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_RATE_LIMIT_DEFAULT={"limit": 0}):
            [error] = check_spec()
        self.assertEqual(error.id, "asynction.E001")
        self.assertIn("ASYNCTION_RATE_LIMIT_DEFAULT", error.msg)
