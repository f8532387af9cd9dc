import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

from asynction_django.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
