"""The URLs of ``python -m asynction_django mock`` outside a project: the docs at ``/docs``.

Included (not used as the root URLconf itself), so the ``asynction_django`` namespace the
docs' templates reverse exists, whatever the Socket.IO path of the spec's server.
"""

from django.urls import include, path

urlpatterns = [path("", include("asynction_django.urls"))]
