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

PROG = "python -m asynction_django"
COMMANDS = {  # the command -> one line of what it does
    "mock": "serve the API with fake data before its code exists (needs the [mock] extra)",
    "scaffold": "write the handlers and security functions the document names",
    "validate": "report every problem of a document, with its file and JSON pointer",
    "export": "write the resolved document (JSON, YAML, --to 3.0) or a typed client",
}
USAGE = f"usage: {PROG} {{{','.join(COMMANDS)}}} [document] [options]"
HELP = f"""{USAGE}

The asynction_django commands, with or without a Django project. Inside one
(DJANGO_SETTINGS_MODULE set) they are its asynction_* management commands and the
document defaults to ASYNCTION_SPEC; outside one, give the document.

commands:
{chr(10).join(f"  {name:<10}{line}" for name, line in COMMANDS.items())}

options:
  -h, --help  show this help and exit

`{PROG} <command> --help` shows a command's options.
"""
# Options every Django command has that make no sense here: the settings are the project's
# (DJANGO_SETTINGS_MODULE) or made up, and the commands run no system checks.
HIDDEN_OPTIONS = {"--version", "--settings", "--pythonpath", "--traceback", "--no-color",
                  "--force-color", "--skip-checks"}


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
        ROOT_URLCONF="asynction_django.mock.urls",  # the docs at /docs, whatever the path
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                    "APP_DIRS": True}],
        STATIC_URL="static/",
        BASE_DIR=Path.cwd(),
        ASYNCTION_SPEC=Path(spec).resolve() if spec else None,
        ASYNCTION_DOCS_ACCESS="open",
    )


def main(argv: list[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] in (["-h"], ["--help"], ["help"]):
        sys.stdout.write(HELP)
        return
    if not arguments:
        sys.stderr.write(HELP)
        sys.exit(2)
    if arguments[0] not in COMMANDS:
        sys.stderr.write(f"{USAGE}\n{PROG}: error: unknown command {arguments[0]!r} (choose "
                         f"from {', '.join(COMMANDS)})\n")
        sys.exit(2)
    import django
    from django.core.management import call_command, load_command_class

    name, rest = arguments[0], arguments[1:]
    standalone = not os.environ.get("DJANGO_SETTINGS_MODULE")
    if standalone:
        sys.path.insert(0, os.getcwd())  # so handlers named by the document can import
        _standalone_settings(rest)
    django.setup()
    asking = "-h" in rest or "--help" in rest
    if standalone and name == "mock" and not asking:
        call_command("migrate", verbosity=0, interactive=False)
    command = load_command_class("asynction_django", f"asynction_{name}")
    command.suppressed_base_arguments = HIDDEN_OPTIONS
    command.run_from_argv([PROG, name, *rest])  # so its help says "python -m … mock"
