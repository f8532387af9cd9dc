"""The docs URLs: ``path("", include("asynction_django.urls"))`` serves them at ``/docs``.

``get_asgi_application()`` mounts them by itself, under the parent of the Socket.IO
path, unless your ``ROOT_URLCONF`` already includes them.
"""

from django.urls import path, re_path

from . import admin_ui_views, views

app_name = "asynction_django"

urlpatterns = [
    re_path(r"^docs/?$", views.docs, name="docs"),
    path("docs/asyncapi.json", views.document_json, name="asyncapi-json"),
    path("docs/asyncapi.yaml", views.document_yaml, name="asyncapi-yaml"),
    path("docs/client.ts", views.client_typescript, name="client-typescript"),
    path("docs/client.py", views.client_python, name="client-python"),
    path("docs/admin-ui/", admin_ui_views.page, name="admin-ui"),  # 404 unless ASYNCTION_ADMIN_UI
]
