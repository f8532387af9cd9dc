"""Revocation: a connection ends, on every process, when the credentials it was opened with stop
holding (docs/revocation.md).

``service`` ends connections and carries revocations between processes, ``index`` finds a
user's or a session's connections, ``expiry`` reads when credentials expire, ``notice`` is
what the client is told, and ``signals`` turns Django's logouts, deactivations and deletions
into revocations (connected when the app is ready).
"""

from .expiry import EXP, earliest, expiry_of
from .index import Revocation, session_digest, user_key
from .notice import DEACTIVATED, DELETED, EVENT, EXPIRED, LOGOUT, REVOKED, checked_reason
from .service import METHOD, Revocations

__all__ = ["DEACTIVATED", "DELETED", "EVENT", "EXP", "EXPIRED", "LOGOUT", "METHOD", "REVOKED",
           "Revocation", "Revocations", "checked_reason", "earliest", "expiry_of",
           "session_digest", "user_key"]
