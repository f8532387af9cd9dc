"""``python -m asynction_django mock|scaffold|validate|export``: the commands, with or
without a Django project.

Inside a project (``DJANGO_SETTINGS_MODULE`` set) they are the ``asynction_*`` management
commands. Outside one, a minimal in-memory configuration is made, with the document given
on the command line as ``ASYNCTION_SPEC``.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

COMMANDS = ("mock", "scaffold", "validate", "export")
USAGE = f"usage: python -m asynction_django {{{','.join(COMMANDS)}}} [document] [options]"


def _standalone_settings(arguments: list[str]) -> None:
    """Enough of a project to serve: sessions (read at each handshake) live
    in a throwaway database."""
    from django.conf import settings

    spec = next((argument for argument in arguments if not argument.startswith("-")), None)
    folder = tempfile.mkdtemp(prefix="asynction-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    settings.configure(
        DEBUG=True,
        SECRET_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes",
                        "django.contrib.sessions", "django.contrib.staticfiles", "channels",
                        "asynction_django"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                               "NAME": str(Path(folder) / "db.sqlite3")}},
        ROOT_URLCONF="asynction_django.urls",
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                    "APP_DIRS": True}],
        STATIC_URL="static/",
        BASE_DIR=Path.cwd(),
        ASYNCTION_SPEC=Path(spec).resolve() if spec else None,
        ASYNCTION_DOCS_ACCESS="open",
    )


def main(argv: list[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in COMMANDS:
        sys.exit(USAGE)
    import django
    from django.core.management import ManagementUtility

    standalone = not os.environ.get("DJANGO_SETTINGS_MODULE")
    if standalone:
        sys.path.insert(0, os.getcwd())  # so handlers named by the document can import
        _standalone_settings(arguments[1:])
    django.setup()
    if standalone and arguments[0] == "mock":
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    name, rest = arguments[0], arguments[1:]
    ManagementUtility(["python -m asynction_django", f"asynction_{name}", *rest]).execute()
