"""The Socket.IO Admin UI (``ASYNCTION_ADMIN_UI``), behind Django's authentication.

``instrumentation`` serves its namespace (python-socketio's instrumentation, fitted to this
server: the Django user let in, credentials and sids never shown); ``views`` serves its
page (imported by ``asynction_django.urls``, not here: it needs the running server). Its
options are :class:`~asynction_django.conf.AdminUI`; building attaches it.
"""

from .instrumentation import (
    Instrumentation,
    attach_admin_ui,
    looks_secret,
    namespace_conflict,
    opaque_id,
    permitted,
)

__all__ = ["Instrumentation", "attach_admin_ui", "looks_secret", "namespace_conflict",
           "opaque_id", "permitted"]
