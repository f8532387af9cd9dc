"""python-socketio behind Channels' ``AuthMiddlewareStack`` (router, session and auth
middleware in front, Django behind for HTTP): the usual way to give python-socketio's handlers
the Django user, which asynction_django does itself, once per connection. The same handlers as
``bench.asgi_plain``, so the difference between the two is what the Channels stack costs."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import socketio  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

from bench.asgi_plain import sio  # noqa: E402

django_app = get_asgi_application()

application = ProtocolTypeRouter({
    "http": AuthMiddlewareStack(socketio.ASGIApp(sio, other_asgi_app=django_app)),
    "websocket": AuthMiddlewareStack(socketio.ASGIApp(sio)),
})
