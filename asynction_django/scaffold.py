"""Handler code from the spec: the functions its ``x-handler``/``x-handlers`` paths name,
and the security functions its schemes name (``x-…InfoFunc``, ``x-scopeValidateFunc``).

Each function gets python-socketio's signature for its role, parameters typed from the
schemas (TypedDicts for objects) and a docstring with the event, its direction, payload
and ack; security functions get the signature the server calls them with, and refuse
every client until written. Existing modules are never rewritten: missing functions are
appended, and what is already defined is left alone and reported.
"""

from __future__ import annotations

import ast
import importlib.util
import keyword
import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .schema_shapes import Reading, Shape, is_reference
from .schemas import to_json_schema
from .security import INFO_FUNCTIONS, describe_credentials
from .spec import Arguments, Arity, Message, Namespace, Spec

SIMPLE_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool",
                "null": "None"}
ROLE_SIGNATURES = {
    "connect": ("sid: str, environ: dict[str, Any], auth: dict[str, Any] | None",
                "bool | None", "Accept (return None or True) or refuse (False) a connection."),
    "disconnect": ("sid: str, reason: str", "None", "A client left the namespace."),
    "error": ("sid: str, exc: Exception", "Any",
              "An event of the namespace failed; the return value is sent as the ack."),
}
# What a role does until it is written: the server works, events say they are not written.
ROLE_BODIES = {
    "connect": ["return True  # accept every connection the spec's checks let through"],
    "disconnect": ["return None"],
    "error": ["# Validation errors go back as they are; anything else as a generic error.",
              "if isinstance(exc, ValidationError):",
              "    return exc.as_wire()",
              "raise exc"],
}
# The security functions a scheme names: their parameters, and what the credential is.
INFO_SIGNATURES = {
    "x-basicInfoFunc": "username: str, password: str, required_scopes: list[str] | None = None",
    "x-bearerInfoFunc": "token: str, required_scopes: list[str] | None = None",
    "x-apiKeyInfoFunc": "key: str, required_scopes: list[str] | None = None",
    "x-tokenInfoFunc": "token: str",
}
SCOPES_SIGNATURE = "required: list[str], granted: list[str], *, info: dict[str, Any]"
INFO_BODY = ["# TODO: check the credential; return the connection's security info (a dict,",
             '# with "scopes" if the scheme has any) to accept it. Until then: refused.',
             "return None"]
SCOPES_BODY = ["# TODO: whether `info` grants every `required` scope. Until then: refused.",
               "return False"]
LINE_LENGTH = 100
DOCSTRING = '"""Handlers of the Socket.IO API (written by asynction_scaffold)."""\n'
TYPING_NAMES = ("Any", "Literal", "NotRequired", "TypedDict")


@dataclass
class _Function:
    name: str
    parameters: str
    returns: str
    doc: list[str]
    body: list[str] = field(default_factory=list)


@dataclass
class ModulePlan:
    """What scaffolding one module does: its functions, and the types they use."""

    module: str
    path: Path
    functions: dict[str, _Function] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # class name -> its source
    existing: set[str] = field(default_factory=set)

    @property
    def missing(self) -> list[str]:
        return [name for name in self.functions if name not in self.existing]

    def source(self) -> str:
        """The code to write: a whole new module, or what to append to the existing one."""
        wanted = self._types_used()
        parts = [self.types[name] for name in self.types if name in wanted
                 and name not in self.existing]
        parts += [_render(self.functions[name]) for name in self.missing]
        body = "\n\n\n".join(part.strip("\n") for part in parts) + "\n"
        if self.path.exists():
            return body
        return f"{DOCSTRING}\n{self.imports(body, set())}\n\n{body}"

    @staticmethod
    def imports(body: str, present: set[str], noqa: str = "") -> str:
        """The import lines ``body`` needs, but for the names in ``present``."""
        typing_names = [name for name in TYPING_NAMES
                        if name not in present and re.search(rf"\b{name}\b", body)]
        lines = []
        if typing_names:
            lines.append(f"from typing import {', '.join(typing_names)}{noqa}\n")
        if "ValidationError" in body and "ValidationError" not in present:
            lines.append(f"\nfrom asynction_django import ValidationError{noqa}\n")
        return "".join(lines)

    def _types_used(self) -> set[str]:
        text = " ".join(f"{f.parameters} {f.returns}" for name, f in self.functions.items()
                        if name in self.missing)
        used: set[str] = set()
        pending = [name for name in self.types if re.search(rf"\b{name}\b", text)]
        while pending:
            name = pending.pop()
            if name in used:
                continue
            used.add(name)
            pending += [other for other in self.types
                        if other != name and re.search(rf"\b{other}\b", self.types[name])]
        return used


def plan(spec: Spec, base_dir: Path) -> list[ModulePlan]:
    """What to write for every handler the spec names, module by module."""
    plans: dict[str, ModulePlan] = {}
    roles: dict[str, list[tuple[str, Namespace, Message | None]]] = defaultdict(list)
    for namespace in spec.namespaces.values():
        for role in ("connect", "disconnect", "error"):
            path = getattr(namespace, f"{role}_handler")
            if path:
                roles[path].append((role, namespace, None))
        for message in namespace.received.values():
            if message.handler:
                roles[message.handler].append(("event", namespace, message))
    for path, uses in roles.items():
        module, _, name = path.rpartition(".")
        if not module or not name.isidentifier() or keyword.iskeyword(name):
            continue
        target = plans.get(module) or plans.setdefault(module, _module_plan(module, base_dir))
        target.functions[name] = _function(spec, target, name, uses)
    for path, schemes in _security_functions(spec).items():
        module, _, name = path.rpartition(".")
        if (path in roles or not module or not name.isidentifier() or keyword.iskeyword(name)
                or module.split(".")[0] == "asynction_django"):  # a handler, or a built-in
            continue
        target = plans.get(module) or plans.setdefault(module, _module_plan(module, base_dir))
        target.functions[name] = _security_function(name, schemes)
    return list(plans.values())


def _security_functions(spec: Spec) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """The dotted paths of the spec's info functions and scope validators, with the
    extension and scheme naming each (a path several schemes name is written once)."""
    found: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for scheme, definition in spec.security_schemes.items():
        kind = definition.get("type")
        http = str(definition.get("scheme", "")).lower() if kind == "http" else None
        info_key = INFO_FUNCTIONS.get((kind, http)) or INFO_FUNCTIONS.get((kind, None))
        for key in (info_key, "x-scopeValidateFunc"):
            if key and isinstance(definition.get(key), str):
                found[definition[key]].append((key, scheme, definition))
    return found


def _security_function(name: str, schemes: list[tuple[str, str, dict[str, Any]]]) -> _Function:
    """A stub that refuses every client until it is written."""
    key = schemes[0][0]
    lines = []
    for _, scheme, definition in schemes:
        kind = str(definition.get("type"))
        if definition.get("scheme"):
            kind += f" {definition['scheme']}"
        source = describe_credentials(definition)
        lines += textwrap.wrap(f"Scheme {scheme!r} ({kind})" + (f": {source}." if source else "."),
                               LINE_LENGTH - 8, subsequent_indent="  ")
    if key == "x-scopeValidateFunc":
        return _Function(name, SCOPES_SIGNATURE, "bool", [
            "Security scope validator (x-scopeValidateFunc): True when the security info an",
            "info function returned grants every required scope.", "", *lines], SCOPES_BODY)
    return _Function(name, INFO_SIGNATURES[key], "dict[str, Any] | None", [
        f"Security info function ({key}): return a dict to accept the credential (it",
        "becomes get_connection(sid).security), or None to refuse it.", "", *lines],
        INFO_BODY)


def _module_plan(module: str, base_dir: Path) -> ModulePlan:
    try:
        found = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        found = None
    if found is not None and found.origin and found.origin.endswith(".py"):
        path = Path(found.origin)
    else:
        path = base_dir.joinpath(*module.split(".")).with_suffix(".py")
    result = ModulePlan(module, path)
    if path.exists():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        result.existing = {node.name for node in tree.body if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))} | {
            target.id for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}
    return result


def _function(spec: Spec, target: ModulePlan, name: str,
              uses: list[tuple[str, Namespace, Message | None]]) -> _Function:
    role, namespace, message = uses[0]
    if role != "event":
        signature, returns, summary = ROLE_SIGNATURES[role]
        where = ", ".join(sorted({use[1].name for use in uses}))
        return _Function(name, signature, returns, [summary, "", f"{role} handler of {where}"],
                         ROLE_BODIES[role])
    assert message is not None  # an event's use carries its message
    types = _Types(spec, target)
    parameters = ["sid: str"] + _parameters(types, message.payload, name)
    returns = _returns(types, message.ack, name)
    doc = ["Handles a client -> server event.", ""]
    for _, used_namespace, used in uses:
        # Fails when the path is also another namespace's connect/disconnect/error handler.
        assert used is not None
        doc.append(f"Event {used.event!r} in namespace {used_namespace.name!r} "
                   "(client -> server).")
        written = used.document.get("summary")
        if written:
            doc.append(str(written))
        doc.append(f"Payload: {_describe(used.payload)}.")
        doc.append("Ack (the return value): "
                   f"{_describe(used.ack) if used.ack else 'none (return nothing)'}.")
    return _Function(name, ", ".join(parameters), returns, doc)


def _describe(arguments: Arguments) -> str:
    if arguments.arity is Arity.NONE:
        return "no arguments"
    if arguments.arity is Arity.TUPLE:
        return "several arguments, one per item of the tuple schema"
    schema = arguments.schema
    kind = schema.get("type", "any value") if isinstance(schema, dict) else "any value"
    return f"one argument ({kind})"


def _parameters(types: _Types, payload: Arguments, name: str) -> list[str]:
    if payload.arity is Arity.NONE:
        return []
    schema = types.rooted(to_json_schema(payload.schema, types.document))
    if payload.arity is Arity.TUPLE:
        items = schema.get("prefixItems", [])
        parameters = [f"arg{index + 1}: {types.annotation(item, f'{name}_arg{index + 1}')}"
                      for index, item in enumerate(items)]
        if isinstance(schema.get("items"), dict) and schema["items"] != {"not": {}}:
            parameters.append(f"*more: {types.annotation(schema['items'], f'{name}_more')}")
        return parameters
    return [f"payload: {types.annotation(schema, f'{name}_payload')}"]


def _returns(types: _Types, ack: Arguments | None, name: str) -> str:
    if ack is None or ack.arity is Arity.NONE:
        return "None"
    schema = types.rooted(to_json_schema(ack.schema, types.document))
    if ack.arity is Arity.TUPLE:
        items = [types.annotation(item, f"{name}_ack{index + 1}")
                 for index, item in enumerate(schema.get("prefixItems", []))]
        return f"tuple[{', '.join(items)}]"
    return types.annotation(schema, f"{name}_ack")


class _Types:
    """Python annotations for schemas; object schemas become TypedDicts in the module.

    Schemas are read as the docs, the mock and the typed clients read them
    (:mod:`.schema_shapes`): one TypedDict per alternative, each with the fields it shares
    with the others and ``required`` from every part, conditions split into cases.
    """

    def __init__(self, spec: Spec, target: ModulePlan):
        self.document = spec.document
        self.target = target
        self.reading = Reading()

    def rooted(self, schema: Any) -> Any:
        """``schema`` (standalone), whose recursive parts the annotations now resolve."""
        self.reading = Reading(schema)
        return schema

    def annotation(self, schema: Any, hint: str, depth: int = 0) -> str:
        if not isinstance(schema, dict) or depth > 8 or is_reference(schema):
            return "Any"
        cases = self.reading.cases(schema)
        options = [self._case(case, hint if len(cases) == 1 else f"{hint}_{number}", depth)
                   for number, case in enumerate(cases, 1)]
        return " | ".join(dict.fromkeys(options)) or "Any"

    def _case(self, case: Shape, hint: str, depth: int) -> str:
        schema = case.keywords
        if "const" in schema:
            return f"Literal[{schema['const']!r}]"
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and all(
                isinstance(value, (str, int, bool)) for value in enum):
            return f"Literal[{', '.join(repr(value) for value in enum)}]"
        kind = schema.get("type")
        if isinstance(kind, list):
            return " | ".join(self.annotation({**schema, "type": item}, hint, depth)
                              for item in kind)
        if kind in SIMPLE_TYPES:
            return SIMPLE_TYPES[kind]
        if kind == "array":
            if isinstance(schema.get("prefixItems"), list):
                items = [self.annotation(item, f"{hint}_{index + 1}", depth + 1)
                         for index, item in enumerate(schema["prefixItems"])]
                return f"tuple[{', '.join(items)}]" if items else "tuple[()]"
            return f"list[{self.annotation(schema.get('items'), f'{hint}_item', depth + 1)}]"
        if kind == "object" or "properties" in schema or "required" in schema:
            return "dict[str, Any]" if case.open else self._typed_dict(case, hint, depth)
        return "Any"

    def _typed_dict(self, case: Shape, hint: str, depth: int) -> str:
        schema = case.keywords
        required = set(case.required)
        # Properties a part forbids are left out; required ones only named hold anything.
        properties = {**{name: sub for name, sub in case.properties.items() if sub is not False},
                      **{name: True for name in case.required if name not in case.properties}}
        if not properties or not all(
                name.isidentifier() and not keyword.iskeyword(name) for name in properties):
            return "dict[str, Any]"
        lines = []
        description = schema.get("description") or schema.get("title")
        if description:
            lines += [f'    """{_docstring_text(str(description))}"""', ""]
        for prop, sub in properties.items():
            annotation = self.annotation(sub, f"{hint}_{prop}", depth + 1)
            if prop not in required:
                annotation = f"NotRequired[{annotation}]"
            lines.append(f"    {prop}: {annotation}")
        body = "\n".join(lines)
        base = name = _class_name(hint)
        number = 2
        while name in self.target.types and not self.target.types[name].endswith(body):
            name, number = f"{base}{number}", number + 1
        self.target.types[name] = f"class {name}(TypedDict):\n{body}"
        return name


def _class_name(hint: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", hint)
                   if part) or "Payload"


def _docstring_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', "'''").strip()


def _render(function: _Function) -> str:
    doc = "\n".join(f"    {_docstring_text(line)}".rstrip() for line in function.doc)
    body = function.body or [f'raise NotImplementedError("{function.name} is not written yet")']
    signature = f"def {function.name}({function.parameters}) -> {function.returns}:"
    if len(signature) > LINE_LENGTH:  # the parameters on a line of their own, as ruff would
        signature = f"def {function.name}(\n    {function.parameters}\n) -> {function.returns}:"
    return (f"{signature}\n"
            f'    """{doc.lstrip()}\n    """\n'
            + "".join(f"    {line}\n" for line in body))


def write(module_plan: ModulePlan) -> None:
    """Create the module (and its packages), or append what it lacks."""
    path = module_plan.path
    if not path.exists():
        new_packages = [parent for parent in path.parents if not parent.exists()]
        path.parent.mkdir(parents=True, exist_ok=True)
        for package in new_packages:
            (package / "__init__.py").touch()
        path.write_text(module_plan.source(), encoding="utf-8")
        return
    existing = path.read_text(encoding="utf-8")
    body = module_plan.source()
    imported = {alias.asname or alias.name for node in ast.parse(existing).body
                if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    header = module_plan.imports(body, imported, "  # noqa: E402")
    with path.open("a", encoding="utf-8") as out:
        out.write(("" if existing.endswith("\n") else "\n") + "\n\n" + header
                  + ("\n\n" if header else "") + body)
