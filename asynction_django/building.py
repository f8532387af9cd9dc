"""Turning the settings and the spec into a ready server, or into every problem at once.

All per-event work that can be done ahead (importing handlers, compiling schemas,
choosing the server) happens here, once. The optional features are attached here too, as
the server is assembled: the message queue's manager, connection state recovery, presence,
rate limits and the Admin UI.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from .admin_ui import attach_admin_ui, namespace_conflict
from .conf import (
    AsynctionSettings,
    admin_ui_options,
    broker_of,
    check_settings,
    forwarding_on,
    get_settings,
    queue_channel,
)
from .exceptions import (
    AckValidationError,
    HandlerImportError,
    InvalidSchema,
    PayloadValidationError,
    SchemeError,
    SpecError,
    SpecProblem,
    ValidationError,
)
from .fleet import drain_for, forwarder_for
from .handlers import Handler, Takes, counted, import_callable
from .limits import (
    Limiter,
    NamespaceLimits,
    RateLimits,
    limiter_for,
    namespace_limits,
    parse_rate_limits,
)
from .logs import ServerLogger, engineio_logger, socketio_logger
from .presences import presence_for
from .queues import client_manager_for
from .recovery import Recovery, ping_budget, recovery_for
from .security import Guard, Scheme, build_scheme
from .server import (
    AsynctionServer,
    EventRoute,
    OutgoingEvent,
    SpecNamespace,
    codec,
    origin_allowed,
)
from .spec import Arguments, Arity, Location, Message, Namespace, Server, Spec, inspect_spec
from .spec.model import Requirements
from .spec.problems import Problems
from .spec.servers import DEFAULT_SOCKETIO_PATH
from .validation import ArgumentsValidator, HandshakeValidator


@dataclass
class Build:
    """The outcome of building: a server, or what stops it; warnings stop nothing."""

    server: AsynctionServer | None = None
    settings_errors: list[str] = field(default_factory=list)
    spec_problems: list[SpecProblem] = field(default_factory=list)
    spec_warnings: list[SpecProblem] = field(default_factory=list)
    # ASYNCTION_ADMIN_UI set against the spec (reported by the Admin UI's own check)
    admin_ui_errors: list[str] = field(default_factory=list)

    @property
    def configuration_errors(self) -> list[str]:
        """Every error of the settings, those found against the spec included."""
        return self.settings_errors + self.admin_ui_errors

    def raise_if_failed(self) -> AsynctionServer:
        if self.configuration_errors:
            raise ImproperlyConfigured("\n".join(self.configuration_errors))
        if self.spec_problems or self.server is None:
            raise SpecError(self.spec_problems)
        return self.server


class StandIn(Protocol):
    """What replaces the spec's own code when serving without it (the mock server)."""

    def event_handler(self, spec: Spec, namespace: Namespace,
                      message: Message) -> Callable[..., Any]: ...

    def security_schemes(self, spec: Spec) -> dict[str, dict[str, Any]]: ...


def build(values: AsynctionSettings | None = None, stand_in: StandIn | None = None) -> Build:
    """The server for the settings, or every problem; ``stand_in`` replaces all handlers."""
    values = values or get_settings()
    result = Build(settings_errors=check_settings(values))
    if values.SPEC is None or result.settings_errors:
        return result
    spec, problems = inspect_spec(values.SPEC, require_handlers=stand_in is None)
    problems = Problems(problems)
    result.spec_warnings = problems.warnings
    if spec is None:
        result.spec_problems = problems
        return result
    default_error = None
    if values.DEFAULT_ERROR_HANDLER:
        try:
            default_error = Handler(import_callable(values.DEFAULT_ERROR_HANDLER),
                                    values.DEFAULT_ERROR_HANDLER, max_args=2)
        except HandlerImportError as exc:
            result.settings_errors.append(f"ASYNCTION_DEFAULT_ERROR_HANDLER: {exc}")
    server_spec = _selected_server(spec, values.SERVER, problems)
    socketio_path = server_spec.socketio_path if server_spec else DEFAULT_SOCKETIO_PATH
    try:
        queue_options = values.MESSAGE_QUEUE_OPTIONS
        client_manager = client_manager_for(
            values.MESSAGE_QUEUE,
            options=queue_options if isinstance(queue_options, dict) else None)
    except ValueError as exc:
        result.settings_errors.append(f"ASYNCTION_MESSAGE_QUEUE: {exc}")
        client_manager = None
    recovery = recovery_for(values.CONNECTION_STATE_RECOVERY, values.MESSAGE_QUEUE,
                            values.MESSAGE_QUEUE_OPTIONS, ping_budget(values.SOCKETIO),
                            fleet=forwarding_on(values))
    # Rate limits: counted in Redis when the message queue is Redis, else in this process.
    queue = values.MESSAGE_QUEUE if broker_of(values.MESSAGE_QUEUE) == "redis" else None
    limiter = limiter_for(queue, queue_channel(values.MESSAGE_QUEUE_OPTIONS))
    assembler = _Assembler(spec, problems, values.VALIDATION, default_error,
                           server_spec.security if server_spec else None, stand_in,
                           values.HANDLER_TIMEOUT, recovery,
                           (limiter, parse_rate_limits(values.RATE_LIMIT_DEFAULT)))
    namespaces = [assembler.namespace(namespace) for namespace in spec.namespaces.values()]
    outgoing = assembler.outgoing()
    try:
        presence = presence_for(spec.namespaces, values.PRESENCE, values.MESSAGE_QUEUE,
                                values.MESSAGE_QUEUE_OPTIONS,
                                functools.partial(assembler.handler, max_args=1))
    except ValueError as exc:
        result.settings_errors.append(str(exc))
        presence = None
    admin_ui = admin_ui_options(values.ADMIN_UI)
    conflict = namespace_conflict(admin_ui, spec.namespaces)
    result.admin_ui_errors = [conflict] if conflict else []
    result.spec_problems = problems
    if result.configuration_errors or problems:
        return result
    options: dict[str, Any] = {
        "cors_allowed_origins": origin_allowed,
        "json": codec,  # one decoder for every packet (python-engineio makes one per packet)
        # Not booleans, so python-socketio adds no handler of its own: LOGGING decides,
        # and no packet data or credentials are logged unless ASYNCTION_LOG_PACKETS.
        "logger": ServerLogger(socketio_logger, values.LOG_PACKETS),
        "engineio_logger": ServerLogger(engineio_logger, values.LOG_PACKETS),
        **values.SOCKETIO,
    }
    if client_manager is not None:
        options["client_manager"] = client_manager
    server = AsynctionServer(spec, outgoing, validation=values.VALIDATION,
                             max_attachments=values.MAX_ATTACHMENTS,
                             max_in_flight=values.MAX_EVENTS_IN_FLIGHT,
                             connect_timeout=values.CONNECT_TIMEOUT, recovery=recovery,
                             **options)
    server.socketio_path = socketio_path
    server.spec_server = server_spec
    if presence is not None:  # the spec's x-presence (presences/)
        server.presence = presence
        presence.attach(server)
    for namespace in namespaces:
        server.register_namespace(namespace)
    forwarder = server.eio.forwarder = forwarder_for(values, server.eio)
    server.eio.drain = drain_for(values, server.eio)
    if forwarder is not None and recovery is not None:  # a fleet keeps clients' records
        recovery.attach_fleet(forwarder.node_id, forwarder.take_over, server.deliver_logged)
        if recovery.records is not None:
            forwarder.on_takeover = functools.partial(recovery.hand_over, server)
            recovery.transport_gone = forwarder.relay_gone
    attach_admin_ui(server, admin_ui)  # the last server built has it (see attach_admin_ui)
    result.server = server
    return result


def _selected_server(spec: Spec, name: str | None, problems: Problems) -> Server | None:
    """``ASYNCTION_SERVER``, else the spec's only server; None when neither applies."""
    if name is not None:
        if name not in spec.servers:
            known = ", ".join(sorted(spec.servers)) or "none"
            problems.add(spec.resolved.root.child("servers"),
                         f"ASYNCTION_SERVER is {name!r}, which is not a server of the spec "
                         f"(servers: {known})")
            return None
        return spec.servers[name]
    if len(spec.servers) == 1:
        return next(iter(spec.servers.values()))
    if any(server.security for server in spec.servers.values()):
        problems.add(spec.resolved.root.child("servers"),
                     "several servers declare security: set ASYNCTION_SERVER to the one "
                     "this process serves, so its security applies")
    return None


class _Assembler:
    """Imports handlers and compiles validators, turning each failure into a problem."""

    def __init__(self, spec: Spec, problems: Problems, validation: bool,
                 default_error: Handler | None, server_security: Requirements | None,
                 stand_in: StandIn | None = None, timeout: float | None = None,
                 recovery: Recovery | None = None,
                 limits: tuple[Limiter, RateLimits | None] | None = None):
        self.spec = spec
        self.recovery = recovery
        self.timeout = timeout
        self.stand_in = stand_in
        self.security_schemes = (stand_in.security_schemes(spec) if stand_in
                                 else spec.security_schemes)
        self.server_security = server_security
        self.schemes: dict[str, Scheme | None] = {}
        self.problems = problems
        self.validation = validation
        self.default_error = default_error
        self.document = spec.document
        self.limits = limits  # the rate limits' store, and ASYNCTION_RATE_LIMIT_DEFAULT

    def handler(self, path: str | None, location: Location,
                max_args: int | None = None) -> Handler | None:
        if path is None or self.stand_in is not None:
            return None
        try:
            return Handler(import_callable(path), path, max_args=max_args)
        except HandlerImportError as exc:
            self.problems.add(location, str(exc))
            return None

    def event_handler(self, namespace: Namespace,
                      message: Message) -> tuple[Handler | None, Takes | None]:
        """The event's handler, and what it takes after sid (read here, once)."""
        if self.stand_in is not None:
            function = self.stand_in.event_handler(self.spec, namespace, message)
            return Handler(function, f"stand-in for {message.event!r}"), Takes.of(function)
        at = message.location.child("x-handler")
        handler = self.handler(message.handler, at)
        if handler is None:
            return None, None
        takes = Takes.of(handler.function)
        self.check_signature(f"{handler.path} (event {message.event!r})", takes, message, at)
        return handler, takes

    def check_signature(self, name: str, takes: Takes | None, message: Message,
                        at: Location) -> None:
        """Set the handler's signature against the arguments the spec describes.

        A handler no call the spec allows can reach stops start-up. Otherwise the handler
        is compared with the argument rule, one argument per tuple item: a tuple schema
        also lets shorter (no ``minItems``) or longer (no ``items: false``) calls through,
        as asynction's documents write them, but those counts are the handler's to refuse
        at run time (:meth:`Takes.check`, a PayloadValidationError ack), not a mistake of
        the document. Only a handler that disagrees with the items is worth a warning.
        """
        if takes is None:
            self.problems.add(at, f"{name} takes no arguments, but every event handler is "
                                  "called with sid first")
            return
        fewest, most = message.payload.count_range()
        if takes.disjoint(fewest, most):
            self.problems.add(at, f"{name} takes {takes} after sid, but the spec sends it "
                                  f"{counted(fewest, most)}: every call would be refused")
            return
        items = _items(message.payload, fewest, most)
        if takes.admits(items):
            if takes.most is not None and most is not None and takes.most > most:
                self.problems.warn(at, f"{name} takes {takes} after sid, but the spec never "
                                       f"sends more than {most}: its last "
                                       f"{takes.most - most} parameter(s) never get a value")
            return
        self.problems.warn(at, f"{name} takes {takes} after sid, but the payload's tuple "
                               f"describes {counted(items, items)}: a call that sends just "
                               "the tuple's items gets a PayloadValidationError ack")

    def validator(self, arguments: Arguments | None, error: type[ValidationError],
                  what: str) -> ArgumentsValidator | None:
        if arguments is None:
            return None
        try:
            validator = ArgumentsValidator(arguments, self.document, error, what)
        except InvalidSchema as exc:
            self.problems.add(arguments.location, str(exc))
            return None
        return validator if self.validation else None

    def scheme(self, name: str) -> Scheme | None:
        if name not in self.schemes:
            at = self.spec.scheme_locations.get(name, self.spec.resolved.root)
            try:
                self.schemes[name] = build_scheme(name, self.security_schemes[name],
                                                  import_callable)
            except (SchemeError, HandlerImportError) as exc:
                self.problems.add(at, str(exc))
                self.schemes[name] = None
            except KeyError:
                self.schemes[name] = None  # reported by the spec's own checks
        return self.schemes[name]

    def guard(self, requirements: Requirements | None) -> Guard | None:
        if not requirements:
            return None
        compiled = []
        for requirement in requirements:
            schemes = [(self.scheme(name), scopes) for name, scopes in requirement.items()]
            compiled.append([(scheme, scopes) for scheme, scopes in schemes if scheme])
        return Guard(compiled)

    def route(self, namespace: Namespace, event: str, message: Message) -> EventRoute:
        handler, takes = self.event_handler(namespace, message)
        return EventRoute(
            event=event,
            handler=handler,
            payload=self.validator(message.payload, PayloadValidationError, f"event {event!r}"),
            ack=self.validator(message.ack, AckValidationError, f"the ack of {event!r}"),
            guard=self.guard(message.security),
            takes=takes,
        )

    def namespace(self, namespace: Namespace) -> SpecNamespace:
        handlers_at = namespace.location.child("x-handlers")
        routes = {event: self.route(namespace, event, message)
                  for event, message in namespace.received.items()}
        handshake = None
        try:
            handshake = HandshakeValidator(namespace.handshake, self.document)
        except InvalidSchema as exc:
            self.problems.add(namespace.location.child("bindings"), str(exc))
        if handshake is not None and not (self.validation and handshake.checks_anything):
            handshake = None
        return SpecNamespace(
            namespace.name,
            routes,
            handshake,
            connect=self.handler(namespace.connect_handler, handlers_at.child("connect"), 3),
            disconnect=self.handler(namespace.disconnect_handler,
                                    handlers_at.child("disconnect"), 2),
            error=self.handler(namespace.error_handler, handlers_at.child("error"), 2)
            or self.default_error,
            guard=self.guard(namespace.security if namespace.security is not None
                             else self.server_security),
            timeout=self.timeout,
            recovery=self.recovery,
            limits=self.rate_limits(namespace),
        )

    def rate_limits(self, namespace: Namespace) -> NamespaceLimits | None:
        """The buckets each event of ``namespace`` is charged to (None: it has no limit)."""
        if self.limits is None:
            return None
        limiter, default = self.limits
        events = {event: message.rate_limits for event, message in namespace.received.items()}
        return namespace_limits(namespace.name, events, namespace.rate_limits, default, limiter)

    def outgoing(self) -> dict[tuple[str, str], OutgoingEvent]:
        return {
            (namespace.name, event): OutgoingEvent(
                payload=self.validator(message.payload, PayloadValidationError,
                                       f"event {event!r}"),
                ack=self.validator(message.ack, AckValidationError,
                                   f"the ack of {event!r}"),
            )
            for namespace in self.spec.namespaces.values()
            for event, message in namespace.sent.items()
        }


def _items(payload: Arguments, fewest: int, most: int | None) -> int:
    """How many arguments the payload describes: one per tuple item (the argument rule),
    as many as ``minItems`` asks for at least, no more than ``maxItems`` allows."""
    if payload.arity is not Arity.TUPLE:
        return fewest  # a fixed count: none, or one
    schema = payload.schema
    items = schema["prefixItems"] if "prefixItems" in schema else schema["items"]
    count = max(len(items) if isinstance(items, list) else 0, fewest)
    return count if most is None else min(count, most)
