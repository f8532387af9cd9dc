"""Rate limits as a client meets them: the refusal, its error ack, and who else is affected.

Served from tests/specs/rate_limits.yaml, in memory here and on Redis (test_wire_redis.py
runs the same tests there). Windows are long (10 s) where a test must not see a token come
back, and short (300 ms) where it waits for one, on a condition, never a fixed sleep.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import override_settings

from asynction_django.asgi import SocketIORouter, socketio_asgi_app
from asynction_django.limits import ABUSE_REFUSALS
from asynction_django.testing import AsyncSocketIOClient, SocketIOTestCase
from tests.limits import handlers
from tests.support import SPECS, eventually, unique, wait_until

SPEC = SPECS / "rate_limits.yaml"
DEFAULT = {"limit": 5, "per": "10s"}


def refused(answer: Any) -> float:
    """The ``retry_after`` of a RateLimited error ack (failing the test for anything else)."""
    assert isinstance(answer, dict) and answer["error"]["type"] == "RateLimited", answer
    error = answer["error"]
    assert error == {"type": "RateLimited", "errors": [], "retry_after": error["retry_after"],
                     "message": f"too many events: retry after {error['retry_after']:g} s"}
    return float(error["retry_after"])


class RateLimitWireMixin:
    """The tests; the classes below choose where the buckets are kept."""

    address = "127.0.0.1"  # the client address of the next client made

    def _client(self, query: Any, headers: Any, cookies: Any, user: Any) -> AsyncSocketIOClient:
        """Clients from :attr:`address` (the test client's own is always 127.0.0.1)."""
        router, address = SocketIORouter(socketio_asgi_app()), self.address

        async def from_address(scope: Any, receive: Any, send: Any) -> None:
            await router({**scope, "client": (address, 40000)}, receive, send)

        return AsyncSocketIOClient(from_address, query=query, headers=headers,
                                   cookies=cookies, user=user)

    def test_the_event_past_its_limit_is_refused_with_when_to_retry(self):
        client = self.socketio_client()
        self.assertEqual([client.call("ping") for _ in range(3)], ["pong"] * 3)
        with self.assertNoLogs("asynction_django", level="DEBUG"):  # nothing per refusal
            retry_after = refused(client.call("ping"))
        self.assertGreater(retry_after, 3.0)  # 3 per 10 s: a token is back 3.33 s on
        self.assertLessEqual(retry_after, 10 / 3 + 0.001)
        refused(client.call("ping"))

    def test_the_connection_keeps_working(self):
        client = self.socketio_client()
        for _ in range(3):
            client.call("ping")
        refused(client.call("ping"))
        self.assertEqual(client.call("free"), "pong")  # other events go on
        self.assertEqual(client.call("quick"), "pong")
        self.assertEqual(client.call("quick"), "pong")
        self.assertLessEqual(refused(client.call("quick")), 0.151)  # 2 per 300 ms
        # ... and the same event once its token is back: asked until then
        self.assertTrue(eventually(lambda: client.call("quick") == "pong"))
        self.assertEqual(client.disconnected, {})

    def test_a_refused_event_is_neither_validated_nor_handled(self):
        handlers.calls.clear()
        client = self.socketio_client()
        self.assertEqual(client.call("checked", {"n": 1}), 1)
        refused(client.call("checked", {"n": 2}))
        refused(client.call("checked", {"n": "not a number"}))  # not a PayloadValidationError
        self.assertEqual(handlers.calls, [1])

    @override_settings(ASYNCTION_DEFAULT_ERROR_HANDLER="tests.limits.handlers.error")
    def test_the_error_handler_is_not_called_for_a_refusal(self):
        handlers.errors.clear()
        client = self.socketio_client()
        client.call("checked", {"n": 1})
        refused(client.call("checked", {"n": 1}))
        self.assertEqual(handlers.errors, [])
        client.call("free", "an argument free takes none")  # other errors still reach it
        self.assertEqual(handlers.errors, ["PayloadValidationError"])

    def test_other_clients_are_not_affected(self):
        flooder, other = self.socketio_client(), self.socketio_client()
        for _ in range(3):
            flooder.call("ping")
        refused(flooder.call("ping"))
        self.assertEqual([other.call("ping") for _ in range(3)], ["pong"] * 3)

    def test_by_user_a_users_connections_share_one_budget(self):
        alice = User.objects.create_user(unique("alice"))
        phone, laptop = self.socketio_client(user=alice), self.socketio_client(user=alice)
        bob = self.socketio_client(user=User.objects.create_user(unique("bob")))
        self.assertEqual(phone.call("shout"), "pong")
        self.assertEqual(laptop.call("shout"), "pong")
        refused(phone.call("shout"))
        refused(laptop.call("shout"))
        self.assertEqual(bob.call("shout"), "pong")

    def test_by_user_anonymous_clients_count_per_connection(self):
        first, second = self.socketio_client(), self.socketio_client()
        for client in (first, second):
            self.assertEqual([client.call("shout") for _ in range(2)], ["pong"] * 2)
            refused(client.call("shout"))

    def test_by_ip_an_address_shares_one_budget(self):
        self.address = "203.0.113.7"
        first, second = self.socketio_client(), self.socketio_client()
        self.address = "198.51.100.1"
        elsewhere = self.socketio_client()
        self.assertEqual(first.call("knock"), "pong")
        self.assertEqual(second.call("knock"), "pong")
        refused(first.call("knock"))
        self.assertEqual(elsewhere.call("knock"), "pong")

    def test_every_limit_of_an_event_must_admit_it(self):
        user = User.objects.create_user(unique("carol"))
        client = self.socketio_client(user=user)
        self.assertEqual(client.call("both"), "pong")
        refused(client.call("both"))  # 1 per user, though 5 per connection
        self.assertEqual(self.socketio_client().call("both"), "pong")  # anonymous: its own

    def test_a_namespace_limit_is_one_budget_for_its_events(self):
        client = self.socketio_client("/room")
        self.assertEqual([client.call("say") for _ in range(2)], ["pong"] * 2)
        refused(client.call("say"))  # its own limit (2), which leaves the namespace's alone
        self.assertEqual([client.call("hum") for _ in range(2)], ["pong"] * 2)
        refused(client.call("hum"))  # the namespace's 4, shared with say

    def test_the_default_applies_to_the_events_the_spec_does_not_limit(self):
        client = self.socketio_client()
        answers = [client.call("whoami") for _ in range(3)] + [
            client.call("hello") for _ in range(2)]
        self.assertEqual(answers, ["pong"] * 5)  # one budget of 5 for both
        refused(client.call("whoami"))
        refused(client.call("hello"))
        self.assertEqual([client.call("free") for _ in range(20)], ["pong"] * 20)  # false
        self.assertEqual(client.call("ping"), "pong")  # a limit of its own: not the default's

    def test_unknown_events_count_against_the_default(self):
        client = self.socketio_client()
        for _ in range(5):
            self.assertEqual(client.call("nope")["error"]["type"], "UnknownEventError")
        refused(client.call("nope"))
        refused(client.call("whoami"))

    def test_sustained_abuse_disconnects(self):
        abuser, bystander = self.socketio_client(), self.socketio_client()
        for _ in range(3 + ABUSE_REFUSALS):  # the limit, then as many refusals as tolerated
            abuser.emit("ping")
        self.assertEqual(abuser.call("free"), "pong")  # still connected
        self.assertEqual(abuser.disconnected, {})
        for _ in range(10):  # refusals too many (more than one: tokens refill meanwhile)
            if "/" not in abuser.disconnected:
                abuser.emit("ping")
        wait_until(lambda: abuser.disconnected.get("/") == "server disconnect",
                   "the abusive client disconnected")
        self.assertEqual([bystander.call("ping") for _ in range(3)], ["pong"] * 3)


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_RATE_LIMIT_DEFAULT=DEFAULT)
class InMemoryTests(RateLimitWireMixin, SocketIOTestCase):
    @override_settings(ASYNCTION_RATE_LIMIT_DEFAULT=None)
    def test_without_a_default_unlimited_events_are_unlimited(self):
        client = self.socketio_client()
        self.assertEqual([client.call("whoami") for _ in range(30)], ["pong"] * 30)
        for _ in range(3):
            client.call("ping")
        refused(client.call("ping"))  # the spec's own limits still hold
