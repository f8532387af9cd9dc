"""Presence of one process with no broker: the ledger is the whole of it."""

from __future__ import annotations

import asyncio
import json

from django.test import SimpleTestCase

from asynction_django.presences.memory_store import MemoryStore
from asynction_django.presences.records import Ledger, Member, room_id
from asynction_django.presences.rules import Rule, room_pattern

ANN = json.dumps({"id": 1, "username": "ann"})


class MemoryStoreTests(SimpleTestCase):
    def setUp(self):
        self.ledger = Ledger()
        self.store = MemoryStore(self.ledger)

    def write(self, change):
        return asyncio.run(self.store.write(change))

    def members(self, room="lobby", namespace="/chat"):
        return asyncio.run(self.store.members(namespace, room))

    def test_a_member_arrives_with_its_first_connection_and_goes_with_its_last(self):
        self.assertEqual(self.write(self.ledger.add("/chat", "lobby", "user:1", ANN)), (0, 1))
        self.assertEqual(self.write(self.ledger.add("/chat", "lobby", "user:1", ANN)), (1, 2))
        self.assertEqual(self.members(), [Member("user:1", {"id": 1, "username": "ann"}, 2)])
        self.assertEqual(self.write(self.ledger.remove("/chat", "lobby", "user:1")), (2, 1))
        last = self.ledger.remove("/chat", "lobby", "user:1")
        self.assertTrue(last.room_left)
        self.assertEqual(self.write(last), (1, 0))
        self.assertEqual(self.members(), [])
        self.assertEqual(self.ledger.rooms, {}, "an empty room is forgotten")

    def test_rooms_and_namespaces_are_apart(self):
        self.ledger.add("/chat", "lobby", "user:1", ANN)
        self.assertEqual(self.members("lobby", "/other"), [])
        self.assertEqual(self.members("game:1"), [])
        self.assertIsNone(self.ledger.remove("/chat", "game:1", "user:1"))

    def test_members_are_sorted_by_key_and_nothing_is_swept(self):
        for member in ("user:2", "anon:x", "user:1"):
            self.ledger.add("/chat", "lobby", member, "{}")
        self.assertEqual([m.key for m in self.members()], ["anon:x", "user:1", "user:2"])
        self.assertEqual(asyncio.run(self.store.sweep()), [])
        self.assertTrue(asyncio.run(self.store.beat()))

    def test_written_again_a_share_changes_nothing(self):
        self.ledger.add("/chat", "lobby", "user:1", ANN)
        self.assertEqual([self.write(change) for change in self.ledger.changes()], [(1, 1)])

    def test_room_ids_are_unambiguous(self):
        self.assertNotEqual(room_id("/a:b", "c"), room_id("/a", "b:c"))


class RoomRuleTests(SimpleTestCase):
    def rule(self, patterns):
        return Rule("/chat", room_pattern(patterns), None, "presence:join", "presence:leave")

    def test_glob_patterns_name_the_rooms(self):
        rule = self.rule(("lobby", "game:*", "team-[ab]"))
        for room in ("lobby", "game:1", "game:", "team-a"):
            self.assertTrue(rule.keeps(room), room)
        for room in ("lobby2", "a-game:1", "team-c", "Lobby"):
            self.assertFalse(rule.keeps(room), room)

    def test_every_string_room_of_a_bounded_length_without_patterns(self):
        rule = self.rule(None)
        self.assertTrue(rule.keeps("anything at all"))
        self.assertTrue(rule.keeps("x" * 200))
        self.assertFalse(rule.keeps("x" * 201), "a room name past the cap is not counted")
        self.assertFalse(rule.keeps(""))
        self.assertFalse(rule.keeps(42), "python-socketio allows any room; presence, strings")
