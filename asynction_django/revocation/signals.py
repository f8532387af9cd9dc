"""Django's own word that credentials stopped holding, turned into revocations.

``user_logged_out`` (a logout, in a view of any process), ``post_save`` of a user whose
``is_active`` is False and ``post_delete`` of a user, each as ``ASYNCTION_REVOCATION``
asks. A user's change ends connections once its transaction commits (a rolled-back
deactivation ends nothing). The receivers never wait for the sockets: a logout or a save
costs the caller one hand-over to the serving loop (or to the message queue, in a process
that serves no clients), whatever the number of connections. Connected by the app's
``ready()``, with the user model as the sender: saves of other models cost nothing.
"""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from ..conf import PREFIX, RevocationOptions, get_settings
from ..runtime import revoke
from .index import Revocation, session_digest, user_key
from .notice import DEACTIVATED, DELETED, LOGOUT

SETTING = PREFIX + "REVOCATION"


@functools.cache
def options() -> RevocationOptions:
    """``ASYNCTION_REVOCATION``, read once (again after a change of the setting)."""
    try:
        return RevocationOptions.from_setting(get_settings().REVOCATION)
    except (TypeError, ValueError):  # a system check reports it; meanwhile, the defaults
        return RevocationOptions()


def logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    scope = options().logout
    if scope == "user":
        key = user_key(user)
        if key is not None:
            revoke(Revocation(LOGOUT, users=frozenset({key})), wait=False)
    elif scope == "session":
        digest = session_digest(getattr(getattr(request, "session", None), "session_key", None))
        if digest is not None:
            revoke(Revocation(LOGOUT, sessions=frozenset({digest})), wait=False)


def saved(sender: Any, instance: Any, created: bool = False, using: str | None = None,
          **kwargs: Any) -> None:
    if created or getattr(instance, "is_active", True) or not options().deactivation:
        return
    _after_commit(Revocation(DEACTIVATED, users=frozenset({str(instance.pk)})), using)


def deleted(sender: Any, instance: Any, using: str | None = None, **kwargs: Any) -> None:
    if instance.pk is None or not options().deactivation:
        return
    _after_commit(Revocation(DELETED, users=frozenset({str(instance.pk)})), using)


def _after_commit(revocation: Revocation, using: str | None) -> None:
    transaction.on_commit(functools.partial(revoke, revocation, wait=False), using=using)


def _setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == SETTING:
        options.cache_clear()


def connect_receivers() -> None:
    """Listen to Django's auth (when it is installed) and to changes of the setting."""
    setting_changed.connect(_setting_changed, dispatch_uid="asynction-revocation-setting")
    if not apps.is_installed("django.contrib.auth"):
        return
    user_logged_out.connect(logged_out, dispatch_uid="asynction-revocation-logout")
    model = get_user_model()
    post_save.connect(saved, sender=model, dispatch_uid="asynction-revocation-save")
    post_delete.connect(deleted, sender=model, dispatch_uid="asynction-revocation-delete")
