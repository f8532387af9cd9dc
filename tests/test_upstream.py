"""The private parts of python-socketio and python-engineio this package builds on.

asynction_django overrides or calls methods of theirs that are not public API (each
subclass's docstring says which upstream behaviour it changes and why). A release of
either library may rename or reshape them without notice; these tests fail loudly,
naming the method, when one disappears, changes its parameters or stops being a
coroutine, so an upgrade is caught here and not by a subtly wrong server.
pyproject.toml pins the range of releases this table was checked against.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import engineio
import socketio
from django.test import SimpleTestCase
from engineio.async_drivers.asgi import WebSocket
from engineio.async_socket import AsyncSocket
from socketio.async_admin import InstrumentedAsyncServer
from socketio.async_pubsub_manager import AsyncPubSubManager
from socketio.base_manager import BaseManager

ASYNC, SYNC = True, False

# (upstream class, method, its parameters, whether it is a coroutine function)
OVERRIDDEN = [
    (socketio.AsyncServer, "_engineio_server_class", ["self"], SYNC),
    (socketio.AsyncServer, "_handle_eio_connect", ["self", "eio_sid", "environ"], ASYNC),
    (socketio.AsyncServer, "_handle_eio_message", ["self", "eio_sid", "data"], ASYNC),
    (socketio.AsyncServer, "_handle_eio_disconnect", ["self", "eio_sid", "reason"], ASYNC),
    (socketio.AsyncServer, "_handle_connect", ["self", "eio_sid", "namespace", "data"], ASYNC),
    (socketio.AsyncServer, "_handle_disconnect", ["self", "eio_sid", "namespace", "reason"],
     ASYNC),
    (socketio.AsyncServer, "_handle_event", ["self", "eio_sid", "namespace", "id", "data"],
     ASYNC),
    (socketio.AsyncServer, "_handle_event_internal",
     ["self", "server", "sid", "eio_sid", "data", "namespace", "id"], ASYNC),
    (socketio.AsyncServer, "_send_packet", ["self", "eio_sid", "pkt"], ASYNC),
    (socketio.AsyncServer, "_send_eio_packet", ["self", "eio_sid", "eio_pkt"], ASYNC),
    (engineio.AsyncServer, "_trigger_event", ["self", "event", "args", "kwargs"], ASYNC),
    (engineio.AsyncServer, "_method_not_found", ["self"], SYNC),
    (engineio.AsyncServer, "_ok", ["self", "packets", "headers", "jsonp_index"], SYNC),
    (engineio.AsyncServer, "_make_response", ["self", "response_dict", "environ"], ASYNC),
    (engineio.AsyncServer, "_bad_request", ["self", "message"], SYNC),
    (engineio.AsyncServer, "generate_id", ["self"], SYNC),
    (AsyncSocket, "_websocket_handler", ["self", "ws"], ASYNC),
    (AsyncSocket, "poll", ["self"], ASYNC),
    (AsyncSocket, "close", ["self", "wait", "abort", "reason"], ASYNC),
    (AsyncSocket, "handle_post_request", ["self", "environ"], ASYNC),
    (WebSocket, "wait", ["self"], ASYNC),
    (WebSocket, "close", ["self"], ASYNC),
    (WebSocket, "send", ["self", "message"], ASYNC),
    (AsyncPubSubManager, "_publish", ["self", "data"], ASYNC),
    (AsyncPubSubManager, "_listen", ["self"], ASYNC),
    (InstrumentedAsyncServer, "instrument", ["self"], SYNC),
    (InstrumentedAsyncServer, "uninstrument", ["self"], SYNC),
    (InstrumentedAsyncServer, "admin_connect", ["self", "sid", "environ", "client_auth"], ASYNC),
    (InstrumentedAsyncServer, "serialize_socket", ["self", "sid", "namespace", "eio_sid"], SYNC),
    (InstrumentedAsyncServer, "admin_emit",
     ["self", "_", "namespace", "room_filter", "event", "data"], ASYNC),
    (InstrumentedAsyncServer, "_emit_server_stats", ["self"], ASYNC),
]


class UpstreamPrivateMethodsTests(SimpleTestCase):
    def test_every_private_method_we_override_is_still_there_as_it_was(self):
        for owner, name, parameters, is_async in OVERRIDDEN:
            where = (f"{owner.__module__}.{owner.__qualname__}.{name} (python-socketio "
                     f"{version('python-socketio')}, python-engineio "
                     f"{version('python-engineio')})")
            with self.subTest(method=where):
                method = getattr(owner, name, None)
                self.assertIsNotNone(method, f"{where} is gone")
                self.assertEqual(list(inspect.signature(method).parameters), parameters,
                                 f"{where} changed its parameters")
                self.assertEqual(inspect.iscoroutinefunction(method), is_async,
                                 f"{where} changed between sync and async")

    def test_a_namespace_connection_gets_its_sid_from_the_engine_synchronously(self):
        # Connection state recovery hands a returning client its sid through
        # EngineServer.generate_id, from the task handling its CONNECT: that holds only
        # while the manager's pre_connect asks the engine for the id without awaiting.
        source = inspect.getsource(BaseManager.pre_connect)
        self.assertIn("self.server.eio.generate_id()", source)
        self.assertFalse(inspect.iscoroutinefunction(BaseManager.pre_connect))
        self.assertIn("await self.manager.pre_connect(eio_sid, namespace)",
                      inspect.getsource(socketio.AsyncServer._handle_connect))

    def test_the_attributes_we_read_still_exist(self):
        server = socketio.AsyncServer(async_mode="asgi")
        self.assertIsInstance(server._binary_packet, dict)
        self.assertIsInstance(server.eio._async, dict)
        self.assertIn("websocket", server.eio._async)
