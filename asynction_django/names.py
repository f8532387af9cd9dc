"""Socket.IO's default namespace, named once for every layer.

python-socketio writes the default namespace ``None`` in some places (a packet without one,
an emit's ``namespace`` left out) and ``"/"`` in others (its manager, its handlers): this
package always means ``"/"`` and says so through :func:`namespace_name`.
"""

from __future__ import annotations

DEFAULT_NAMESPACE = "/"


def namespace_name(namespace: str | None) -> str:
    """``namespace``, or the default namespace for ``None`` (or an empty name)."""
    return namespace or DEFAULT_NAMESPACE
