"""asynction_django, as a project serves it: ``get_asgi_application()``."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from asynction_django.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
