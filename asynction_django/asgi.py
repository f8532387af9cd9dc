"""ASGI entry points: the whole project, or just the Socket.IO part for your own router."""

from __future__ import annotations

import asyncio
import contextlib
from functools import lru_cache
from typing import Any

from channels.routing import ProtocolTypeRouter
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase
from django.urls import NoReverseMatch, include, path, reverse

from .conf import admin_ui_options, get_settings
from .logs import client_logger
from .runtime import get_server, remember_loop
from .server import ConnectionScopeMiddleware

Scope = dict[str, Any]


def _relative_path(scope: Scope) -> str:
    """The request path below ``root_path`` (daphne's ``--root-path``, a proxy's prefix)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root):] or "/"
    return path


class SocketIOApp:
    """The Socket.IO endpoint: hands every Engine.IO request to the spec-aware server."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        remember_loop()
        try:
            await get_server().handle_request({**scope, "path": _relative_path(scope)},
                                              receive, send)
        except Exception:  # noqa: BLE001 - a malformed frame ends its own connection only
            client_logger.warning("closed a %s connection that sent what Engine.IO cannot "
                                  "decode", scope["type"])
            if scope["type"] == "websocket":
                with contextlib.suppress(Exception):
                    await send({"type": "websocket.close", "code": 1000})


class SocketIORouter:
    """Sends requests under the Socket.IO path to ``socketio``, the rest to ``fallback``."""

    def __init__(self, socketio: Any, fallback: Any = None):
        self.socketio = socketio
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        prefix = f"/{get_server().socketio_path}/"
        path = _relative_path(scope)
        if path == prefix[:-1] or path.startswith(prefix):
            await self.socketio(scope, receive, send)
        elif self.fallback is not None:
            await self.fallback(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4004})
        else:
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"Not Found"})


def docs_base() -> str:
    """Where the docs live: the parent of the Socket.IO path (``/`` for ``/socket.io``)."""
    parent = get_server().socketio_path.rpartition("/")[0]
    return f"/{parent}/" if parent else "/"


class _DocsURLConf:
    """The project's URLs with the docs mounted at ``base``, for docs requests only."""

    def __init__(self, base: str):
        self.urlpatterns = [
            path(base.lstrip("/"), include("asynction_django.urls")),
            path("", include(settings.ROOT_URLCONF)),  # so reverse() of the project's names works
        ]


@lru_cache(maxsize=8)
def _docs_urlconf(base: str) -> _DocsURLConf:
    return _DocsURLConf(base)


class DocsHandler(ASGIHandler):
    """Django's ASGI handler, resolving against the project's URLs plus the docs."""

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        request.urlconf = _docs_urlconf(docs_base())
        return await super().get_response_async(request)


class DocsRouter:
    """Sends ``{base}docs`` requests to the docs, the rest to ``fallback``."""

    def __init__(self, fallback: Any):
        self.docs = DocsHandler()
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        docs = f"{docs_base()}docs"
        path_ = _relative_path(scope)
        admin_ui = path_.startswith(f"{docs}/admin-ui/") and admin_ui_options() is not None
        if (path_ == docs or path_.startswith(docs + "/")) and (get_settings().DOCS or admin_ui):
            await self.docs(scope, receive, send)
        else:
            await self.fallback(scope, receive, send)


def docs_in_urlconf() -> bool:
    """Whether ``ROOT_URLCONF`` already includes ``asynction_django.urls``."""
    try:
        reverse("asynction_django:docs")
    except NoReverseMatch:
        return False
    return True


class Lifespan:
    """ASGI lifespan (uvicorn, hypercorn): an invalid spec fails start-up; at shutdown the
    connections the server has not closed yet are closed (Engine.IO CLOSE, disconnect
    handlers run), within a bounded time. daphne has no lifespan (docs/deployment.md).
    """

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    get_server()
                except Exception as exc:  # noqa: BLE001 - reported to the ASGI server
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await close_all_connections()
                await send({"type": "lifespan.shutdown.complete"})
                return


SHUTDOWN_TIMEOUT = 5.0


async def close_all_connections() -> None:
    """Disconnect every client of this process, then stop the server's background tasks.

    Bounded: a long-polling client that never polls again cannot hold the shutdown.
    """
    server = get_server()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(SHUTDOWN_TIMEOUT):
            if server.eio.sockets:
                await server.eio.disconnect()
            await server.shutdown()


def socketio_asgi_app() -> Any:
    """The Socket.IO endpoint, with the Django session and user of each connection loaded
    once, at its handshake (:mod:`.server.django_scope`).

    Mount it in your own ``ProtocolTypeRouter`` for both ``http`` (long-polling) and
    ``websocket``; handlers then see the Django user in ``scope["user"]``.
    """
    return ConnectionScopeMiddleware(SocketIOApp())


def get_asgi_application() -> ProtocolTypeRouter:
    """Django's views, the Socket.IO API and the docs, in one ASGI application.

    Builds the server at once, so an invalid spec stops start-up with every problem.
    The docs are mounted at ``{base}docs`` unless ``ROOT_URLCONF`` includes
    ``asynction_django.urls`` itself. While ``DEBUG`` is on, static files are served
    as ``runserver`` serves them, so plain ``daphne`` shows the docs with their assets.
    """
    from django.core.asgi import get_asgi_application as django_asgi_application

    django_app = django_asgi_application()
    get_server()
    socketio = socketio_asgi_app()
    http = django_app if docs_in_urlconf() else DocsRouter(django_app)
    if settings.DEBUG and settings.STATIC_URL and apps.is_installed("django.contrib.staticfiles"):
        http = ASGIStaticFilesHandler(http)
    return ProtocolTypeRouter({
        "http": SocketIORouter(socketio, http),
        "websocket": SocketIORouter(socketio),
        "lifespan": Lifespan(),
    })
