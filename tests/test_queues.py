"""ASYNCTION_MESSAGE_QUEUE settings: clear errors at start-up, and broker logs that don't flood."""

from __future__ import annotations

import logging
from unittest import mock

import socketio
from django.test import SimpleTestCase, override_settings

from asynction_django.channel_layer import ChannelLayerManager
from asynction_django.checks import check_spec
from asynction_django.queues import OutageLogFilter, client_manager_for


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


class OutageLogFilterTests(SimpleTestCase):
    def test_an_outage_is_logged_once_then_at_most_every_interval(self):
        logger = logging.getLogger("asynction_django.tests.outage")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        self.addCleanup(setattr, logger, "propagate", True)
        records = []
        handler = logging.Handler()
        handler.emit = records.append
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        log_filter = OutageLogFilter(every=60)
        logger.addFilter(log_filter)
        self.addCleanup(logger.removeFilter, log_filter)
        clock = mock.patch("asynction_django.queues.time.monotonic", return_value=100.0)
        with clock as now:
            for seconds in (1, 2, 4, 8):
                logger.error(f"Cannot receive from redis... retrying in {seconds} secs")
            logger.error("Cannot publish to redis... giving up")
            logger.info("asyncpubsub backend initialized.")
            now.return_value = 161.0
            logger.error("Cannot receive from redis... retrying in 16 secs")
        messages = [record.getMessage() for record in records]
        self.assertEqual(len(messages), 4, messages)
        self.assertIn("retrying in 1 secs (the message broker is unreachable", messages[0])
        self.assertIn("giving up (the message broker is unreachable", messages[1])
        self.assertEqual(messages[2], "asyncpubsub backend initialized.")
        self.assertEqual(messages[3], "Cannot receive from redis... retrying in 16 secs "
                                      "(3 more since the last report)")
