"""Settings of the servers under test (``BENCH_VALIDATION=0`` turns validation off)."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET_KEY = "asynction-django-bench"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "channels", "asynction_django"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
ROOT_URLCONF = "asynction_django.urls"
USE_TZ = True
ASYNCTION_SPEC = HERE / "asyncapi.yaml"
ASYNCTION_VALIDATION = os.environ.get("BENCH_VALIDATION", "1") == "1"
ASYNCTION_DOCS = False
# The servers are measured flooded: without limits (a limit would answer most events with a
# RateLimited refusal, which is not what the numbers are about).
ASYNCTION_RATE_LIMIT_DEFAULT = None
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "root": {"level": "WARNING", "handlers": []}}
