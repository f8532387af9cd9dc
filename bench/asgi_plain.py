"""The baseline: plain python-socketio with hand-registered handlers, on the same stack
(Channels' router and auth middleware in front, Django behind for HTTP)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import socketio  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_app = get_asgi_application()
sio = socketio.AsyncServer(async_mode="asgi")


@sio.on("echo")
async def echo(sid, item):
    return item


@sio.on("broadcast")
async def broadcast(sid, item):
    await sio.emit("news", item)


application = ProtocolTypeRouter({
    "http": AuthMiddlewareStack(socketio.ASGIApp(sio, other_asgi_app=django_app)),
    "websocket": AuthMiddlewareStack(socketio.ASGIApp(sio)),
})
