"""Presence on the wire (in-process): who is in a room, and the join and leave events a
room is sent, with two users of several connections each, anonymous connections, an info
function, and the bounds; in one process and on Redis.

A watching connection's events are read in order, each the next one it received: an event
that should not have been sent shows up as the wrong next one.
"""

from __future__ import annotations

import asyncio

import redis
from django.contrib.auth.models import User
from django.test import override_settings

from asynction_django import apresence, get_server, presence
from asynction_django.presences.records import Ledger
from asynction_django.presences.redis_store import RedisStore
from asynction_django.testing import SocketIOTestCase
from tests.support import REDIS, SPECS, require_service, unique, wait_until

SPEC = SPECS / "presence.yaml"
REDIS_URL = "redis://127.0.0.1:6379/15"


class PresenceMixin:
    def user(self, name, **fields):
        return User.objects.create_user(unique(name), **fields)

    def chat(self, user=None):
        return self.socketio_client("/chat", user=user)

    def next_diff(self, client, namespace="/chat"):
        """The next event ``client`` received: (name, room, member key)."""
        event = client.receive(namespace=namespace, timeout=3)
        return event.name, event.args[0]["room"], event.args[0]["member"]["key"]

    def counts(self, room, namespace="/chat"):
        return [(member.key, member.connections) for member in presence(room, namespace)]

    def test_two_users_with_several_connections_each(self):
        ann, bob, cat, dan = (self.user(name) for name in ("ann", "bob", "cat", "dan"))
        a1, a2 = self.chat(ann), self.chat(ann)
        b1, b2, b3 = self.chat(bob), self.chat(bob), self.chat(bob)
        watcher = self.chat(cat)
        ann_key, bob_key, cat_key = (f"user:{user.pk}" for user in (ann, bob, cat))
        watcher.call("join", "lobby")
        self.assertEqual(self.next_diff(watcher), ("presence:join", "lobby", cat_key))

        a1.call("join", "lobby")
        self.assertEqual(self.next_diff(watcher), ("presence:join", "lobby", ann_key))
        self.assertEqual(self.next_diff(a1), ("presence:join", "lobby", ann_key))
        a2.call("join", "lobby")  # ann's second connection: the room is told nothing
        for client in (b1, b2, b3):
            client.call("join", "lobby")
        self.assertEqual(self.next_diff(watcher), ("presence:join", "lobby", bob_key))
        self.assertEqual(self.next_diff(a2), ("presence:join", "lobby", bob_key))
        self.assertEqual(self.counts("lobby"), sorted([(ann_key, 2), (bob_key, 3),
                                                      (cat_key, 1)]))
        members = {member["key"]: member for member in b3.call("who", "lobby")}
        self.assertEqual(members[ann_key], {"key": ann_key, "connections": 2,
                                            "info": {"id": ann.pk, "username": ann.username}})

        b1.call("leave", "lobby")
        b2.disconnect()
        wait_until(lambda: self.counts("lobby") == sorted([(ann_key, 2), (bob_key, 1),
                                                           (cat_key, 1)]),
                   "bob counted once")
        b3.call("leave", "lobby")  # bob's last connection: the room is told bob left
        self.assertEqual(self.next_diff(watcher), ("presence:leave", "lobby", bob_key))
        a1.disconnect()
        a2.call("leave", "lobby")
        self.assertEqual(self.next_diff(watcher), ("presence:leave", "lobby", ann_key))
        self.chat(dan).call("join", "lobby")
        self.assertEqual(self.next_diff(watcher)[2], f"user:{dan.pk}")
        self.assertEqual(self.counts("lobby"), sorted([(cat_key, 1), (f"user:{dan.pk}", 1)]))
        self.assertEqual(watcher.async_client.events, [], "nothing more was sent")

    def test_anonymous_connections_are_members_each(self):
        first, second = self.chat(), self.chat()
        first.call("join", "game:1")
        _, _, first_key = self.next_diff(first)
        second.call("join", "game:1")
        _, _, second_key = self.next_diff(first)
        self.assertTrue(first_key.startswith("anon:"))
        self.assertNotEqual(first_key, second_key)
        self.assertNotIn(first.sid, first_key, "a sid is never shown to the room")
        self.assertEqual(sorted(self.counts("game:1")),
                         sorted([(first_key, 1), (second_key, 1)]))
        second.disconnect()
        self.assertEqual(self.next_diff(first), ("presence:leave", "game:1", second_key))

    def test_rooms_x_presence_does_not_name_keep_nothing(self):
        client = self.chat(self.user("ann"))
        client.call("join", "elsewhere")
        client.call("join", "game:7")  # the join of game:7 is the next event, nothing before
        self.assertEqual(self.next_diff(client)[:2], ("presence:join", "game:7"))
        with self.assertRaisesMessage(LookupError, "room 'elsewhere' of '/chat' keeps no "
                                                   "presence"):
            presence("elsewhere", "/chat")
        with self.assertRaisesMessage(LookupError, "namespace '/' keeps no presence"):
            presence("lobby")

    def test_a_closed_room_is_left_by_all(self):
        ann, bob = self.user("ann"), self.user("bob")
        for user in (ann, bob, bob):
            self.chat(user).call("join", "game:2")
        wait_until(lambda: len(self.counts("game:2")) == 2, "two members")
        self.chat(ann).call("close", "game:2")
        self.assertEqual(self.counts("game:2"), [])

    def test_an_info_function_and_events_of_its_own_names(self):
        boss, clerk = self.user("boss", is_staff=True), self.user("clerk")
        watcher = self.socketio_client("/staff", user=boss)
        watcher.call("join", "ops")
        arrived = watcher.receive("arrived", namespace="/staff", timeout=3).args[0]
        self.assertEqual(arrived, {"room": "ops", "member": {
            "key": f"user:{boss.pk}", "info": {"name": boss.username, "badge": "staff"}}})
        self.socketio_client("/staff").call("join", "ops")  # anonymous: left out
        clerk_client = self.socketio_client("/staff", user=clerk)
        clerk_client.call("join", "ops")
        arrived = watcher.receive(namespace="/staff", timeout=3)
        self.assertEqual((arrived.name, arrived.args[0]["member"]["info"]),
                         ("arrived", {"name": clerk.username, "badge": "member"}))
        self.assertEqual(self.counts("ops", "/staff"),
                         sorted([(f"user:{boss.pk}", 1), (f"user:{clerk.pk}", 1)]))
        clerk_client.disconnect()
        self.assertEqual(watcher.receive(namespace="/staff", timeout=3).name, "departed")

    @override_settings(ASYNCTION_PRESENCE={"max_rooms": 2})
    def test_a_connection_is_counted_in_a_bounded_number_of_rooms(self):
        client = self.chat(self.user("ann"))
        for room in ("game:1", "game:2", "game:3", "game:" + "x" * 250, "game:4"):
            client.call("join", room)  # (the ack comes once the join was handled)
        self.assertEqual([len(self.counts(f"game:{n}")) for n in (1, 2, 3, 4)], [1, 1, 0, 0])
        with self.assertRaises(LookupError):
            presence("game:" + "x" * 250, "/chat")

    @override_settings(ASYNCTION_PRESENCE={"ttl": 0.6})
    def test_rooms_changed_behind_the_hooks_back_are_caught_up_at_the_next_beat(self):
        ann = self.user("ann")
        client = self.chat(ann)
        manager = get_server().manager  # as the message queue enters it for another process
        self._socketio_loop.run(manager.enter_room(client.sid, "/chat", "lobby"), 3)
        self.assertEqual(self.next_diff(client), ("presence:join", "lobby", f"user:{ann.pk}"))
        self._socketio_loop.run(manager.leave_room(client.sid, "/chat", "lobby"), 3)
        wait_until(lambda: self.counts("lobby") == [], "ann no longer counted")

    def test_the_async_api(self):
        client = self.chat(self.user("ann"))
        client.call("join", "lobby")
        self.next_diff(client)
        members = self._socketio_loop.run(apresence("lobby", "/chat"), 3)
        self.assertEqual([member.connections for member in members], [1])


@override_settings(ASYNCTION_SPEC=SPEC)
class PresenceInMemoryTests(PresenceMixin, SocketIOTestCase):
    pass


class PresenceOnRedisTests(PresenceMixin, SocketIOTestCase):
    def setUp(self):
        require_service("Redis", REDIS, "the tests of presence on Redis")
        self.channel = unique("asynction-test")
        overrides = override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_MESSAGE_QUEUE=REDIS_URL,
                                      ASYNCTION_MESSAGE_QUEUE_OPTIONS={"channel": self.channel})
        overrides.enable()
        self.addCleanup(overrides.disable)
        self.addCleanup(self._delete_keys)
        super().setUp()

    def _delete_keys(self):
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{self.channel}:*"))
        if keys:
            client.delete(*keys)
        client.close()

    def test_keys_are_under_the_message_queues_channel(self):
        self.chat(self.user("ann")).call("join", "lobby")
        wait_until(lambda: self.counts("lobby"), "ann counted")
        client = redis.Redis.from_url(REDIS_URL)
        self.addCleanup(client.close)
        keys = {key.decode() for key in client.scan_iter(f"{self.channel}:presence:*")}
        self.assertIn(f"{self.channel}:presence:nodes", keys)
        self.assertIn(f'{self.channel}:presence:room:["/chat","lobby"]', keys)

    @override_settings(ASYNCTION_PRESENCE={"ttl": 0.6})
    def test_the_members_of_a_killed_process_leave_the_room(self):
        cat = self.user("cat")
        watcher = self.chat(cat)
        watcher.call("join", "lobby")
        self.next_diff(watcher)
        # Another process counts a user in the lobby, then is killed: it beats no more.
        other = RedisStore(REDIS_URL, f"{self.channel}:presence", ttl=0.6)
        self.addCleanup(self._socketio_loop.run, other.redis.aclose(), 3)
        change = Ledger().add("/chat", "lobby", "user:999", '{"id": 999}')
        self.assertEqual(self._socketio_loop.run(other.write(change), 3), (0, 1))
        self.assertIn(("user:999", 1), self.counts("lobby"))
        self.assertEqual(self.next_diff(watcher), ("presence:leave", "lobby", "user:999"))
        self.assertEqual(self.counts("lobby"), [(f"user:{cat.pk}", 1)])

    @override_settings(ASYNCTION_PRESENCE={"ttl": 0.6})
    def test_a_write_redis_did_not_take_is_made_good_at_the_next_beat(self):
        ann, cat = self.user("ann"), self.user("cat")
        watcher, client = self.chat(cat), self.chat(ann)
        watcher.call("join", "lobby")
        client.call("join", "lobby")
        self.assertEqual(self.next_diff(watcher)[2], f"user:{cat.pk}")
        self.assertEqual(self.next_diff(watcher)[2], f"user:{ann.pk}")
        store = get_server().presence.store
        write, failed = store.write, []

        async def failing_once(change):
            if not failed:
                failed.append(change)
                raise ConnectionError("Redis went away")
            return await write(change)

        store.write = failing_once
        client.call("leave", "lobby")  # not written: Redis still counts ann, for now
        self.assertEqual(self.next_diff(watcher), ("presence:leave", "lobby", f"user:{ann.pk}"))
        self.assertEqual(self.counts("lobby"), [(f"user:{cat.pk}", 1)])
        self.assertEqual(len(failed), 1)

    def test_a_process_that_serves_no_clients_reads_it_too(self):
        ann = self.user("ann")
        self.chat(ann).call("join", "lobby")
        wait_until(lambda: self.counts("lobby"), "ann counted")
        members = asyncio.run(apresence("lobby", "/chat"))  # a loop of its own
        self.assertEqual([member.key for member in members], [f"user:{ann.pk}"])
