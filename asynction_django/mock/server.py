"""The mock server: the spec served with no handlers, answering and emitting fake data.

Client events are validated as usual and acked with fakes valid against their ack
schema; every server event is emitted to its namespace at an interval with fake
payloads. Handshakes and security are checked as usual; ``accept_any_credentials``
lets any presented credential through (a missing one is still refused).

Every schema the mock cannot fake is a problem of the document, reported with the others
(file and JSON pointer), so start-up fails once with all of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..apidocs.examples import message_examples
from ..building import build
from ..conf import AsynctionSettings
from ..exceptions import HandlerImportError, InvalidSchema, SchemeError, SpecError, SpecProblem
from ..handlers import import_callable
from ..logs import logger
from ..schemas import to_json_schema
from ..security import INFO_FUNCTIONS, build_scheme
from ..server import AsynctionServer
from ..spec import Arguments, Arity, Location, Message, Namespace, Spec
from ..validation import SchemaCheck, compile_schema
from .fakes import FakeFactory, FakePool, Unfakeable

Progress = Callable[[str], None]
ACCEPT_ANY_HINT = ("; the mock can stand in for the spec's security functions: run it with "
                   "--accept-any-credentials")


def accept_any(*credentials: Any, **context: Any) -> dict[str, Any]:
    """The info function of every scheme with ``accept_any_credentials``."""
    return {"mock": True, "credentials": list(credentials)}


def accept_any_scopes(required: Any, granted: Any, **context: Any) -> bool:
    return True


@dataclass
class _Fakes:
    """The pool of one event's arguments (or ack), and how to hand them to python-socketio."""

    arity: Arity
    pool: FakePool | None

    def arguments(self) -> Any:
        if self.pool is None:
            return None
        value = self.pool.pick()
        return tuple(value) if self.arity is Arity.TUPLE else value


class MockBehaviour:
    """Stands in for the spec's handlers and, optionally, its security functions."""

    def __init__(self, factory: FakeFactory, accept_any_credentials: bool,
                 progress: Progress | None = None):
        self.factory = factory
        self.accept_any_credentials = accept_any_credentials
        self.progress = progress or (lambda message: None)
        self.sent: dict[tuple[str, str], _Fakes] = {}
        self.spec: Spec | None = None  # the spec being built, once it could be read
        self.problems: list[SpecProblem] = []  # the schemas that cannot be faked

    def prepare(self, spec: Spec) -> None:
        """Draw every pool now, so serving never generates."""
        events = [(namespace, message) for namespace in spec.namespaces.values()
                  for message in namespace.sent.values()]
        for index, (namespace, message) in enumerate(events, 1):
            self.progress(f"fakes for {namespace.name} {message.event!r} ({index}/{len(events)})")
            self.sent[(namespace.name, message.event)] = self.fakes(
                spec, message.payload, message_examples(message.document),
                f"the payload of event {message.event!r} in {namespace.name}")

    def fakes(self, spec: Spec, arguments: Arguments | None, examples: Iterable[Any],
              what: str) -> _Fakes:
        """The pool of ``arguments``; an unfakeable schema is recorded as a problem."""
        if arguments is None or arguments.arity is Arity.NONE:
            return _Fakes(Arity.NONE, None)
        try:
            check = compile_schema(arguments.schema, spec.document)
        except InvalidSchema:  # reported by the build itself
            return _Fakes(Arity.NONE, None)
        schema = to_json_schema(arguments.schema, spec.document)
        try:
            pool = self.factory.pool(schema, _validity(check), examples)
        except Unfakeable as exc:
            culprits = self._culprits(spec, arguments.schema, arguments.location)
            self.problems += [at.problem(f"the mock cannot fake {what}: {exc}") for at in culprits]
            return _Fakes(Arity.NONE, None)
        return _Fakes(arguments.arity, pool)

    def _culprits(self, spec: Spec, schema: Any, at: Location) -> list[Location]:
        """The deepest parts of an unfakeable schema that cannot be faked on their own."""
        found = []
        for part, where in _parts(spec, schema, at):
            try:
                check = compile_schema(part, spec.document)
            except InvalidSchema:
                continue
            if not self.factory.values(to_json_schema(part, spec.document), _validity(check),
                                       size=2):
                found += self._culprits(spec, part, where)
        return found or [at]

    def event_handler(self, spec: Spec, namespace: Namespace,
                      message: Message) -> Callable[..., Any]:
        self.progress(f"fake acks for {namespace.name} {message.event!r}")
        ack = self.fakes(spec, message.ack, _reply_examples(spec, message.ack),
                         f"the ack of event {message.event!r} in {namespace.name}")

        async def answer(sid: str, *args: Any) -> Any:
            return ack.arguments()

        return answer

    def security_schemes(self, spec: Spec) -> dict[str, dict[str, Any]]:
        """The schemes to enforce (the build asks first, so the spec is remembered here)."""
        self.spec = spec
        return self._relaxed(spec) if self.accept_any_credentials else spec.security_schemes

    def hinted(self, problems: list[SpecProblem]) -> list[SpecProblem]:
        """Security function problems that ``--accept-any-credentials`` would cure, saying so."""
        if self.accept_any_credentials or self.spec is None:
            return problems
        relaxed = self._relaxed(self.spec)
        curable = set()
        for name, at in self.spec.scheme_locations.items():
            try:
                build_scheme(name, relaxed[name], import_callable)
            except (SchemeError, HandlerImportError, KeyError):
                continue
            curable.add(at.problem(""))
        return [replace(problem, reason=problem.reason + ACCEPT_ANY_HINT)
                if replace(problem, reason="") in curable else problem for problem in problems]

    def _relaxed(self, spec: Spec) -> dict[str, dict[str, Any]]:
        relaxed = {}
        for name, scheme in spec.security_schemes.items():
            kind = scheme.get("type")
            http = str(scheme.get("scheme", "")).lower() if kind == "http" else None
            info_key = INFO_FUNCTIONS.get((kind, http)) or INFO_FUNCTIONS.get((kind, None))
            relaxed[name] = {**scheme, "x-scopeValidateFunc": f"{__name__}.accept_any_scopes"}
            if info_key:
                relaxed[name][info_key] = f"{__name__}.accept_any"
        return relaxed


class MockEmitter:
    """Emits every server -> client event to its namespace, every ``interval`` seconds."""

    def __init__(self, server: AsynctionServer, sent: dict[tuple[str, str], _Fakes],
                 interval: float):
        self.server = server
        self.sent = sent
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start on the serving loop (once): called from the first request."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run())

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            for (namespace, event), fakes in self.sent.items():
                if not self._has_clients(namespace):
                    continue
                try:
                    await self.server.emit(event, fakes.arguments(), namespace=namespace)
                except Exception:  # noqa: BLE001 - one bad emit must not stop the others
                    logger.exception("mock emit of %r to %s failed", event, namespace)

    def _has_clients(self, namespace: str) -> bool:
        participants = self.server.manager.get_participants(namespace, None)
        return next(iter(participants), None) is not None


class MockApp:
    """Wraps the ASGI application: starts the emitter on the serving loop."""

    def __init__(self, app: Any, emitter: MockEmitter):
        self.app = app
        self.emitter = emitter

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.emitter.start()
        await self.app(scope, receive, send)


def build_mock(values: AsynctionSettings, *, interval: float = 1.0,
               accept_any_credentials: bool = False, seed: int | None = None,
               progress: Progress | None = None) -> tuple[AsynctionServer, MockEmitter]:
    """The mock server for ``values`` (raises SpecError/ImproperlyConfigured like start-up)."""
    behaviour = MockBehaviour(FakeFactory(seed), accept_any_credentials, progress)
    outcome = build(values, stand_in=behaviour)
    if outcome.configuration_errors:
        outcome.raise_if_failed()
    if behaviour.spec is not None:  # every unfakeable schema too, with the spec's problems
        behaviour.prepare(behaviour.spec)
    problems = behaviour.hinted(outcome.spec_problems) + behaviour.problems
    if problems or outcome.server is None:
        raise SpecError(problems)
    return outcome.server, MockEmitter(outcome.server, behaviour.sent, interval)


def _validity(check: SchemaCheck) -> Callable[[Any], bool]:
    return lambda value: not check(value)


def _parts(spec: Spec, schema: Any, at: Location) -> Iterator[tuple[Any, Location]]:
    """The parts of ``schema`` that every value of it has: required properties, ``allOf``,
    tuple items and required items (``anyOf``/``oneOf`` branches each may be left out)."""
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    required = schema.get("required")
    names = required if isinstance(required, list) else []
    parts: list[tuple[Any, tuple[Any, ...]]] = [
        (properties[name], ("properties", name)) for name in names if name in properties]
    for key in ("allOf", "prefixItems", "items"):
        value = schema.get(key)
        if isinstance(value, list):
            parts += [(part, (key, index)) for index, part in enumerate(value)]
    items = schema.get("items")
    if isinstance(items, dict) and isinstance(schema.get("minItems"), int) and schema["minItems"]:
        parts.append((items, ("items",)))
    for part, tokens in parts:
        where = at
        for token in tokens:
            where = where.child(token)
        yield part, spec.resolved.origin(part, where)


def _reply_examples(spec: Spec, ack: Arguments | None) -> list[Any]:
    """The examples of the messages whose payload is the ack's (AsyncAPI 3 replies).

    The model keeps a reply's payload, not its message; a reply with several messages is an
    ``anyOf`` of their payloads, each still the very object the message holds.
    """
    if ack is None or not isinstance(ack.schema, dict):
        return []
    alternatives = ack.schema.get("anyOf") if set(ack.schema) == {"anyOf"} else None
    payloads = [ack.schema, *(alternatives if isinstance(alternatives, list) else [])]
    found = []
    for message in _messages(spec.document):
        payload = message.get("payload")
        if isinstance(payload, dict) and "schemaFormat" in payload:
            payload = payload.get("schema")
        if any(payload is candidate for candidate in payloads):
            found += message_examples(message)
    return found


def _messages(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every Message Object of the resolved document: its components' and its channels'."""
    components = document.get("components")
    groups = [components.get("messages")] if isinstance(components, dict) else []
    channels = document.get("channels")
    if isinstance(channels, dict):
        groups += [channel.get("messages") for channel in channels.values()
                   if isinstance(channel, dict)]
    seen = set()
    for group in groups:
        for message in group.values() if isinstance(group, dict) else ():
            if isinstance(message, dict) and id(message) not in seen:
                seen.add(id(message))
                yield message
