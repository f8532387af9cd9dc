"""The test client after ``drop()``: back to the namespaces it had (issue #25)."""

from __future__ import annotations

from django.test import override_settings

from asynction_django.testing import SocketIOTestCase
from tests import recovery_handlers
from tests.support import SPECS

SPEC = SPECS / "recovery.yaml"


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_CONNECTION_STATE_RECOVERY=True)
class ReconnectTests(SocketIOTestCase):
    def test_connect_after_drop_returns_to_the_namespace_it_had(self):
        client = self.socketio_client("/secure", query={"key": "key-1"})
        sid = client.sid
        self.assertEqual(client.call("whoami")["sid"], sid)
        client.drop()
        self.assertEqual(client.sid, sid)  # still known while dropped
        self.assertEqual(client.connect(), sid)  # /secure again, recovered
        self.assertEqual(client.recovered, {"/secure": True})
        self.assertEqual(client.call("whoami"), {**client.call("whoami"), "sid": sid,
                                                 "recovered": True})
        self.assertNotIn("/", client.sids)  # never sent to the default namespace

    def test_every_namespace_it_had_comes_back(self):
        client = self.socketio_client("/", query={"key": "key-1"})
        root = client.sid
        secure = client.connect("/secure")
        self.assertEqual(client.sids, {"/": root, "/secure": secure})
        with self.assertRaisesMessage(ValueError, "read sids[namespace]"):
            client.sid  # noqa: B018 - two namespaces: which sid is ambiguous
        client.drop()
        self.assertEqual(client.connect(), root)  # the first one's sid
        self.assertEqual(client.recovered, {"/": True, "/secure": True})
        self.assertEqual(client.call("whoami", namespace="/secure")["sid"], secure)
        self.assertEqual(client.call("whoami", namespace="/")["sid"], root)

    def test_an_explicit_namespace_still_wins(self):
        client = self.socketio_client("/secure", query={"key": "key-1"})
        client.drop()
        sid = client.connect("/")
        self.assertEqual(client.sid, sid)
        self.assertEqual(client.call("whoami")["sid"], sid)


@override_settings(ASYNCTION_SPEC=SPEC)
class ReconnectAuthTests(SocketIOTestCase):
    def test_the_auth_it_connected_with_goes_back(self):
        client = self.socketio_client(auth={"tag": "first", "quiet": True})
        client.drop()
        sid = client.connect()  # no recovery here: a new session, the same auth
        self.assertEqual(recovery_handlers.auths[sid], {"tag": "first", "quiet": True})
        client.drop()
        sid = client.connect(auth={"tag": "second"})  # unless given anew
        self.assertEqual(recovery_handlers.auths[sid], {"tag": "second"})
