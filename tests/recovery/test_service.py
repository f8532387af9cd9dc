"""Connection state recovery through the in-process client (real framing, one process).

tests/recovery/test_service_live.py proves it with socket.io-client in Node over real daphne
processes, on both transports and across two processes on Redis.
"""

from __future__ import annotations

import time

from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.test import override_settings

from asynction_django import get_server
from asynction_django.testing import ConnectionRefused, SocketIOTestCase
from tests import recovery_handlers
from tests.support import SPECS, wait_until

SPEC = SPECS / "recovery.yaml"
RECOVERY = {"max_disconnection_duration": 60}


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_CONNECTION_STATE_RECOVERY=RECOVERY)
class RecoveryTests(SocketIOTestCase):
    def setUp(self):
        super().setUp()
        recovery_handlers.connects.clear()
        recovery_handlers.disconnects.clear()
        self.client = self.socketio_client()
        self.sid = self.client.call("whoami")["sid"]
        self.client.receive("welcome")
        self.other = self.socketio_client()
        self.other.receive("welcome")

    def news(self, client, count):
        return [client.receive("news").args for _ in range(count)]

    def test_a_dropped_client_comes_back_with_its_sid_rooms_data_and_missed_events(self):
        self.client.emit("join", "room-1")
        self.client.emit("remember", "kept")
        self.other.emit("shout", {"room": "room-1", "text": "before"})
        self.assertEqual(self.news(self.client, 1), [["before"]])  # offset stripped

        self.client.drop()
        self.other.emit("shout", {"room": "room-1", "text": "to the room"})
        self.other.emit("tell", {"sid": self.sid, "text": "to you"})
        self.other.emit("announce", "to all")
        self.other.emit("shout", {"room": "room-2", "text": "not yours"})
        self.assertEqual(self.other.call("whoami")["recovered"], False)  # all sent

        self.assertEqual(self.client.connect(), self.sid)
        self.assertTrue(self.client.recovered["/"])
        self.assertEqual(self.news(self.client, 3), [["to the room"], ["to you"], ["to all"]])
        me = self.client.call("whoami")
        self.assertEqual((me["sid"], me["rooms"], me["data"], me["recovered"]),
                         (self.sid, ["room-1"], {"value": "kept"}, True))
        self.assertEqual(self.client.async_client.events, [])  # nothing twice, nothing else
        # skip_middlewares (the default): the connect handler did not run again
        self.assertEqual(recovery_handlers.connects.count((self.sid, True)), 0)
        self.assertIn((self.sid, "transport close"), recovery_handlers.disconnects)

    def test_recovery_without_any_event_received_before_the_drop(self):
        # socket.io#5538: the client has no offset yet (the welcome came before its pid)
        fresh = self.socketio_client()
        sid = fresh.call("whoami")["sid"]
        fresh.async_client.events.clear()
        fresh.async_client.offsets.clear()
        fresh.drop()
        self.other.emit("tell", {"sid": sid, "text": "while away"})
        self.other.call("whoami")
        self.assertEqual(fresh.connect(), sid)
        self.assertTrue(fresh.recovered["/"])
        self.assertEqual(fresh.receive("news").args, ["while away"])

    def test_recovery_any_number_of_times_in_a_row(self):
        # socket.io#4880: recovery must not work once only
        for round_ in range(5):
            with self.subTest(round=round_):
                self.client.drop()
                self.other.emit("tell", {"sid": self.sid, "text": f"missed {round_}"})
                self.other.call("whoami")
                self.assertEqual(self.client.connect(), self.sid)
                self.assertTrue(self.client.recovered["/"])
                self.assertEqual(self.client.receive("news").args, [f"missed {round_}"])

    @override_settings(ASYNCTION_SOCKETIO={"ping_interval": 0.2, "ping_timeout": 0.3})
    def test_the_old_transport_timing_out_after_the_return_changes_nothing(self):
        # The network died without a word: the server still holds the old transport when
        # the client returns (the same signed-in user); its ping timeout fires later.
        client = self.socketio_client(user=User.objects.create_user("carol"))
        sid = client.call("whoami")["sid"]
        old_transport = get_server().manager.eio_sid_from_sid(sid, "/")
        client.emit("join", "room-9")
        client.call("whoami")
        client.drop(silently=True)
        self.other.emit("shout", {"room": "room-9", "text": "into the void"})
        self.other.call("whoami")
        self.assertEqual(client.connect(), sid)
        self.assertTrue(client.recovered["/"])
        self.assertEqual(client.receive("news").args, ["into the void"])
        # The server lets go of the old transport (its ping timeout, or the return taking
        # it over); whatever it then does must not touch the connection that came back.
        wait_until(lambda: old_transport not in get_server().eio.sockets,
                   "the server letting go of the old transport", 5)
        self.other.emit("shout", {"room": "room-9", "text": "still here"})
        self.assertEqual(client.receive("news").args, ["still here"])
        self.assertEqual(client.call("whoami")["rooms"], ["room-9"])

    def test_a_long_lived_connection_recovers(self):
        # socket.io#5282: the last offset the client got is older than the window
        with override_settings(ASYNCTION_CONNECTION_STATE_RECOVERY={
                "max_disconnection_duration": 0.3}):
            client = self.socketio_client()
            sid = client.call("whoami")["sid"]
            other = self.socketio_client()
            client.receive("welcome")
            # Only time ages the welcome's offset past the window, and a sleep longer than
            # the window does that for certain (the store reads the same clock): this pause
            # makes the case, it waits for nothing the server does.
            time.sleep(0.6)
            other.emit("announce", "old news")  # recorded; the welcome is long gone
            client.receive("news")
            client.drop()
            other.emit("tell", {"sid": sid, "text": "fresh"})
            other.call("whoami")
            self.assertEqual(client.connect(), sid)
            self.assertEqual(client.receive("news").args, ["fresh"])

    def test_beyond_the_window_a_clean_new_session(self):
        with override_settings(ASYNCTION_CONNECTION_STATE_RECOVERY={
                "max_disconnection_duration": 0.2}):
            client = self.socketio_client()
            sid = client.call("whoami")["sid"]
            client.emit("join", "room-1")
            client.drop()
            # The window runs on the store's clock from when the server kept the connection,
            # before drop() returned: twice its length later it is over for certain. This
            # pause is that condition itself, not a guess at how fast the server is.
            time.sleep(0.4)
            new_sid = client.connect()
            self.assertNotEqual(new_sid, sid)
            self.assertFalse(client.recovered["/"])
            me = client.call("whoami")
            self.assertEqual((me["rooms"], me["recovered"]), ([], False))
            self.assertIn((new_sid, False), recovery_handlers.connects)

    def test_more_missed_packets_than_kept_is_a_new_session(self):
        with override_settings(ASYNCTION_CONNECTION_STATE_RECOVERY={"max_packets": 3}):
            client = self.socketio_client()
            sid = client.call("whoami")["sid"]
            other = self.socketio_client()
            client.drop()
            for number in range(5):
                other.emit("tell", {"sid": sid, "text": str(number)})
            other.call("whoami")
            self.assertNotEqual(client.connect(), sid)
            self.assertFalse(client.recovered["/"])

    def test_a_client_that_leaves_on_purpose_is_not_kept(self):
        pid = self.client.async_client.pids["/"]
        self.client.disconnect()
        fresh = self.socketio_client(auth={"pid": pid})
        self.assertNotEqual(fresh.call("whoami")["sid"], self.sid)
        self.assertFalse(fresh.recovered["/"])

    def test_forged_claims_are_new_sessions(self):
        pid = self.client.async_client.pids["/"]
        self.client.drop()
        for claim in [{"pid": "nope"}, {"pid": pid, "offset": "999999"},
                      {"pid": pid * 10}, {"pid": 5}, {"pid": pid, "offset": ["x"]},
                      {"pid": pid, "offset": "-1"}]:
            with self.subTest(claim=claim):
                client = self.socketio_client(auth=claim)
                self.assertNotEqual(client.call("whoami")["sid"], self.sid)
        # a failed claim uses the session up: it cannot be tried again
        client = self.socketio_client(auth={"pid": pid})
        self.assertNotEqual(client.call("whoami")["sid"], self.sid)


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_CONNECTION_STATE_RECOVERY={
    "skip_middlewares": False})
class RecoveryWithMiddlewaresTests(SocketIOTestCase):
    def test_the_connect_handler_runs_again_and_sees_recovered_and_the_rooms(self):
        recovery_handlers.connects.clear()
        client = self.socketio_client()
        sid = client.call("whoami")["sid"]
        client.emit("join", "room-5")
        client.call("whoami")
        client.drop()
        self.assertEqual(client.connect(), sid)
        self.assertEqual(recovery_handlers.connects, [(sid, False), (sid, True)])
        self.assertEqual(recovery_handlers.rooms_at_connect[sid], ["room-5"])

    def test_the_pid_and_offset_never_reach_the_connect_handler(self):
        client = self.socketio_client(auth={"token": "mine"})
        sid = client.call("whoami")["sid"]
        client.receive("welcome")
        self.assertIn("/", client.async_client.offsets)  # it has an offset to send back
        client.drop()
        self.assertEqual(client.connect(auth={"token": "mine"}), sid)
        self.assertTrue(client.recovered["/"])
        self.assertEqual(recovery_handlers.auths[sid], {"token": "mine"})


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_CONNECTION_STATE_RECOVERY=True)
class RecoveryAndDjangoUsersTests(SocketIOTestCase):
    def test_security_runs_again_with_the_credentials_presented_now(self):
        client = self.socketio_client("/secure", query={"key": "key-1"})
        sid = client.call("whoami")["sid"]
        client.drop()
        recovery_handlers.VALID_KEYS.discard("key-1")  # the key expired meanwhile
        self.addCleanup(recovery_handlers.VALID_KEYS.add, "key-1")
        with self.assertRaises(ConnectionRefused):
            client.connect("/secure")
        recovery_handlers.VALID_KEYS.add("key-1")
        client.drop()
        self.assertNotEqual(client.connect("/secure"), sid)  # the refused claim used it up
        self.assertFalse(client.recovered["/secure"])

    def test_a_new_valid_key_recovers(self):
        recovery_handlers.VALID_KEYS.add("key-2")
        self.addCleanup(recovery_handlers.VALID_KEYS.discard, "key-2")
        client = self.socketio_client("/secure", query={"key": "key-1"})
        sid = client.call("whoami")["sid"]
        client.drop()
        client.async_client.query["key"] = "key-2"
        self.assertEqual(client.connect("/secure"), sid)
        self.assertEqual(client.call("whoami")["recovered"], True)

    def test_a_session_comes_back_only_to_its_user(self):
        alice = User.objects.create_user("alice")
        bob = User.objects.create_user("bob")
        client = self.socketio_client(user=alice)
        sid = client.call("whoami")["sid"]
        pid = client.async_client.pids["/"]
        client.drop()
        thief = self.socketio_client(user=bob, auth={"pid": pid})
        self.assertNotEqual(thief.call("whoami")["sid"], sid)
        self.assertFalse(thief.recovered["/"])

    def test_the_same_user_comes_back_with_a_new_cookie(self):
        alice = User.objects.create_user("alice")
        client = self.socketio_client(user=alice)  # a session made for this connection
        sid = client.call("whoami")["sid"]
        client.drop()
        client.async_client.headers.pop("cookie")  # a new login: another session cookie
        self.assertEqual(client.connect(), sid)
        self.assertEqual(client.call("whoami")["user"], "alice")


class RecoverySettingsTests(SocketIOTestCase):
    def test_invalid_settings_are_reported_by_the_checks(self):
        cases = [("yes", "must be None, True or a dict"),
                 ({"max_disconnection_duration": 0}, "max_disconnection_duration"),
                 ({"max_packets": 0}, "max_packets"),
                 ({"skip_middlewares": "no"}, "skip_middlewares"),
                 ({"window": 3}, "unknown options ['window']")]
        for value, message in cases:
            with self.subTest(value=value), override_settings(
                    ASYNCTION_SPEC=SPEC, ASYNCTION_CONNECTION_STATE_RECOVERY=value):
                errors = [str(error.msg) for error in run_checks()
                          if error.id.startswith("asynction")]
                self.assertTrue(any(message in error for error in errors), errors)

    def test_a_broker_other_than_redis_is_refused(self):
        with override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_CONNECTION_STATE_RECOVERY=True,
                               ASYNCTION_MESSAGE_QUEUE="amqp://guest:guest@127.0.0.1:5672//"):
            errors = [str(error.msg) for error in run_checks()]
            self.assertTrue(any("needs ASYNCTION_MESSAGE_QUEUE on Redis" in error
                                for error in errors), errors)

    def test_off_by_default_no_pid_and_no_offsets(self):
        with override_settings(ASYNCTION_SPEC=SPEC):
            client = self.socketio_client()
            self.assertEqual(client.async_client.pids, {})
            self.assertEqual(client.receive("welcome").args, ["hello"])
