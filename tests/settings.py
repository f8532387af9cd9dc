"""Settings for the test suite: `python -m django test --settings=tests.settings`."""

import json
import os
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent

SECRET_KEY = "asynction-django-tests"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
USE_TZ = True

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "channels",
    "asynction_django",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(TESTS_DIR / "test.sqlite3"),
        # One test database per test run (children inherit it), so runs can overlap.
        "TEST": {"NAME": os.environ.setdefault(
            "ASYNCTION_TEST_DB", str(TESTS_DIR / f"test-db-{os.getpid()}.sqlite3"))},
    }
}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
ROOT_URLCONF = "tests.urls"
ASGI_APPLICATION = "tests.asgi.application"
TEST_RUNNER = "tests.runner.Runner"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "static/"

ASYNCTION_SPEC = TESTS_DIR / "specs" / "echo.yaml"
# Live servers stop at once when a test ends; the drain is tested where a test asks for it.
ASYNCTION_DRAIN_WINDOW = 0

# Handlers that fail on purpose log tracebacks; keep the test output readable.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "loggers": {name: {"handlers": ["null"], "propagate": False}
                for name in ("asynction_django", "engineio.server", "socketio.server")},
}

# Live-server tests run daphne in a child process; tests/support.py hands it the
# per-class setting overrides (JSON) and, when needed, a database of its own.
_overrides = os.environ.get("ASYNCTION_TEST_OVERRIDES")
if _overrides:
    globals().update(json.loads(_overrides))
