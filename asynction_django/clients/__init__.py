"""Typed clients generated from the spec: the front-end gets the contract the server enforces.

``render_client(spec, "typescript")`` gives a socket.io-client module, ``"python"`` a
python-socketio one; ``asynction_export --format typescript|python`` and the docs'
``client.ts``/``client.py`` downloads serve them.
"""

from __future__ import annotations

from ..spec import Spec
from ..spec.servers import DEFAULT_SOCKETIO_PATH
from .api import ClientApi, build_api
from .python import render_python
from .typescript import render_typescript

RENDERERS = {"typescript": render_typescript, "python": render_python}
FILE_NAMES = {"typescript": "client.ts", "python": "client.py"}
CONTENT_TYPES = {"typescript": "text/plain; charset=utf-8",
                 "python": "text/x-python; charset=utf-8"}


def socketio_path_of(spec: Spec, server: str | None = None) -> str:
    """The path a client connects to: the named server's, else the only server's."""
    selected = spec.servers.get(server) if server else (
        next(iter(spec.servers.values())) if len(spec.servers) == 1 else None)
    return f"/{selected.socketio_path if selected else DEFAULT_SOCKETIO_PATH}/"


def render_client(spec: Spec, language: str, socketio_path: str | None = None) -> str:
    """The client module's source text; ``socketio_path`` like ``/socket.io/``."""
    api = build_api(spec, socketio_path or socketio_path_of(spec), language)
    return RENDERERS[language](api)


__all__ = ["CONTENT_TYPES", "FILE_NAMES", "RENDERERS", "ClientApi", "build_api",
           "render_client", "render_python", "render_typescript", "socketio_path_of"]
