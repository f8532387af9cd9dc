"""Settings of the example chat: a real small Django project using asynction_django."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "asynction_django",
    "example_project.chat",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "example_project.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "example.sqlite3",
        # A file, so the browser tests' daphne (another process) shares the test database.
        "TEST": {"NAME": BASE_DIR / "example-test.sqlite3"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
STATIC_URL = "static/"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "chat"
LOGOUT_REDIRECT_URL = "login"

ASGI_APPLICATION = "example_project.asgi.application"

# asynction_django: the API is the document; handlers are named in it.
ASYNCTION_SPEC = BASE_DIR / "example_project" / "asyncapi.yaml"
ASYNCTION_DEFAULT_ERROR_HANDLER = "example_project.chat.handlers.default_error"
# Several processes share emits through a broker: `./dev cluster` sets this to Redis.
ASYNCTION_MESSAGE_QUEUE = os.environ.get("ASYNCTION_MESSAGE_QUEUE") or None
# A reconnecting browser gets its sid, rooms and the messages it missed back (in Redis too);
# the connect handler runs again (skip_middlewares False) to tell the room it is back.
ASYNCTION_CONNECTION_STATE_RECOVERY = {"max_disconnection_duration": 120,
                                       "skip_middlewares": False}

LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"asynction_django": {"handlers": ["console"], "level": "INFO"}},
}
