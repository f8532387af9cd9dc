"""Who a connection is to presence: a signed-in user once, an anonymous connection alone,
and what an info function returns, within bounds."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser, User
from django.test import SimpleTestCase

from asynction_django.handlers import Handler
from asynction_django.presences.identity import identify
from asynction_django.presences.records import MAX_INFO_BYTES


def connection(user):
    return SimpleNamespace(user=user)


def identity(user, function=None):
    info = Handler(function, "tests.info") if function is not None else None
    return asyncio.run(identify(connection(user), info))


class IdentityTests(SimpleTestCase):
    ann = User(pk=7, username="ann")

    def test_a_user_is_its_pk_and_username(self):
        found = identity(self.ann)
        self.assertEqual(found.member, "user:7")
        self.assertEqual(json.loads(found.info), {"id": 7, "username": "ann"})

    def test_anonymous_connections_are_members_of_their_own(self):
        one, two = identity(AnonymousUser()), identity(AnonymousUser())
        self.assertTrue(one.member.startswith("anon:"))
        self.assertNotEqual(one.member, two.member)
        self.assertEqual(one.info, "{}")

    def test_an_info_function_says_what_the_room_sees(self):
        async def info(connection):
            return {"name": connection.user.username.upper()}

        self.assertEqual(json.loads(identity(self.ann, info).info), {"name": "ANN"})
        self.assertEqual(identity(self.ann, info).member, "user:7", "the key stays the user")
        self.assertIsNone(identity(self.ann, lambda connection: None), "None: left out")

    def test_what_an_info_function_cannot_give_falls_back_to_the_default(self):
        default = {"id": 7, "username": "ann"}
        for wrong in (["a list"], {"big": "x" * MAX_INFO_BYTES}, {"not json": object()}):
            with self.subTest(wrong=type(wrong).__name__):
                self.assertEqual(json.loads(identity(self.ann, lambda c, w=wrong: w).info),
                                 default)

        def broken(connection):
            raise RuntimeError("bug")

        self.assertEqual(json.loads(identity(self.ann, broken).info), default)
