"""Handlers of tests/specs/rate_limits.yaml."""

calls = []  # what tests.limits.handlers.count was called with: a refused event never is


def ping(sid):
    return "pong"


def count(sid, payload):
    calls.append(payload["n"])
    return payload["n"]


errors = []  # the kinds of error the error handler was told about


def error(sid, exc):
    errors.append(type(exc).__name__)
    return {"handled": type(exc).__name__}
