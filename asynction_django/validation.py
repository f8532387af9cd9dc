"""Validators compiled once at start-up: payloads, acks and handshakes.

Nothing here looks anything up per message: each event gets one ready
:class:`ArgumentsValidator`, built when the server is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from itertools import islice
from typing import Any
from urllib.parse import parse_qsl

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from .exceptions import (
    MAX_ERRORS,
    ErrorDetail,
    HandshakeValidationError,
    InvalidSchema,
    ValidationError,
)
from .schemas import to_json_schema
from .spec import Arguments, Arity, Handshake
from .spec.pointers import pointer_of
from .wording import EXTRA_PROPERTIES, Worded, extra_properties, worded

SchemaCheck = Callable[[Any], list[ErrorDetail]]

# Engine.IO's own query parameters: never part of a user's handshake schema.
ENGINEIO_QUERY = frozenset({"EIO", "transport", "sid", "t", "j", "b64"})


def compile_schema(schema: Any, document: Any) -> SchemaCheck:
    """Compile ``schema`` into a function returning the failed checks (at most ten).

    ``jsonschema`` checks the schema itself, once, at start-up; jsonschema-rs validates
    every value and writes its report. Its ``pattern`` engine is the linear-time ``regex``
    crate or, for the patterns that need lookaround or backreferences, fancy-regex with a
    bounded number of backtracking steps: no value a client sends can hold the event loop.
    """
    translated = to_json_schema(schema, document)
    try:
        Draft202012Validator.check_schema(translated)
    except SchemaError as exc:
        where = pointer_of(exc.absolute_path) or "/"
        raise InvalidSchema(f"invalid schema at {where}: {exc.message}") from exc
    validator = json_validator(translated)

    def check(instance: Any) -> list[ErrorDetail]:
        try:
            return _report(validator, instance)
        except ValueError:  # bytes or a lone surrogate (not JSON), or nested past its limit
            pass
        try:
            return _report(validator, _as_json(instance))
        except (ValueError, RecursionError):
            return [TOO_DEEP]

    return check


TOO_DEEP = ErrorDetail("", "the value is nested too deeply to be checked", "")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Steps fancy-regex may backtrack through in one match before the value is refused.
BACKTRACK_LIMIT = 100_000
# An RFC 5321 address only: "Ann <ann@example.com>" is a header, not a mailbox.
EMAIL_OPTIONS = jsonschema_rs.EmailOptions(allow_display_text=False)


def json_validator(schema: Any) -> Any:
    """jsonschema-rs's validator for a schema already checked (the one engine the server,
    the docs' examples and the mock's fakes all validate with); InvalidSchema if a pattern
    compiles in neither regex engine."""
    try:
        return jsonschema_rs.validator_for(schema, pattern_options=jsonschema_rs.RegexOptions(),
                                           validate_formats=True, email_options=EMAIL_OPTIONS)
    except ValueError:  # a pattern the linear engine cannot compile (lookaround, backrefs)
        pass
    try:
        return jsonschema_rs.validator_for(schema, pattern_options=jsonschema_rs.FancyRegexOptions(
            backtrack_limit=BACKTRACK_LIMIT), validate_formats=True, email_options=EMAIL_OPTIONS)
    except ValueError as exc:
        raise InvalidSchema(f"the schema cannot be compiled: {exc}") from exc


# Parts (values, at any depth) a failing value may have for every failure to be listed:
# jsonschema-rs collects all of a value's failures before the first is handed over, which
# for a 200,000-item array of wrong types takes seconds. A larger value gets its first
# failure only, which jsonschema-rs finds as fast as it checks validity.
MAX_PARTS_FOR_ALL_ERRORS = 2_000


def _report(validator: Any, instance: Any) -> list[ErrorDetail]:
    if validator.is_valid(instance):
        return []
    if has_more_parts(instance, MAX_PARTS_FOR_ALL_ERRORS):
        try:
            validator.validate(instance)
        except jsonschema_rs.ValidationError as error:
            return [_detail(error, instance)]
        return []
    return [_detail(error, instance)
            for error in islice(validator.iter_errors(instance), MAX_ERRORS)]


def has_more_parts(instance: Any, limit: int) -> bool:
    """Whether ``instance`` holds more than ``limit`` values (it stops counting there)."""
    pending, seen = [instance], 0
    while pending:
        value = pending.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _detail(error: Any, instance: Any) -> ErrorDetail:
    keyword = next((part for part in reversed(error.schema_path) if isinstance(part, str)),
                   "")
    kind, path = type(error.kind).__name__, list(error.instance_path)
    if kind == "PropertyNames":
        keyword = "propertyNames"  # what the name failed, not the keyword inside it
    elif kind == "FalseSchema" and keyword in EXTRA_PROPERTIES:
        # A lone ``additionalProperties: false`` (no ``properties`` beside it) is reported as
        # a false schema, once, at the object: said as the other form says it.
        names = _extra_names(instance, path)
        if names:
            words = extra_properties(names)
            return ErrorDetail(pointer_of(path), words.message, keyword, words.reason)
    try:
        words = worded(error, keyword)
    except Exception:  # noqa: BLE001 - a kind this jsonschema-rs words otherwise: its words
        words = Worded(str(error.message), f"the value fails the schema's {keyword or 'check'}")
    return ErrorDetail(pointer_of(path), words.message, keyword, words.reason)


def _extra_names(instance: Any, path: list[Any]) -> list[str]:
    """The properties of the object at ``path``: with nothing beside a lone
    ``additionalProperties: false``, every one of them is extra."""
    for token in path:
        try:
            instance = instance[token]
        except (LookupError, TypeError):
            return []
    return [str(name) for name in instance] if isinstance(instance, dict) else []


def _as_json(value: Any) -> Any:
    """``value`` as JSON can hold it: an attachment is a string of its length (so
    ``maxLength`` applies), a lone surrogate is U+FFFD."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    if isinstance(value, dict):
        return {_as_json(key): _as_json(item) for key, item in value.items()}
    return value


def as_arguments(value: Any) -> tuple[Any, ...]:
    """python-socketio's rule for data: None is no argument, a tuple is several."""
    if value is None:
        return ()
    if isinstance(value, tuple):
        return value
    return (value,)


class ArgumentsValidator:
    """Checks the arguments of one event (or one ack) against the spec's schema."""

    def __init__(
        self,
        arguments: Arguments | None,
        document: Any,
        error: type[ValidationError],
        what: str,
    ):
        self.error = error
        self.what = what
        self.arity = arguments.arity if arguments is not None else None
        self._check = (
            compile_schema(arguments.schema, document)
            if arguments is not None and arguments.schema is not None
            else None
        )

    def validate(self, args: tuple[Any, ...]) -> None:
        """Raise ``self.error`` if ``args`` break the schema; a None spec accepts anything."""
        if self.arity is None:
            return
        if self.arity is Arity.NONE:
            if args:
                raise self.error(f"{self.what} takes no arguments, got {len(args)}")
            return
        if self.arity is Arity.ONE:
            if len(args) != 1:
                raise self.error(f"{self.what} takes exactly one argument, got {len(args)}")
            instance = args[0]
        else:
            instance = list(args)
        errors = self._check(instance) if self._check else []
        if errors:
            raise self.error(f"{self.what} does not match its schema", errors)


class HandshakeValidator:
    """Checks a connection request against the channel's ``ws`` bindings."""

    def __init__(self, handshake: Handshake, document: Any):
        self.method = handshake.method
        self._query = self._compile(handshake.query, document)
        # Documents that describe Engine.IO's own parameters (EIO, transport) get them.
        self._engineio = _named(handshake.query) & ENGINEIO_QUERY
        self._headers = self._compile(handshake.headers, document, lowercase=True)

    @staticmethod
    def _compile(arguments: Arguments | None, document: Any,
                 lowercase: bool = False) -> SchemaCheck | None:
        if arguments is None or arguments.schema is None:
            return None
        schema = _lowercase_names(arguments.schema) if lowercase else arguments.schema
        return compile_schema(schema, document)

    @property
    def checks_anything(self) -> bool:
        return bool(self.method or self._query or self._headers)

    def validate(self, environ: Mapping[str, Any]) -> None:
        errors: list[ErrorDetail] = []
        if self.method and environ.get("REQUEST_METHOD", "GET") != self.method:
            errors.append(ErrorDetail("", f"the handshake must use {self.method}", "method"))
        if self._query:
            errors += _prefixed("/query", self._query(query_of(environ, self._engineio)))
        if self._headers:
            errors += _prefixed("/headers", self._headers(headers_of(environ)))
        if errors:
            raise HandshakeValidationError("the handshake does not match the channel bindings",
                                           errors)


def _prefixed(prefix: str, errors: list[ErrorDetail]) -> list[ErrorDetail]:
    return [ErrorDetail(prefix + error.pointer, error.message, error.keyword, error.reason)
            for error in errors]


def _lowercase_names(schema: Any) -> Any:
    """HTTP header names are case-insensitive: compare them in lower case."""
    if not isinstance(schema, dict):
        return schema
    lowered = dict(schema)
    if isinstance(schema.get("properties"), dict):
        properties = schema["properties"]
        lowered["properties"] = {name.lower(): value for name, value in properties.items()}
    if isinstance(schema.get("required"), list):
        lowered["required"] = [str(name).lower() for name in schema["required"]]
    return lowered


def _named(arguments: Arguments | None) -> frozenset[str]:
    schema = arguments.schema if arguments is not None else None
    if not isinstance(schema, dict):
        return frozenset()
    names = set(schema.get("properties") or ()) | set(schema.get("required") or ())
    return frozenset(str(name) for name in names)


def query_of(environ: Mapping[str, Any], keep: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The user's query parameters (Engine.IO's own only if in ``keep``); repeats become lists."""
    query: dict[str, Any] = {}
    for key, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
        if key in ENGINEIO_QUERY and key not in keep:
            continue
        if key in query:
            previous = query[key]
            query[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            query[key] = value
    return query


def headers_of(environ: Mapping[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if key in environ:
            headers[key.replace("_", "-").lower()] = environ[key]
    return headers
