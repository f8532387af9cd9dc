"""The app's configuration: nothing heavy at import, the checks registered when ready."""

from django.apps import AppConfig


class AsynctionConfig(AppConfig):
    """Registers the system checks and revocation's signal receivers; the server itself is
    built on first use."""

    name = "asynction_django"
    verbose_name = "Asynction"

    def ready(self) -> None:
        from . import checks, runtime  # noqa: F401 - registers checks and signal receivers
        from .revocation import signals

        signals.connect_receivers()
