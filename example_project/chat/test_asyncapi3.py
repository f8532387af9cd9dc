"""The chat's tests again, with the API described by the AsyncAPI 3.0 document."""

from django.conf import settings
from django.test import override_settings

from asynction_django.spec import load_spec

from . import tests

SPEC_3 = settings.BASE_DIR / "example_project" / "asyncapi-3.yaml"
SPEC_2 = settings.BASE_DIR / "example_project" / "asyncapi.yaml"


def presence_of(namespace):
    """A namespace's x-presence, without where it was written."""
    presence = namespace.presence
    return presence and (presence.rooms, presence.info, presence.join, presence.leave)


@override_settings(ASYNCTION_SPEC=SPEC_3)
class ChatOnAsyncAPI3Tests(tests.ChatTests):
    def test_both_documents_describe_the_same_api(self):
        two, three = load_spec(SPEC_2), load_spec(SPEC_3)
        self.assertEqual(three.version, "3.0.0")
        self.assertEqual(two.namespaces.keys(), three.namespaces.keys())
        for name, namespace in two.namespaces.items():
            other = three.namespaces[name]
            self.assertEqual(namespace.security, other.security)
            self.assertEqual(presence_of(namespace), presence_of(other))
            self.assertEqual(namespace.rate_limits, other.rate_limits)
            for direction in ("received", "sent"):
                mine, theirs = getattr(namespace, direction), getattr(other, direction)
                self.assertEqual(mine.keys(), theirs.keys())
                for event, message in mine.items():
                    with self.subTest(namespace=name, event=event):
                        self.assertEqual(message.handler, theirs[event].handler)
                        self.assertEqual(message.rate_limits, theirs[event].rate_limits)
                        self.assertEqual(message.payload.schema, theirs[event].payload.schema)
                        self.assertEqual(message.ack and message.ack.schema,
                                         theirs[event].ack and theirs[event].ack.schema)
        self.assertEqual(two.servers["development"].socketio_path,
                         three.servers["development"].socketio_path)


@override_settings(ASYNCTION_SPEC=SPEC_3)
class PresenceAndTypingOnAsyncAPI3Tests(tests.PresenceAndTypingTests):
    """Presence and typing, declared by the 3.0 document."""


@override_settings(ASYNCTION_SPEC=SPEC_3)
class RateLimitOnAsyncAPI3Tests(tests.RateLimitTests):
    """The rate limit, declared on the 3.0 document's receive operation."""
