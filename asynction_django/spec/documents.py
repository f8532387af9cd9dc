"""Reading AsyncAPI documents and resolving their ``$ref``s.

The result is one plain JSON-like tree in which every ``$ref`` is replaced by what it
points to (the same object wherever the same target is referenced). A reference that
would recurse forever stays a ``$ref``, rewritten to a local pointer into the resolved
tree, so JSON Schema validators and JSON exporters can still follow it. Every dict and
list in the tree remembers the file and JSON pointer it was written at, so problems
can be reported where the user has to fix them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import yaml

from ..exceptions import PointerError, SpecProblem
from .pointers import join_pointer, resolve

DICT_SOURCE = "<dict>"


class _YamlLoader(yaml.SafeLoader):
    """Safe YAML with the scalars of the YAML 1.2 core schema, as AsyncAPI tools read it.

    PyYAML implements YAML 1.1, where ``yes``/``no``/``on``/``off`` are booleans,
    ``2024-01-01`` a date, ``010`` octal 8, ``1_000`` a thousand and ``1:20`` eighty;
    in YAML 1.2 (and JavaScript tooling) they are strings, ``010`` is ten and ``0o10``
    eight. The core schema's rules replace PyYAML's implicit ones.
    """


_CORE_SCALARS = [
    ("tag:yaml.org,2002:null", r"~|null|Null|NULL|", "~nN"),
    ("tag:yaml.org,2002:bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("tag:yaml.org,2002:int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)", "-+.0123456789"),
]
_YamlLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in _CORE_SCALARS:
    _YamlLoader.add_implicit_resolver(_tag, re.compile(f"^(?:{_pattern})$"), list(_first))


def _core_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)  # "010" is ten


def _core_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node).lower()
    return float(text.replace(".inf", "inf").replace(".nan", "nan"))


_YamlLoader.add_constructor("tag:yaml.org,2002:int", _core_int)
_YamlLoader.add_constructor("tag:yaml.org,2002:float", _core_float)


@dataclass(frozen=True)
class Location:
    """Where a value was written: a file (or ``<dict>``) and a JSON pointer in it."""

    file: str
    pointer: str = ""

    def child(self, token: Any) -> Location:
        return Location(self.file, join_pointer(self.pointer, token))

    def problem(self, reason: str) -> SpecProblem:
        return SpecProblem(self.file, self.pointer or "/", reason)


class _Unresolvable(Exception):
    pass


@dataclass
class ResolvedDocument:
    """A document with its references resolved, and where each part came from."""

    tree: Any
    root: Location
    problems: list[SpecProblem] = field(default_factory=list)
    _origins: dict[int, Location] = field(default_factory=dict, repr=False)

    def origin(self, value: Any, fallback: Location) -> Location:
        """Where ``value`` was written; ``fallback`` for scalars and unknown values."""
        return self._origins.get(id(value), fallback)

    def locate(self, parent: Location, token: Any, value: Any) -> Location:
        """The location of ``value``, found at ``parent``/``token`` in the resolved tree."""
        return self._origins.get(id(value)) or parent.child(token)


def _normalise_keys(value: Any) -> Any:
    """YAML allows non-string keys (``200:``); JSON, and so AsyncAPI, does not."""
    if isinstance(value, dict):
        return {str(key): _normalise_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise_keys(item) for item in value]
    return value


def parse_text(text: str, name: str) -> Any:
    """Parse YAML or JSON (JSON is YAML, but the JSON parser is faster and stricter)."""
    stripped = text.lstrip()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass
    return _normalise_keys(yaml.load(text, Loader=_YamlLoader))  # noqa: S506 - SafeLoader subclass


class _Resolver:
    def __init__(self, root_uri: str, root_name: str):
        self.root_uri = root_uri
        self.root_name = root_name
        self.files: dict[str, Any] = {}
        self.done: dict[str, Any] = {}
        self.in_progress: dict[str, str] = {}
        self.origins: dict[int, Location] = {}
        self.problems: list[SpecProblem] = []

    def display(self, uri: str) -> str:
        if uri == self.root_uri:
            return self.root_name
        if uri.startswith("file:"):
            return unquote(urlparse(uri).path)
        return uri

    def load_file(self, uri: str) -> Any:
        if uri not in self.files:
            parsed = urlparse(uri)
            if parsed.scheme != "file":
                raise _Unresolvable(f"only local files can be referenced, not {uri!r}")
            path = Path(unquote(parsed.path))
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise _Unresolvable(f"cannot read {path}: {exc.strerror or exc}") from exc
            try:
                self.files[uri] = parse_text(text, str(path))
            except yaml.YAMLError as exc:
                raise _Unresolvable(f"{path} is not valid YAML or JSON: {exc}") from exc
        return self.files[uri]

    def lookup(self, uri: str, pointer: str) -> Any:
        if pointer not in ("", "/") and not pointer.startswith("/"):
            raise _Unresolvable(f"{pointer!r} is not a JSON pointer")
        try:
            return resolve(self.load_file(uri), pointer, unquote)  # a URI fragment
        except PointerError as exc:
            raise _Unresolvable(f"{exc.token!r} not found in {self.display(uri)}") from None

    def resolve(self, node: Any, uri: str, pointer: str, out_pointer: str) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                # Siblings of $ref are ignored, as the AsyncAPI and JSON Schema drafts say.
                return self.follow(ref, uri, pointer, out_pointer)
            out: dict[str, Any] = {}
            self.origins[id(out)] = Location(self.display(uri), pointer)
            for key, value in node.items():
                out[key] = self.resolve(
                    value, uri, join_pointer(pointer, key), join_pointer(out_pointer, key)
                )
            return out
        if isinstance(node, list):
            items: list[Any] = []
            self.origins[id(items)] = Location(self.display(uri), pointer)
            for index, value in enumerate(node):
                items.append(
                    self.resolve(
                        value, uri, join_pointer(pointer, index), join_pointer(out_pointer, index)
                    )
                )
            return items
        return node

    def follow(self, ref: str, uri: str, pointer: str, out_pointer: str) -> Any:
        target = urljoin(uri, ref)
        target_uri, fragment = urldefrag(target)
        key = f"{target_uri}#{fragment}"
        if key in self.done:
            return self.done[key]
        if key in self.in_progress:
            return {"$ref": "#" + self.in_progress[key]}
        try:
            raw = self.lookup(target_uri, unquote(fragment))
        except _Unresolvable as exc:
            self.problems.append(
                SpecProblem(self.display(uri), join_pointer(pointer, "$ref"),
                            f"$ref {ref!r} does not resolve: {exc}")
            )
            return {}
        self.in_progress[key] = out_pointer
        try:
            resolved = self.resolve(raw, target_uri, unquote(fragment), out_pointer)
        finally:
            del self.in_progress[key]
        self.done[key] = resolved
        return resolved


def resolve_document(source: str | Path | dict[str, Any]) -> ResolvedDocument:
    """Load ``source`` (a path to YAML/JSON or a dict) and resolve every ``$ref``."""
    if isinstance(source, dict):
        # Relative file references in a dict document resolve against the working directory.
        resolver = _Resolver(Path.cwd().joinpath("__asynction_dict__").as_uri(), DICT_SOURCE)
        resolver.files[resolver.root_uri] = _normalise_keys(source)
    else:
        path = Path(source).resolve()
        resolver = _Resolver(path.as_uri(), str(path))
        try:
            resolver.load_file(resolver.root_uri)
        except _Unresolvable as exc:
            root = Location(str(path))
            return ResolvedDocument(None, root, [root.problem(str(exc))])
    root = Location(resolver.root_name)
    tree = resolver.resolve(resolver.files[resolver.root_uri], resolver.root_uri, "", "")
    return ResolvedDocument(tree, root, resolver.problems, resolver.origins)
