"""The load generator: real Socket.IO clients, lean enough not to be the bottleneck.

Each client speaks Engine.IO 4 / Socket.IO 5 text frames over a ``websockets`` connection
(python-socketio's own client costs more CPU per message than the servers under test).
Run by ``bench/run.py`` in a process of its own; prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import time
from typing import Any

import websockets

ITEM = {"id": 7, "room": "lobby", "text": "hello, everyone in the room", "sent": 0.0}


class Client:
    """One connected Socket.IO client on namespace ``/``."""

    def __init__(self, ws: Any):
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.on_event = None
        self.reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def connect(cls, url: str) -> Client:
        ws = await websockets.connect(url, max_size=None, compression=None,
                                      ping_interval=None, open_timeout=30)
        opened = await ws.recv()
        assert opened.startswith("0"), opened
        await ws.send("40")
        connected = await ws.recv()
        assert connected.startswith("40"), connected
        return cls(ws)

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                if frame == "2":
                    await self.ws.send("3")
                elif frame.startswith("43"):
                    body = frame[2:]
                    cut = body.index("[")
                    future = self.pending.pop(int(body[:cut]), None)
                    if future is not None and not future.done():
                        future.set_result(body[cut:])
                elif frame.startswith("42") and self.on_event is not None:
                    self.on_event(frame)
        except websockets.ConnectionClosed:
            pass

    async def call(self, event: str, data: Any) -> str:
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.ws.send(f"42{self.next_id}{json.dumps([event, data])}")
        return await future

    async def send(self, event: str, data: Any) -> None:
        await self.ws.send(f"42{json.dumps([event, data])}")

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


async def connect_many(url: str, count: int, concurrency: int = 50) -> list[Client]:
    gate = asyncio.Semaphore(concurrency)

    async def one() -> Client:
        async with gate:
            return await Client.connect(url)

    return await asyncio.gather(*(one() for _ in range(count)))


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50_ms": 0.0, "p99_ms": 0.0}
    ordered = sorted(samples)
    return {"p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000}


async def acks(url: str, clients: int, seconds: float) -> dict[str, Any]:
    """Every client does emit-with-ack round trips, back to back, for ``seconds``."""
    connected = await connect_many(url, clients)
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def loop(client: Client) -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            await client.call("echo", ITEM)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(loop(client) for client in connected))
    elapsed = time.perf_counter() - started
    await asyncio.gather(*(client.close() for client in connected))
    return {"acks_per_s": len(latencies) / elapsed, **percentiles(latencies)}


async def fanout(url: str, clients: int, rounds: int) -> dict[str, Any]:
    """One emit (the server's broadcast) reaching ``clients`` receivers, ``rounds`` times."""
    receivers = await connect_many(url, clients)
    trigger = await Client.connect(url)
    times: list[float] = []
    total = 0.0
    for _ in range(rounds):
        remaining = clients
        done = asyncio.get_running_loop().create_future()

        def received(frame: str, done: asyncio.Future = done) -> None:
            nonlocal remaining
            remaining -= 1
            if remaining == 0 and not done.done():
                done.set_result(time.perf_counter())

        for receiver in receivers:
            receiver.on_event = received
        started = time.perf_counter()
        await trigger.send("broadcast", ITEM)
        finished = await asyncio.wait_for(done, 60)
        times.append(finished - started)
        total += finished - started
    await asyncio.gather(*(client.close() for client in [*receivers, trigger]))
    return {"deliveries_per_s": clients * rounds / total, **{
        f"last_delivery_{key}": value for key, value in percentiles(times).items()}}


async def connections(url: str, count: int) -> dict[str, Any]:
    """Full handshakes (WebSocket, Engine.IO open, Socket.IO CONNECT), 20 at a time."""
    started = time.perf_counter()
    opened = await connect_many(url, count, concurrency=20)
    elapsed = time.perf_counter() - started
    await asyncio.gather(*(client.close() for client in opened))
    return {"connections_per_s": count / elapsed}


async def idle(url: str, count: int, hold: float) -> dict[str, Any]:
    """Hold ``count`` idle connections for ``hold`` seconds (run.py reads the server's RSS)."""
    opened = await connect_many(url, count)
    print(json.dumps({"ready": True}), flush=True)
    await asyncio.sleep(hold)
    await asyncio.gather(*(client.close() for client in opened))
    return {"held": count}


async def held(url: str, clients: int, seconds: float) -> dict[str, Any]:
    """Every client sends one event with an ack each second; every ack must come back."""
    connected = await connect_many(url, clients)
    latencies: list[float] = []
    lost = 0

    async def loop(client: Client, offset: float) -> None:
        nonlocal lost
        await asyncio.sleep(offset)
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            tick = time.perf_counter()
            try:
                await asyncio.wait_for(client.call("echo", ITEM), 10)
                latencies.append(time.perf_counter() - tick)
            except TimeoutError:
                lost += 1
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))

    await asyncio.gather(*(loop(client, index / clients)
                           for index, client in enumerate(connected)))
    await asyncio.gather(*(client.close() for client in connected))
    return {"acks": len(latencies), "lost_acks": lost, **percentiles(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["acks", "fanout", "connections", "idle", "held"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=10)
    arguments = parser.parse_args()
    scenario = {
        "acks": lambda: acks(arguments.url, arguments.clients, arguments.seconds),
        "fanout": lambda: fanout(arguments.url, arguments.clients, arguments.rounds),
        "connections": lambda: connections(arguments.url, arguments.clients),
        "idle": lambda: idle(arguments.url, arguments.clients, arguments.seconds),
        "held": lambda: held(arguments.url, arguments.clients, arguments.seconds),
    }[arguments.scenario]
    wall = time.perf_counter()
    result = asyncio.run(scenario())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["generator_cpu"] = (usage.ru_utime + usage.ru_stime) / (time.perf_counter() - wall)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
