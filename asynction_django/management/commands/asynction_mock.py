"""`manage.py asynction_mock`: the project's spec served with no handlers, fake data both ways."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.urls import reverse

from ...asgi import docs_base, docs_in_urlconf
from ...exceptions import AsynctionError, SpecError
from ..base import SpecCommand


def docs_path() -> str:
    """Where ``get_asgi_application()`` serves the docs: where the project's URLs include
    them, else beside the Socket.IO path (``/ws/docs`` for ``/ws/socket.io``)."""
    return reverse("asynction_django:docs") if docs_in_urlconf() else f"{docs_base()}docs"


class Command(SpecCommand):
    help = ("Serve the spec with no handlers: client events are validated and acked with "
            "fake data, server events are emitted with fake data at an interval. Needs "
            "asynction-django[mock].")

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--host", default="127.0.0.1",
                            help="the address to serve on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000,
                            help="the port to serve on (default 8000)")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between emits of every server event (default 1)")
        parser.add_argument("--accept-any-credentials", action="store_true",
                            help="security schemes accept any credential a client presents "
                                 "(the spec's security functions need not exist yet)")
        parser.add_argument("--seed", type=int,
                            help="repeat the same fakes, in the same order, at every run "
                                 "(timestamps are still the time of sending)")

    def handle(self, *args: Any, **options: Any) -> None:
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server

        from ...asgi import get_asgi_application
        from ...mock import MockApp, build_mock
        from ...runtime import install_server

        if options["interval"] <= 0:
            raise CommandError("--interval must be more than 0 seconds")
        values = self.settings_values(options)
        verbose = options["verbosity"] >= 2
        try:
            server, emitter = build_mock(
                values, interval=options["interval"],
                accept_any_credentials=options["accept_any_credentials"], seed=options["seed"],
                progress=(lambda text: self.stdout.write(f"  {text}")) if verbose else None)
        except SpecError as exc:
            self.report(exc.problems)
        except (AsynctionError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        install_server(server)
        application = get_asgi_application()
        if apps.is_installed("django.contrib.staticfiles"):  # the docs' CSS and scripts
            from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

            application = ASGIStaticFilesHandler(application)
        application = MockApp(application, emitter)
        spec = server.spec
        events = {direction: sum(len(getattr(ns, direction)) for ns in spec.namespaces.values())
                  for direction in ("received", "sent")}
        url = f"http://{options['host']}:{options['port']}"
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(
                f"Mock of {spec.title!r} at {url} (Socket.IO path /{server.socketio_path}/): "
                f"{events['received']} client event(s) acked with fakes, {events['sent']} "
                f"server event(s) emitted every {options['interval']} s. Quit with CONTROL-C."))
            if values.DOCS:
                self.stdout.write(f"Docs and playground: {url}{docs_path()}")
            self.stdout.flush()  # before serving, even when the output is a file or a pipe
        Server(application=application,
               endpoints=build_endpoint_description_strings(host=options["host"],
                                                            port=options["port"]),
               signal_handlers=True).run()
