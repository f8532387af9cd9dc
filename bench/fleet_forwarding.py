"""What a request costs when it reaches a process that does not own its session.

    python bench/fleet_forwarding.py            # 300 round trips of each kind

Two daphne processes share a Redis (a private ``redis-server`` on a spare port). One client
opens a session on process A, then makes event + ack round trips: long-polling (a POST with
the event, a GET for its ack) sent to A itself and sent to B, which forwards them to A
through Redis; and the same over a WebSocket opened on A, and on B (tunnelled to A).
Latencies are printed (median and p99, in ms), never asserted.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import websocket  # noqa: E402

from tests.support import LiveServer, PrivateRedis, free_port  # noqa: E402

SPEC = ROOT / "tests" / "specs" / "echo.yaml"


def start(redis_url: str) -> LiveServer:
    server = LiveServer({"ASYNCTION_SPEC": str(SPEC), "ASYNCTION_MESSAGE_QUEUE": redis_url,
                         "ASYNCTION_MESSAGE_QUEUE_OPTIONS": {"channel": "bench-fleet"},
                         "ALLOWED_HOSTS": ["*"]})
    server.start("/socket.io/")
    return server


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered) * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms"


def polling_round_trips(own: int, target: int, count: int) -> list[float]:
    base = f"http://127.0.0.1:{own}/socket.io/?EIO=4&transport=polling"
    with requests.Session() as session:
        sid = json.loads(session.get(base, timeout=10).text[1:])["sid"]
        session.post(f"{base}&sid={sid}", data="40", timeout=10)
        session.get(f"{base}&sid={sid}", timeout=10)  # the CONNECT answer
        url = f"http://127.0.0.1:{target}/socket.io/?EIO=4&transport=polling&sid={sid}"
        samples = []
        for number in range(count):
            started = time.perf_counter()
            session.post(url, data=f'42{number}["echo",{{"text":"x"}}]', timeout=10)
            answer = session.get(url, timeout=10).text
            samples.append(time.perf_counter() - started)
            assert answer.startswith(f"43{number}"), answer
        return samples


def websocket_round_trips(own: int, target: int, count: int) -> list[float]:
    base = f"http://127.0.0.1:{own}/socket.io/?EIO=4&transport=polling"
    sid = json.loads(requests.get(base, timeout=10).text[1:])["sid"]
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{target}/socket.io/?EIO=4&transport=websocket&sid={sid}", timeout=10)
    try:
        ws.send("2probe")
        assert ws.recv() == "3probe"
        ws.send("5")
        ws.send("40")
        while not ws.recv().startswith("40"):
            pass
        samples = []
        for number in range(count):
            started = time.perf_counter()
            ws.send(f'42{number}["echo",{{"text":"x"}}]')
            while not (answer := ws.recv()).startswith("43"):
                pass
            samples.append(time.perf_counter() - started)
            assert answer.startswith(f"43{number}"), answer
        return samples
    finally:
        ws.close()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    redis = PrivateRedis(free_port())
    redis.start()
    servers: list[LiveServer] = []
    try:
        servers = [start(redis.url), start(redis.url)]
        a, b = servers[0].port, servers[1].port
        polling_round_trips(a, a, 20)  # warm up both paths
        polling_round_trips(a, b, 20)
        print(f"{count} event + ack round trips, one client, session owned by process A")
        for label, measure, target in [
                ("long-polling, sent to A (direct)", polling_round_trips, a),
                ("long-polling, sent to B (forwarded)", polling_round_trips, b),
                ("WebSocket on A (direct)", websocket_round_trips, a),
                ("WebSocket on B (tunnelled to A)", websocket_round_trips, b)]:
            print(f"{label:<38}{summary(measure(a, target, count))}")
    finally:
        for server in servers:
            server.stop()
        redis.stop()


if __name__ == "__main__":
    main()
