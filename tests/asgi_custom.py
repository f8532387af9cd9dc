"""A project's own router that mounts the Socket.IO endpoint (Channels style)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.urls import re_path  # noqa: E402

from asynction_django.asgi import socketio_asgi_app  # noqa: E402

socketio = socketio_asgi_app()
application = ProtocolTypeRouter({
    "http": get_asgi_application(),
    "websocket": AllowedHostsOriginValidator(URLRouter([re_path(r"^socket\.io/", socketio)])),
})
