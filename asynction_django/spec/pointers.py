"""JSON pointers (RFC 6901): the one implementation the package uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..exceptions import PointerError


def escape_token(token: Any) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(pointer: str, token: Any) -> str:
    return f"{pointer}/{escape_token(token)}"


def pointer_of(path: Any) -> str:
    """The pointer of a path of keys and indexes (``["a", 0]`` → ``/a/0``)."""
    pointer = ""
    for token in path:
        pointer = join_pointer(pointer, token)
    return pointer


def resolve(document: Any, pointer: str, decode: Callable[[str], str] | None = None) -> Any:
    """The value ``pointer`` (``""``, ``/a/0``) points to in ``document``.

    ``decode`` is applied to each token first (``unquote`` for a URI fragment).
    """
    node = document
    if pointer in ("", "/"):
        return node
    for raw in pointer.lstrip("/").split("/"):
        token = unescape_token(decode(raw) if decode else raw)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise PointerError(token)
    return node


def place(document: dict[str, Any], pointer: str, value: Any) -> None:
    """Put ``value`` where ``pointer`` points in ``document``, making mappings on the way."""
    parent, _, last = pointer.rpartition("/")
    try:
        container = resolve(document, parent)
    except PointerError:
        place(document, parent, {})
        container = resolve(document, parent)
    container[unescape_token(last)] = value
