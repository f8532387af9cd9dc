"""Revocation on the wire, in one process: what ends a connection, what its client is told,
who is left alone, and how an expired client comes back."""

from __future__ import annotations

import time
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client, override_settings

from asynction_django import get_server
from asynction_django.revocation import EVENT, signals
from asynction_django.runtime import arevoke_user, revoke_user
from asynction_django.testing import ConnectionRefused, SocketIOTestCase
from tests.revocation.handlers import token
from tests.support import unique, wait_until

SPEC = Path(__file__).with_name("revocation.yaml")
UNAUTHORIZED = {"message": "Unauthorized"}


def ended(client, namespace: str = "/") -> bool:
    return client.disconnected.get(namespace) == "server disconnect"


def told(client, namespace: str = "/") -> dict:
    """The reason the server gave just before it disconnected ``client``."""
    return client.receive(EVENT, namespace).args[0]


@override_settings(ASYNCTION_SPEC=SPEC)
class RevocationTestCase(SocketIOTestCase):
    def user(self, name: str = "alice") -> User:
        return User.objects.create_user(unique(name))

    def browser(self, user: User) -> tuple[Client, dict[str, str]]:
        """A logged-in browser, and the session cookie its sockets carry."""
        web = Client()
        web.force_login(user)
        return web, {settings.SESSION_COOKIE_NAME: web.cookies[settings.SESSION_COOKIE_NAME].value}

    def token_client(self, user: User | None, expires_in: float = 3600, namespace: str = "/"):
        name = user.username if user is not None else "-"
        return self.socketio_client(namespace,
                                    auth={"token": token(name, time.time() + expires_in)})

    def assertEnded(self, client, reason: str, renewable: bool = False, namespace: str = "/"):
        wait_until(lambda: ended(client, namespace), f"the {reason} ended the connection")
        self.assertEqual(told(client, namespace), {"reason": reason, "renewable": renewable})

    def assertServed(self, client, namespace: str = "/") -> None:
        self.assertEqual(client.disconnected, {})
        self.assertIn("sid", client.call("whoami", namespace=namespace))


class DjangoEventsTests(RevocationTestCase):
    def test_a_logout_ends_every_connection_of_that_user_and_says_why(self):
        alice, bob = self.user("alice"), self.user("bob")
        web, cookies = self.browser(alice)
        tab = self.socketio_client(cookies=cookies)
        phone = self.socketio_client(user=alice)  # another session of hers
        app = self.token_client(alice)  # her token: the info function names her
        bystander = self.socketio_client(user=bob)
        web.logout()
        for client in (tab, phone, app):
            self.assertEnded(client, "logout")
        self.assertServed(bystander)

    @override_settings(ASYNCTION_REVOCATION={"logout": "session"})
    def test_a_logout_can_end_only_the_connections_of_that_session(self):
        alice = self.user()
        web, cookies = self.browser(alice)
        tab, other_tab = self.socketio_client(cookies=cookies), self.socketio_client(
            cookies=cookies)
        phone = self.socketio_client(user=alice)
        web.logout()
        self.assertEnded(tab, "logout")
        self.assertEnded(other_tab, "logout")
        self.assertServed(phone)

    def test_a_logged_out_transport_cannot_connect_again_as_the_user(self):
        """The handshake's user is loaded once per transport: it is made anonymous, as
        Django's logout makes request.user anonymous."""
        web, cookies = self.browser(self.user())
        tab = self.socketio_client(cookies=cookies)
        web.logout()
        self.assertEnded(tab, "logout")
        with self.assertRaises(ConnectionRefused) as refused:
            tab.connect("/")
        self.assertEqual(refused.exception.data, UNAUTHORIZED)

    @override_settings(ASYNCTION_REVOCATION=False)
    def test_logouts_and_deactivations_can_be_left_alone(self):
        alice = self.user()
        web, cookies = self.browser(alice)
        tab = self.socketio_client(cookies=cookies)
        with mock.patch.object(signals, "revoke") as revoke:
            web.logout()
            alice.is_active = False
            alice.save()
            alice.delete()
        revoke.assert_not_called()
        self.assertEqual(tab.disconnected, {})

    def test_a_deactivated_user_is_disconnected(self):
        alice, bob = self.user("alice"), self.user("bob")
        session, app = self.socketio_client(user=alice), self.token_client(alice)
        bystander = self.socketio_client(user=bob)
        alice.first_name = "still active"
        alice.save()  # saving an active user ends nothing: the next revocation is the first
        alice.is_active = False
        alice.save()
        self.assertEnded(session, "deactivated")
        self.assertEnded(app, "deactivated")
        self.assertServed(bystander)

    def test_a_deactivation_rolled_back_ends_nothing(self):
        alice = self.user()
        with mock.patch.object(signals, "revoke") as revoke:
            try:
                with transaction.atomic():
                    alice.is_active = False
                    alice.save()
                    raise RuntimeError("the view failed")
            except RuntimeError:
                pass
        revoke.assert_not_called()

    def test_a_deleted_user_is_disconnected(self):
        alice, bob = self.user("alice"), self.user("bob")
        session = self.socketio_client(user=alice)
        bystander = self.socketio_client(user=bob)
        alice.delete()
        self.assertEnded(session, "deleted")
        self.assertServed(bystander)

    def test_revoke_user_covers_what_django_does_not_signal(self):
        alice, bob = self.user("alice"), self.user("bob")
        session, bystander = self.socketio_client(user=alice), self.socketio_client(user=bob)
        User.objects.filter(pk=alice.pk).update(is_active=False)  # no signal
        revoke_user(alice, reason="password changed")
        self.assertEnded(session, "password changed")
        self.assertServed(bystander)
        with self.assertRaises(ValueError):
            revoke_user(bob, reason="")
        with self.assertRaises(RuntimeError):  # from async code, arevoke_user
            self._socketio_loop.run(self._revoke_in_async_code(bob), 5)
        self._socketio_loop.run(arevoke_user(bob.pk), 5)
        self.assertEnded(bystander, "revoked")

    @staticmethod
    async def _revoke_in_async_code(user: User) -> None:
        revoke_user(user)

    def test_connections_that_leave_are_forgotten(self):
        alice = self.user()
        clients = [self.socketio_client(user=alice), self.token_client(alice)]
        revocations = get_server().revocations
        self.assertEqual(len(revocations.index.keys), 2)
        self.assertEqual(len(revocations._expiries), 1)
        for client in clients:
            client.disconnect()
        wait_until(lambda: not revocations.index.keys and not revocations.index.by_user
                   and not revocations.index.by_session and not revocations._expiries,
                   "the index and the timers emptied")


class ExpiryTests(RevocationTestCase):
    def test_a_token_ends_when_it_expires_and_the_client_may_renew_it(self):
        alice, bob = self.user("alice"), self.user("bob")
        app = self.token_client(alice, expires_in=1)
        lasting = self.token_client(bob)
        self.assertEnded(app, "expired", renewable=True)
        self.assertServed(lasting)

    def test_credentials_already_expired_are_refused(self):
        alice = self.user()
        for claim in (time.time() - 1, "tomorrow", True, float("nan")):
            with self.subTest(exp=claim), self.assertRaises(ConnectionRefused) as refused:
                self.socketio_client(auth={"token": token(alice.username, claim)})
            self.assertEqual(refused.exception.data, UNAUTHORIZED)

    def test_schemes_met_together_end_with_the_first_to_expire_in_their_namespace_only(self):
        soon = time.time() + 1  # the token, met first; the key (met last) lasts an hour
        client = self.socketio_client(user=self.user(), headers={"X-Key": str(soon + 3600)})
        client.connect("/both", auth={"token": token("-", soon)})
        self.assertEnded(client, "expired", renewable=True, namespace="/both")
        self.assertNotIn("/", client.disconnected)  # the same transport's other namespace
        self.assertIn("sid", client.call("whoami", namespace="/"))

    @override_settings(ASYNCTION_CONNECTION_STATE_RECOVERY=True)
    def test_back_with_a_fresh_token_an_expired_client_gets_its_session_back(self):
        alice, bob = self.user("alice"), self.user("bob")
        app = self.token_client(alice, expires_in=1)
        sid = app.call("whoami")["sid"]
        app.call("join", "room-1")
        app.call("remember", "kept")
        other = self.socketio_client(user=bob)
        self.assertEnded(app, "expired", renewable=True)
        other.call("shout", {"room": "room-1", "text": "while away"})
        self.assertEqual(app.connect("/", auth={"token": token(alice.username,
                                                               time.time() + 3600)}), sid)
        self.assertTrue(app.recovered["/"])
        me = app.call("whoami")
        self.assertEqual((me["rooms"], me["data"], me["recovered"], me["user"]),
                         (["room-1"], {"value": "kept"}, True, alice.username))
        self.assertEqual(app.receive("news").args, ["while away"])

    @override_settings(ASYNCTION_CONNECTION_STATE_RECOVERY=True)
    def test_back_with_the_expired_token_it_is_refused(self):
        app = self.token_client(self.user(), expires_in=1)
        self.assertEnded(app, "expired", renewable=True)
        with self.assertRaises(ConnectionRefused):
            app.connect("/")  # the auth it connected with

    @override_settings(ASYNCTION_CONNECTION_STATE_RECOVERY=True)
    def test_a_revocation_that_is_not_an_expiry_ends_the_session_for_good(self):
        alice = self.user()
        app = self.token_client(alice)
        sid = app.call("whoami")["sid"]
        app.call("join", "room-1")
        revoke_user(alice)
        self.assertEnded(app, "revoked")
        fresh = {"token": token(alice.username, time.time() + 3600)}
        self.assertNotEqual(app.connect("/", auth=fresh), sid)
        self.assertFalse(app.recovered["/"])
        self.assertEqual(app.call("whoami")["rooms"], [])
