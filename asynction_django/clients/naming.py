"""Identifiers for generated clients: spec names (``join room``, ``/admin``, ``ChatMessage``)
become names both TypeScript and Python accept, never colliding with each other or with
the names the generated modules use themselves."""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|[0-9]|\b|_)|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")

# Names a generated module defines or imports: a schema may not take them in that language.
TS_RESERVED = frozenset({  # the module's imports, the globals it uses, its helpers
    "io", "Socket", "ManagerOptions", "SocketOptions", "Partial", "Record", "Array",
    "Promise", "Error", "Object", "String", "Number", "Boolean", "Function", "Symbol",
    "ErrorReply", "SOCKETIO_PATH", "withNamespace",
})
PY_RESERVED = frozenset({  # the module's imports, builtins in annotations, its helpers
    "Any", "Awaitable", "Callable", "Literal", "Never", "NotRequired", "Protocol",
    "Required", "TypeAlias", "TypedDict", "cast", "asyncio", "inspect", "socketio", "str",
    "int", "float", "bool", "list", "dict", "tuple", "object", "bytes", "type", "Exception",
    "ServerError", "ErrorDetail", "SOCKETIO_PATH",
    *keyword.kwlist, *keyword.softkwlist,
})
RESERVED = TS_RESERVED | PY_RESERVED  # names neither language's module may give a schema
RESERVED_IN = {"typescript": TS_RESERVED, "python": PY_RESERVED}
# Words TypeScript refuses as a parameter name.
TS_KEYWORDS = frozenset({
    "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
    "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if",
    "import", "in", "instanceof", "new", "null", "return", "super", "switch", "this", "throw",
    "true", "try", "typeof", "var", "void", "while", "with", "implements", "interface", "let",
    "package", "private", "protected", "public", "static", "yield", "any", "boolean",
    "number", "string", "symbol", "unknown", "never", "object", "undefined", "arguments",
    "eval", "await",
})


def words(text: str) -> list[str]:
    """``join room``, ``joinRoom``, ``JOIN_ROOM`` and ``/join-room`` all give join, room."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return [word.lower() for word in _WORD.findall(ascii_text)]


def pascal(text: str, fallback: str = "Type") -> str:
    """A type name: ``join room`` -> ``JoinRoom``; never empty, never a leading digit."""
    name = "".join(word[:1].upper() + word[1:] for word in words(text)) or fallback
    return f"T{name}" if name[0].isdigit() else name


def snake(text: str, fallback: str = "value") -> str:
    """A Python name: ``join room`` -> ``join_room``; keywords get a trailing underscore."""
    name = ""
    for word in words(text):  # digits stay with the word before them: arg2, not arg_2
        name += word if word.isdigit() and name else f"_{word}" if name else word
    name = name or fallback
    name = f"_{name}" if name[0].isdigit() else name
    return f"{name}_" if keyword.iskeyword(name) or keyword.issoftkeyword(name) else name


def camel(text: str, fallback: str = "value") -> str:
    """A TypeScript parameter name: ``join room`` -> ``joinRoom``."""
    name = pascal(text, pascal(fallback))
    name = name[:1].lower() + name[1:]
    return f"{name}_" if name in TS_KEYWORDS else name


def is_identifier(text: str) -> bool:
    """A property key both languages can write bare (``room``, not ``first-name``)."""
    return bool(_IDENTIFIER.match(text)) and not keyword.iskeyword(text)


class Namer:
    """Hands out names once each: a taken name gets the next candidate, then a number."""

    def __init__(self, taken: Iterable[str] = ()):
        self.taken = set(taken)

    def unique(self, *candidates: str) -> str:
        for candidate in candidates:
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        base, number = candidates[0], 2
        while f"{base}{number}" in self.taken:
            number += 1
        self.taken.add(f"{base}{number}")
        return f"{base}{number}"


def namespace_names(namespaces: Iterable[str], title: str,
                    reserved: frozenset[str] = RESERVED) -> dict[str, str]:
    """A prefix per namespace: ``/`` is named after the API's title, ``/admin`` Admin."""
    namer = Namer(reserved)
    names = {}
    for namespace in namespaces:
        base = pascal(title, "Api") if namespace.strip("/") == "" else pascal(namespace, "Api")
        names[namespace] = namer.unique(base, f"{base}Namespace")
    return names
