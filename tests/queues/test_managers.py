"""ASYNCTION_MESSAGE_QUEUE settings: clear errors at start-up, and broker logs that don't flood."""

from __future__ import annotations

from unittest import mock

import socketio
from django.test import SimpleTestCase, override_settings

from asynction_django.checks import check_spec
from asynction_django.queues.channel_layer import ChannelLayerManager
from asynction_django.queues.managers import client_manager_for


class ManagerChoiceTests(SimpleTestCase):
    def test_urls_choose_python_socketios_managers(self):
        cases = {"redis://127.0.0.1:6379/0": socketio.AsyncRedisManager,
                 "rediss://example.com/1": socketio.AsyncRedisManager,
                 "amqp://guest:guest@127.0.0.1:5672//": socketio.AsyncAioPikaManager,
                 "channels": ChannelLayerManager, "channels://other": ChannelLayerManager}
        for url, manager in cases.items():
            with self.subTest(url=url):
                chosen = client_manager_for(url, options={"channel": "mine"})
                self.assertIsInstance(chosen, manager)
                self.assertEqual(chosen.channel, "mine")
        self.assertEqual(client_manager_for("channels://other").alias, "other")
        self.assertTrue(client_manager_for("redis://", write_only=True).write_only)
        self.assertIsNone(client_manager_for(None))

    def test_start_up_errors(self):
        cases = [
            ({"ASYNCTION_MESSAGE_QUEUE": "kafka://broker"}, "unsupported scheme 'kafka'"),
            ({"ASYNCTION_MESSAGE_QUEUE": "redis://", "ASYNCTION_MESSAGE_QUEUE_OPTIONS": []},
             "ASYNCTION_MESSAGE_QUEUE_OPTIONS must be a dict"),
            ({"ASYNCTION_MESSAGE_QUEUE": "redis://",
              "ASYNCTION_MESSAGE_QUEUE_OPTIONS": {"colour": "red"}},
             "ASYNCTION_MESSAGE_QUEUE_OPTIONS do not fit AsyncRedisManager"),
        ]
        for overrides, message in cases:
            with self.subTest(overrides=overrides), override_settings(**overrides):
                errors = check_spec()
                self.assertEqual([error.id for error in errors], ["asynction.E001"])
                self.assertIn(message, errors[0].msg)

    def test_a_missing_client_library_says_what_to_install(self):
        with mock.patch("importlib.util.find_spec", return_value=None), \
                override_settings(ASYNCTION_MESSAGE_QUEUE="amqp://localhost"):
            errors = check_spec()
        self.assertIn("needs the 'aio_pika' package: pip install 'asynction-django[amqp]'",
                      errors[0].msg)
