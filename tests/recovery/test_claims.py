"""What a client says about recovery in its CONNECT: ``"recovery": false`` (a client that
cannot strip the offset argument, such as python-socketio's own) gets no offsets and no pid,
and is not kept when it drops; the key never reaches the user's code."""

from __future__ import annotations

import asyncio

import socketio
from django.test import SimpleTestCase, override_settings

from asynction_django.testing import SocketIOTestCase
from tests import recovery_handlers
from tests.support import SPECS, LiveServer

SPEC = SPECS / "recovery.yaml"


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_CONNECTION_STATE_RECOVERY=True)
class OptingOutTests(SocketIOTestCase):
    def test_a_client_that_opts_out_gets_its_events_without_offsets(self):
        plain = self.socketio_client(auth={"recovery": False, "token": "mine"})
        sid = plain.call("whoami")["sid"]
        self.assertEqual(plain.async_client.pids, {})  # no pid: it never tries to come back
        self.assertEqual(plain.receive("welcome").args, ["hello"])
        other = self.socketio_client(auth={"quiet": True})
        other.emit("announce", "to all")
        other.emit("tell", {"sid": sid, "text": "to you"})
        self.assertEqual(plain.receive("news").args, ["to all"])
        self.assertEqual(plain.receive("news").args, ["to you"])
        # the same broadcast carried an offset to the client that did not opt out
        self.assertEqual(other.receive("news").args, ["to all"])
        self.assertIn("/", other.async_client.offsets)
        self.assertEqual(recovery_handlers.auths[sid], {"token": "mine"})

    def test_a_client_that_opted_out_is_not_kept(self):
        plain = self.socketio_client(auth={"recovery": False})
        sid = plain.call("whoami")["sid"]
        plain.drop()
        self.assertNotEqual(plain.connect(auth={"recovery": False}), sid)


class PythonSocketIOClientTests(SimpleTestCase):
    """python-socketio's own client, over the wire, against a server with recovery on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = LiveServer({"ASYNCTION_SPEC": str(SPEC),
                                 "ASYNCTION_CONNECTION_STATE_RECOVERY": True})
        cls.addClassCleanup(cls.server.stop)
        cls.server.start("/socket.io/")

    def received(self, auth: dict) -> list:
        async def scenario() -> list:
            client = socketio.AsyncClient(reconnection=False)
            got: asyncio.Queue = asyncio.Queue()
            client.on("welcome", lambda *args: got.put_nowait(list(args)))
            await client.connect(self.server.url, auth=auth, transports=["websocket"])
            try:
                return await asyncio.wait_for(got.get(), 10)
            finally:
                await client.disconnect()

        return asyncio.run(scenario())

    def test_it_sees_the_offset_unless_it_opts_out(self):
        self.assertEqual(len(self.received({})), 2)  # "hello" and the offset
        self.assertEqual(self.received({"recovery": False}), ["hello"])
