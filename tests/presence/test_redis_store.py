"""The Redis presence store: members counted once over processes, and a dead process's
members gone within its ttl (each "process" here is a store of its own, with its own node
id, on one Redis; a process killed outright is one that stops beating)."""

from __future__ import annotations

import asyncio
import json

import redis
from django.test import SimpleTestCase

from asynction_django.presences.records import Ledger, Member
from asynction_django.presences.redis_store import RedisStore
from asynction_django.testing import LoopThread
from tests.support import REDIS, require_service, unique, wait_until

REDIS_URL = "redis://127.0.0.1:6379/15"
ANN = json.dumps({"id": 1, "username": "ann"})
BOB = json.dumps({"id": 2, "username": "bob"})


class Process:
    """One server process's share: its ledger and its store."""

    def __init__(self, loop: LoopThread, prefix: str, ttl: float):
        self.loop = loop
        self.ledger = Ledger()
        self.store = RedisStore(REDIS_URL, prefix, ttl)

    def run(self, coroutine):
        return self.loop.run(coroutine, 5)

    def join(self, member: str, info: str, room: str = "lobby") -> tuple[int, int]:
        return self.run(self.store.write(self.ledger.add("/chat", room, member, info)))

    def leave(self, member: str, room: str = "lobby") -> tuple[int, int]:
        return self.run(self.store.write(self.ledger.remove("/chat", room, member)))

    def members(self, room: str = "lobby") -> list[tuple[str, int]]:
        return [(m.key, m.connections) for m in self.run(self.store.members("/chat", room))]


class RedisStoreTests(SimpleTestCase):
    def setUp(self):
        require_service("Redis", REDIS, "the tests of presence on Redis")
        self.prefix = unique("presence-test")
        self.loop = LoopThread()
        self.addCleanup(self.loop.stop)
        self.addCleanup(self._delete_keys)

    def _delete_keys(self):
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{self.prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()

    def process(self, ttl: float = 5.0) -> Process:
        process = Process(self.loop, self.prefix, ttl)
        self.addCleanup(lambda: process.run(process.store.redis.aclose()))
        return process

    def test_a_member_arrives_once_and_goes_once_over_processes(self):
        one, two = self.process(), self.process()
        self.assertEqual(one.join("user:1", ANN), (0, 1))  # first connection: arrives
        self.assertEqual(two.join("user:1", ANN), (1, 2))
        self.assertEqual(two.join("user:1", ANN), (2, 3))
        self.assertEqual(one.join("user:2", BOB), (0, 1))
        self.assertEqual(two.members(), [("user:1", 3), ("user:2", 1)])
        self.assertEqual(one.run(one.store.members("/chat", "lobby"))[0],
                         Member("user:1", {"id": 1, "username": "ann"}, 3))
        self.assertEqual(one.leave("user:1"), (3, 2))
        self.assertEqual(two.leave("user:1"), (2, 1))
        self.assertEqual(two.leave("user:1"), (1, 0))  # last connection: goes
        self.assertEqual(one.members(), [("user:2", 1)])
        self.assertEqual(one.members("elsewhere"), [])

    def test_rooms_and_namespaces_are_apart(self):
        one = self.process()
        one.join("user:1", ANN, room="game:1")
        self.assertEqual(one.members("game:2"), [])
        self.assertEqual(one.run(one.store.members("/other", "game:1")), [])
        self.assertEqual(one.members("game:1"), [("user:1", 1)])

    def test_a_burst_of_changes_is_written_in_order(self):
        one = self.process()

        async def burst():
            changes = [one.ledger.add("/chat", "lobby", "user:1", ANN) for _ in range(300)]
            changes += [one.ledger.remove("/chat", "lobby", "user:1") for _ in range(299)]
            return await asyncio.gather(*(one.store.write(c) for c in changes))

        answers = one.run(burst())
        self.assertEqual(answers[0], (0, 1))
        self.assertEqual(answers[299], (299, 300))
        self.assertEqual(answers[300], (300, 299))
        self.assertEqual(answers[-1], (2, 1))
        self.assertEqual(one.members(), [("user:1", 1)])

    def test_a_killed_process_takes_its_members_within_its_ttl(self):
        dying, alive = self.process(ttl=0.6), self.process()
        dying.join("user:1", ANN)
        dying.join("user:2", BOB)
        alive.join("user:1", ANN)
        self.assertEqual(alive.members(), [("user:1", 2), ("user:2", 1)])
        # The dying process beats no more (SIGKILL): its members drop out of every answer
        # once its claim expires, whoever asks.
        wait_until(lambda: alive.members() == [("user:1", 1)],
                   "the dead process's members gone", timeout=3)
        departures = alive.run(alive.store.sweep())
        self.assertEqual([(d.room, d.member, json.loads(d.info)) for d in departures],
                         [("lobby", "user:2", {"id": 2, "username": "bob"})])
        self.assertEqual(alive.run(alive.store.sweep()), [], "swept twice")
        client = redis.Redis.from_url(REDIS_URL)
        self.addCleanup(client.close)
        self.assertFalse(client.exists(dying.store.rooms_key(dying.store.node)))
        self.assertIsNone(client.zscore(alive.store.nodes_key, dying.store.node))
        stored = client.hgetall(alive.store.room_key("/chat", "lobby"))
        self.assertEqual(list(json.loads(stored[b"user:1"])["n"]), [alive.store.node])

    def test_a_process_taken_for_dead_is_told_so_at_its_next_beat(self):
        stalled, alive = self.process(ttl=0.5), self.process()
        stalled.join("user:1", ANN)
        wait_until(lambda: alive.members() == [], "the stalled process's members hidden",
                   timeout=3)
        self.assertEqual([d.member for d in alive.run(alive.store.sweep())], ["user:1"])
        self.assertFalse(stalled.run(stalled.store.beat()))  # it writes its share again
        self.assertEqual(stalled.run(stalled.store.write(stalled.ledger.changes()[0])), (0, 1))
        self.assertEqual(alive.members(), [("user:1", 1)])
        self.assertTrue(stalled.run(stalled.store.beat()))

    def test_keys_are_under_the_prefix(self):
        one = self.process()
        one.join("user:1", ANN)
        client = redis.Redis.from_url(REDIS_URL)
        self.addCleanup(client.close)
        keys = sorted(key.decode() for key in client.scan_iter(f"{self.prefix}:*"))
        self.assertEqual(keys, [f'{self.prefix}:nodes', f'{self.prefix}:room:["/chat","lobby"]',
                                f"{self.prefix}:rooms:{one.store.node}"])
        one.leave("user:1")
        keys = sorted(key.decode() for key in client.scan_iter(f"{self.prefix}:*"))
        self.assertEqual(keys, [f"{self.prefix}:nodes"], "an empty room leaves nothing behind")

    def test_a_reader_off_the_serving_loop(self):
        one = self.process()
        one.join("user:1", ANN)
        other = LoopThread()  # a command's or worker's own loop
        self.addCleanup(other.stop)
        members = other.run(one.store.members("/chat", "lobby"), 5)
        self.assertEqual([(m.key, m.connections) for m in members], [("user:1", 1)])

    def test_a_clean_stop_lets_go_of_the_claim_at_once(self):
        one = Process(self.loop, self.prefix, 5.0)
        one.run(one.store.beat())
        client = redis.Redis.from_url(REDIS_URL)
        self.addCleanup(client.close)
        self.assertIsNotNone(client.zscore(one.store.nodes_key, one.store.node))
        one.run(one.store.close())
        self.assertIsNone(client.zscore(one.store.nodes_key, one.store.node))
