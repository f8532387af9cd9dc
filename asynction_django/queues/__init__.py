"""``ASYNCTION_MESSAGE_QUEUE``: several processes, one API.

``managers`` chooses python-socketio's pub/sub manager for the queue's URL,
``channel_layer`` is the one that rides the project's Channels layer, and ``external``
emits from processes that serve no clients (workers, commands) through a write-only one.
"""

from .channel_layer import ChannelLayerManager
from .external import ExternalEmitter
from .managers import client_manager_for

__all__ = ["ChannelLayerManager", "ExternalEmitter", "client_manager_for"]
