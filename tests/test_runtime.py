"""The emit API from code that runs no server: management commands, scripts, workers."""

from __future__ import annotations

from unittest import mock

import socketio
from asgiref.sync import async_to_sync
from django.test import SimpleTestCase

from asynction_django import PayloadValidationError, UnknownEventError, aemit, emit


class EmitWithoutServerTests(SimpleTestCase):
    def test_valid_emits_go_through_sync_and_async(self):
        with mock.patch.object(socketio.AsyncServer, "emit") as sent:
            emit("echoed", {"text": "x"})
            async_to_sync(aemit)("echoed", {"text": "y"}, namespace="/")
        self.assertEqual([call.args[:2] for call in sent.call_args_list],
                         [("echoed", {"text": "x"}), ("echoed", {"text": "y"})])

    def test_invalid_payloads_raise_before_anything_is_sent(self):
        with self.assertRaises(PayloadValidationError) as caught:
            emit("echoed", {"text": 1})
        self.assertEqual(caught.exception.errors[0].pointer, "/text")
        with self.assertRaises(PayloadValidationError):
            async_to_sync(aemit)("echoed", ({"text": "a"}, "extra"))

    def test_events_the_namespace_does_not_send_are_refused(self):
        with self.assertRaisesMessage(UnknownEventError, "is not sent by the server"):
            emit("echo", {"text": "x"})  # client -> server only
        with self.assertRaisesMessage(UnknownEventError, "'/nowhere' is not in the spec"):
            emit("echoed", {"text": "x"}, namespace="/nowhere")

    async def test_sync_emit_from_async_code_says_to_use_aemit(self):
        with self.assertRaisesMessage(RuntimeError, "use `await aemit(...)`"):
            emit("echoed", {"text": "x"})
