"""A tunnel's inbox: bounded in bytes, so that neither a flooding client nor a slow one can
make a process hold its frames without end."""

from __future__ import annotations

import asyncio

from django.test import SimpleTestCase

from asynction_django.fleet.messages import Inbox


class InboxTests(SimpleTestCase):
    def test_frames_pass_in_order_within_the_bound(self):
        async def scenario() -> list[bytes]:
            inbox = Inbox(10)
            for body in (b"abc", b"defg", b"hij"):
                inbox.put({"k": "ws-in", "id": "t"}, body)
            bodies = [(await inbox.get())[1] for _ in range(3)]
            self.assertEqual(inbox.pending, 0)
            return bodies

        self.assertEqual(asyncio.run(scenario()), [b"abc", b"defg", b"hij"])

    def test_past_the_bound_the_reader_is_told_the_tunnel_ended(self):
        async def scenario(kind: str) -> tuple[dict, int, int]:
            inbox = Inbox(10)
            inbox.put({"k": kind, "id": "t"}, b"x" * 8)  # waiting: dropped at the overflow
            inbox.put({"k": kind, "id": "t"}, b"y" * 8)  # over: the end, first, with 1009
            inbox.put({"k": kind, "id": "t"}, b"z")  # after the end: dropped
            end = (await inbox.get())[0]
            return end, inbox.pending, len(inbox)

        for kind, end in (("ws-in", "ws-end"), ("ws-out", "ws-close")):
            with self.subTest(kind=kind):
                told, pending, left = asyncio.run(scenario(kind))
                self.assertEqual((told["k"], told["code"]), (end, 1009))
                self.assertEqual((pending, left), (0, 0))  # nothing held any more

    def test_reading_makes_room_again(self):
        async def scenario() -> bool:
            inbox = Inbox(10)
            inbox.put({"k": "ws-in", "id": "t"}, b"x" * 8)
            await inbox.get()
            inbox.put({"k": "ws-in", "id": "t"}, b"y" * 8)
            return inbox.overflowed

        self.assertFalse(asyncio.run(scenario()))
