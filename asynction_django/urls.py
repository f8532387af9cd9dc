"""The docs URLs: ``path("", include("asynction_django.urls"))`` serves them at ``/docs``.

``get_asgi_application()`` mounts them by itself, under the parent of the Socket.IO
path, unless your ``ROOT_URLCONF`` already includes them.
"""

from django.urls import path, re_path

from .admin_ui import views as admin_ui_views
from .apidocs import views as docs_views

app_name = "asynction_django"

urlpatterns = [
    re_path(r"^docs/?$", docs_views.docs, name="docs"),
    path("docs/asyncapi.json", docs_views.document_json, name="asyncapi-json"),
    path("docs/asyncapi.yaml", docs_views.document_yaml, name="asyncapi-yaml"),
    path("docs/client.ts", docs_views.client_typescript, name="client-typescript"),
    path("docs/client.py", docs_views.client_python, name="client-python"),
    path("docs/admin-ui/", admin_ui_views.page, name="admin-ui"),  # 404 unless ASYNCTION_ADMIN_UI
]
