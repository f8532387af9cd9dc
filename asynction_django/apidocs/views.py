"""The API's docs, playground, resolved document and typed clients, as ordinary Django views."""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from functools import wraps
from typing import Any

import yaml
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils.module_loading import import_string

from ..clients import CONTENT_TYPES, FILE_NAMES, render_client
from ..conf import docs_access, get_settings
from ..runtime import get_server
from ..server import AsynctionServer
from .page import ApiDocs, build_docs

View = Callable[..., HttpResponse]

_docs_of: weakref.WeakKeyDictionary[AsynctionServer, ApiDocs] = weakref.WeakKeyDictionary()
_clients_of: weakref.WeakKeyDictionary[AsynctionServer, dict[str, str]] = (
    weakref.WeakKeyDictionary())


def api_docs() -> ApiDocs:
    """The docs of the running server's spec, built on first use and kept with the server."""
    server = get_server()
    docs = _docs_of.get(server)
    if docs is None:
        docs = _docs_of[server] = build_docs(server.spec, server.socketio_path,
                                             server.spec_server)
    return docs


def _allowed(request: HttpRequest, access: str) -> bool:
    user = getattr(request, "user", None)
    if access == "open":
        return True
    if access == "login":
        return bool(user is not None and user.is_authenticated)
    if access == "staff":
        return bool(user is not None and user.is_active and user.is_staff)
    return bool(import_string(access)(request))


def docs_view(view: View) -> View:
    """404 when ``ASYNCTION_DOCS`` is off; ``ASYNCTION_DOCS_ACCESS`` decides who may look."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        values = get_settings()
        if not values.DOCS:
            raise Http404("the API docs are turned off (ASYNCTION_DOCS = False)")
        if not _allowed(request, docs_access(values)):
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@docs_view
def docs(request: HttpRequest) -> HttpResponse:
    """The docs page with the playground."""
    api = api_docs()
    socketio_path = f"{get_script_prefix()}{api.socketio_path}/"
    host = request.get_host()
    user = getattr(request, "user", None)
    logged_in = user is not None and user.is_authenticated
    return render(request, "asynction_django/docs.html", {
        "api": api,
        "socketio_path": socketio_path,
        "origin": f"{request.scheme}://{host}",  # the page's: the playground connects there
        "served_here": [server.name for server in api.servers
                        if server.serves(request.is_secure(), host)],
        "playground": {
            "socketioPath": socketio_path,
            "namespaces": api.playground,
            # The page and the socket share the session cookie: this is who connects.
            "user": user.get_username() if logged_in and user is not None else None,
            "loginUrl": None if user is None else redirect_to_login(
                f"{request.get_full_path()}#playground")["Location"],
        },
    })


@docs_view
def document_json(request: HttpRequest) -> HttpResponse:
    """The AsyncAPI document with every ``$ref`` resolved, as JSON."""
    return JsonResponse(get_server().spec.document,
                        json_dumps_params={"indent": 2, "ensure_ascii": False})


@docs_view
def document_yaml(request: HttpRequest) -> HttpResponse:
    """The AsyncAPI document with every ``$ref`` resolved, as YAML."""
    # Through JSON first: YAML anchors for shared (resolved) objects would confuse readers.
    document = json.loads(json.dumps(get_server().spec.document))
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return HttpResponse(text, content_type="application/yaml; charset=utf-8")


def _client(language: str) -> HttpResponse:
    """The typed client module, built once per server and served as a download."""
    server = get_server()
    path = f"{get_script_prefix()}{server.socketio_path}/"
    clients = _clients_of.setdefault(server, {})
    if f"{language} {path}" not in clients:
        clients[f"{language} {path}"] = render_client(server.spec, language, path)
    response = HttpResponse(clients[f"{language} {path}"],
                            content_type=CONTENT_TYPES[language])
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAMES[language]}"'
    return response


@docs_view
def client_typescript(request: HttpRequest) -> HttpResponse:
    """The API's typed socket.io-client module (``asynction_export --format typescript``)."""
    return _client("typescript")


@docs_view
def client_python(request: HttpRequest) -> HttpResponse:
    """The API's typed python-socketio client module (``asynction_export --format python``)."""
    return _client("python")
