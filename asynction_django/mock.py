"""The mock server: the spec served with no handlers, answering and emitting fake data.

Client events are validated as usual and acked with fakes valid against their ack
schema; every server event is emitted to its namespace at an interval with fake
payloads. Handshakes and security are checked as usual; ``accept_any_credentials``
lets any presented credential through (a missing one is still refused).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .building import build
from .conf import AsynctionSettings
from .fakes import FakeFactory, FakePool
from .schemas import to_json_schema
from .security import INFO_FUNCTIONS
from .server import AsynctionServer
from .spec import Arguments, Arity, Message, Namespace, Spec
from .validation import compile_schema

logger = logging.getLogger("asynction_django")

Progress = Callable[[str], None]


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

    def prepare(self, spec: Spec) -> None:
        """Draw every pool now, so serving never generates."""
        events = [(namespace, message) for namespace in spec.namespaces.values()
                  for message in namespace.sent.values()]
        for index, (namespace, message) in enumerate(events, 1):
            self.progress(f"fakes for {namespace.name} {message.event!r} ({index}/{len(events)})")
            self.sent[(namespace.name, message.event)] = self.fakes(spec, message.payload)

    def fakes(self, spec: Spec, arguments: Arguments | None) -> _Fakes:
        if arguments is None or arguments.arity is Arity.NONE:
            return _Fakes(Arity.NONE, None)
        schema = to_json_schema(arguments.schema, spec.document)
        check = compile_schema(arguments.schema, spec.document)
        return _Fakes(arguments.arity,
                      self.factory.pool(schema, lambda value: not check(value)))

    def event_handler(self, spec: Spec, namespace: Namespace,
                      message: Message) -> Callable[..., Any]:
        self.progress(f"fake acks for {namespace.name} {message.event!r}")
        ack = self.fakes(spec, message.ack)

        async def answer(sid: str, *args: Any) -> Any:
            return ack.arguments()

        return answer

    def security_schemes(self, spec: Spec) -> dict[str, dict[str, Any]]:
        if not self.accept_any_credentials:
            return spec.security_schemes
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
        self._task: asyncio.Task | None = None

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
    server = outcome.raise_if_failed()
    behaviour.prepare(server.spec)
    return server, MockEmitter(server, behaviour.sent, interval)
