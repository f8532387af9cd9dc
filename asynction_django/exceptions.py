"""One exception family for everything asynction_django refuses.

Every kind of refusal has its own subclass so that error handlers can tell a bad
payload from a bad handshake without parsing messages.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class AsynctionError(Exception):
    """Base class of every exception raised by asynction_django."""


@dataclass(frozen=True)
class SpecProblem:
    """One mistake in an AsyncAPI document: where it is and what is wrong."""

    file: str
    pointer: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer}: {self.reason}"


class SpecError(AsynctionError, ImproperlyConfigured):
    """The AsyncAPI document cannot be served; lists every problem at once."""

    def __init__(self, problems: Sequence[SpecProblem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"The AsyncAPI document has {len(self.problems)} problem(s):\n{lines}")


# An error report's size must not grow with the value it reports on: a client sending a
# 200,000-item array gets at most MAX_ERRORS checks, each at most MAX_TEXT characters.
MAX_ERRORS = 10
MAX_TEXT = 200


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True)
class ErrorDetail:
    """One failed check: the JSON pointer into the checked value and why it failed.

    ``pointer`` is RFC 6901's: ``""`` is the whole value checked (an event's one argument,
    or the list of its arguments), ``/0`` its first item. Both it and ``message`` may quote
    the client's value (a long key, a long string): they are shortened. ``reason`` is the
    message without the value (what the server logs); it defaults to the message, for
    messages that quote no value.
    """

    pointer: str
    message: str
    keyword: str = ""
    reason: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pointer", shorten(self.pointer))
        object.__setattr__(self, "message", shorten(self.message))
        object.__setattr__(self, "reason", shorten(self.reason or self.message))

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message, "keyword": self.keyword}

    def described(self) -> str:
        """Where and why, without the value: ``at "/text" (maxLength): the value is ...``."""
        keyword = f" ({self.keyword})" if self.keyword else ""
        return f"at {json.dumps(self.pointer, ensure_ascii=False)}{keyword}: {self.reason}"


class ValidationError(AsynctionError):
    """A value broke the schema the spec gives it.

    ``as_wire()`` is what a client may see: the kind, a summary and the failed checks,
    never a traceback or server internals.
    """

    kind = "ValidationError"

    def __init__(self, message: str, errors: Iterable[ErrorDetail] = ()):
        message = shorten(message)  # it may quote a client's event name
        super().__init__(message)
        self.message = message
        self.errors = list(islice(errors, MAX_ERRORS))

    def __str__(self) -> str:
        """The summary, then every failed check's pointer and reason (never the value)."""
        details = "; ".join(error.described() for error in self.errors)
        return f"{self.message}: {details}" if details else self.message

    def as_wire(self) -> dict[str, Any]:
        return {
            "error": {
                "type": self.kind,
                "message": self.message,
                "errors": [error.as_dict() for error in self.errors],
            }
        }


class PayloadValidationError(ValidationError):
    """An event's arguments do not match its message payload (either direction)."""

    kind = "PayloadValidationError"


class UnknownEventError(PayloadValidationError):
    """The event is not part of the namespace in the spec."""

    kind = "UnknownEventError"


class AckValidationError(ValidationError):
    """Acknowledgement arguments do not match the message's ack schema."""

    kind = "AckValidationError"


class HandshakeValidationError(ValidationError):
    """The connection request breaks the channel's handshake bindings."""

    kind = "HandshakeValidationError"


class SecurityError(AsynctionError):
    """A connection or event failed the spec's security requirements.

    Its wire form says only that access was refused, never why.
    """

    kind = "Unauthorized"
    wire_message = "Unauthorized"

    def as_wire(self) -> dict[str, Any]:
        return {"error": {"type": self.kind, "message": self.wire_message, "errors": []}}


class Unauthorized(SecurityError):
    """No acceptable credentials: the client is not who it must be."""

    kind = "Unauthorized"
    wire_message = "Unauthorized"


class Forbidden(SecurityError):
    """Valid credentials, but without the scopes or permissions required."""

    kind = "Forbidden"
    wire_message = "Forbidden"


class HandlerError(AsynctionError):
    """A handler raised; its wire form hides the cause from the client."""

    kind = "InternalServerError"

    def as_wire(self) -> dict[str, Any]:
        return {"error": {"type": self.kind, "message": "Internal server error", "errors": []}}


class HandlerTimeout(HandlerError):
    """A handler did not answer within ``ASYNCTION_HANDLER_TIMEOUT``."""

    kind = "HandlerTimeout"

    def __init__(self, seconds: float):
        super().__init__(f"the handler did not answer within {seconds:g} s")
        self.seconds = seconds

    def as_wire(self) -> dict[str, Any]:
        return {"error": {"type": self.kind, "message": str(self), "errors": []}}


class RateLimited(AsynctionError):
    """An event came faster than its rate limit allows (``x-rate-limit``, or
    ``ASYNCTION_RATE_LIMIT_DEFAULT``). It is refused before validation, security and the
    handler, and the connection stays; ``retry_after`` says in how many seconds the event
    would be admitted (docs/rate-limits.md)."""

    kind = "RateLimited"

    def __init__(self, retry_after: float):
        self.retry_after = max(0.001, math.ceil(retry_after * 1000) / 1000)  # to the ms above
        super().__init__(f"too many events: retry after {self.retry_after:g} s")

    def as_wire(self) -> dict[str, Any]:
        return {"error": {"type": self.kind, "message": str(self),
                          "retry_after": self.retry_after, "errors": []}}


# Start-up problems, each reported with the file and JSON pointer where it was written ------


class InvalidSchema(AsynctionError):
    """A schema in the spec is not a valid JSON Schema (or cannot be compiled)."""


class SchemeError(AsynctionError):
    """A security scheme that this server cannot enforce."""


class HandlerImportError(AsynctionError):
    """A dotted path in the spec or settings does not name a callable."""


class MissingExtra(AsynctionError):
    """A feature's optional libraries are not installed (the message says which extra)."""


class PointerError(AsynctionError, LookupError):
    """A JSON pointer that does not lead anywhere in the document."""

    def __init__(self, token: str):
        super().__init__(f"{token!r} not found")
        self.token = token


class InvalidPacket(AsynctionError, ValueError):
    """A client broke the Socket.IO protocol; its connection is closed."""
