"""Benchmarks: asynction_django against plain python-socketio, on daphne and uvicorn.

    python bench/run.py            # everything (about 8 minutes on 2 cores)
    python bench/run.py --quick    # shorter runs, for a look

Each server runs in a process of its own, the load generator (bench/load.py) in another,
each pinned to a core of its own when there are two; the generator's CPU use is reported, so
a saturated generator shows. Prints a table with ratios against
plain python-socketio on the same server, writes bench/results/latest.json and draws
bench/results/chart.png (``--docs`` also copies it to docs/bench-chart.png).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path
from typing import Any

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
# With two cores or more, the server gets one and the load generator another, so that
# neither steals the other's time and runs compare.
PINNED = (os.cpu_count() or 1) >= 2
SERVER_CPU, GENERATOR_CPU = {0}, {1}


def pinned_to(cpus: set[int]):
    return (lambda: os.sched_setaffinity(0, cpus)) if PINNED else None
RESULTS = ROOT / "bench" / "results"
EXAMPLE_SPEC = ROOT / "example_project" / "asyncapi.yaml"


class ServerUnderTest:
    def __init__(self, label: str, runner: str, module: str, validation: bool = True):
        self.label = label
        self.runner = runner
        self.module = module
        self.validation = validation
        self.baseline = f"python-socketio, {runner}"
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/socket.io/?EIO=4&transport=websocket"

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        app = f"{self.module}:application"
        if self.runner == "daphne":
            command = ["-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), app]
        else:
            command = ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(self.port),
                       "--log-level", "warning", "--no-access-log", "--ws", "websockets", app]
        env = {**os.environ, "BENCH_VALIDATION": "1" if self.validation else "0",
               "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        preexec_fn=pinned_to(SERVER_CPU))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{self.port}/socket.io/?EIO=4&transport=polling",
                             timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.label} did not start")

    def rss(self) -> int:
        return psutil.Process(self.process.pid).memory_info().rss

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


SERVERS = [
    ServerUnderTest("asynction_django, daphne", "daphne", "bench.asgi_asynction"),
    ServerUnderTest("asynction_django without validation, daphne", "daphne",
                    "bench.asgi_asynction", validation=False),
    ServerUnderTest("python-socketio, daphne", "daphne", "bench.asgi_plain"),
    ServerUnderTest("asynction_django, uvicorn", "uvicorn", "bench.asgi_asynction"),
    ServerUnderTest("asynction_django without validation, uvicorn", "uvicorn",
                    "bench.asgi_asynction", validation=False),
    ServerUnderTest("python-socketio, uvicorn", "uvicorn", "bench.asgi_plain"),
]


def generate(server: ServerUnderTest, scenario: str, **options: Any) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.load", scenario, "--url", server.url]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)},
                          preexec_fn=pinned_to(GENERATOR_CPU))
    if done.returncode:
        raise RuntimeError(f"load generator failed on {server.label}:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def idle_memory(server: ServerUnderTest, count: int) -> float:
    """KiB of server memory per idle connection."""
    before = server.rss()
    command = [sys.executable, "-m", "bench.load", "idle", "--url", server.url,
               "--clients", str(count), "--seconds", "3"]
    generator = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)},
                                 preexec_fn=pinned_to(GENERATOR_CPU))
    generator.stdout.readline()  # {"ready": true}: all connected
    time.sleep(1)
    after = server.rss()
    generator.wait(60)
    return (after - before) / count / 1024


def measure(server: ServerUnderTest, quick: bool) -> dict[str, Any]:
    seconds = 2 if quick else 5
    result: dict[str, Any] = {"acks": {}, "fanout": {}}
    for clients in (1, 10):
        result["acks"][clients] = generate(server, "acks", clients=clients, seconds=seconds)
    # The budgets are judged at 100 clients: the median of three runs, as runs vary.
    runs = [generate(server, "acks", clients=100, seconds=seconds) for _ in range(3)]
    result["acks"][100] = {key: statistics.median(run[key] for run in runs)
                           for key in runs[0]}
    result["acks_100_runs"] = runs
    for clients in (100, 1000):
        result["fanout"][clients] = generate(server, "fanout", clients=clients,
                                             rounds=3 if quick else 10)
    result["connections"] = generate(server, "connections", clients=200 if quick else 500)
    result["idle_kib"] = idle_memory(server, 500 if quick else 1000)
    return result


def held_load(server: ServerUnderTest, seconds: float) -> dict[str, Any]:
    """1,000 clients, one event with an ack per second each."""
    before = server.rss()
    result = generate(server, "held", clients=1000, seconds=seconds)
    result["server_rss_mib"] = server.rss() / 2**20
    result["server_rss_before_mib"] = before / 2**20
    return result


def validation_micro() -> list[dict[str, Any]]:
    """µs per validation of the example project's schemas: the server's check (jsonschema-rs)
    against Python's ``jsonschema`` on the same translated schema, for scale."""
    sys.path.insert(0, str(ROOT))
    from jsonschema import Draft202012Validator

    from asynction_django import validation
    from asynction_django.examples import example_of
    from asynction_django.schemas import to_json_schema
    from asynction_django.spec import load_spec

    spec = load_spec(EXAMPLE_SPEC, require_handlers=False)
    rows = []
    for namespace in spec.namespaces.values():
        for message in [*namespace.received.values(), *namespace.sent.values()]:
            if message.payload.schema is None:
                continue
            instance = example_of(to_json_schema(message.payload.schema, spec.document))
            fast = validation.compile_schema(message.payload.schema, spec.document)
            reference = Draft202012Validator(
                to_json_schema(message.payload.schema, spec.document),
                format_checker=Draft202012Validator.FORMAT_CHECKER).is_valid
            if fast(instance) or not reference(instance):
                continue  # a generated example that misses a pattern: not a fair sample
            rows.append({"event": f"{namespace.name} {message.event}",
                         "fast_us": _per_call(fast, instance),
                         "reference_us": _per_call(reference, instance)})
    return rows


def per_event_micro() -> dict[str, float]:
    """µs asynction_django adds to one event, in-process: no network, no noise from it.

    The spec's namespace (handshake done, validation on or off) against calling the same
    handler directly, as a hand-registered python-socketio handler is.
    """
    import asyncio

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.test.utils import override_settings

    from asynction_django.runtime import get_server
    from bench.handlers import echo
    from bench.load import ITEM

    async def per_event(call) -> float:
        for _ in range(2_000):
            await call()
        started, count = time.perf_counter(), 50_000
        for _ in range(count):
            await call()
        return (time.perf_counter() - started) / count * 1e6

    async def measure() -> dict[str, float]:
        result = {"handler alone": await per_event(lambda: echo("sid", ITEM))}
        for validation in (True, False):
            with override_settings(ASYNCTION_VALIDATION=validation):
                namespace = get_server().namespace_handlers["/"]
                label = "asynction_django" + ("" if validation else " without validation")
                result[label] = await per_event(
                    lambda namespace=namespace: namespace.trigger_event("echo", "sid", ITEM))
        return result

    return asyncio.run(measure())


def _per_call(check, instance) -> float:
    timer = timeit.Timer(lambda: check(instance))
    loops, _ = timer.autorange()
    return min(timer.repeat(5, loops)) / loops * 1e6


def table(results: dict[str, Any]) -> str:
    lines = ["| server | acks/s 1 | acks/s 10 | acks/s 100, median of 3 (× baseline) | "
             "p50 / p99 ms at 100 "
             "(× baseline p99) | fan-out 100: deliveries/s, p99 last | fan-out 1000 | "
             "connections/s | KiB per idle connection | generator CPU |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for label, data in results["servers"].items():
        base = results["servers"].get(data["baseline"], data)
        at100, base100 = data["acks"]["100"], base["acks"]["100"]
        fan100, fan1000 = data["fanout"]["100"], data["fanout"]["1000"]
        cpu = max(run["generator_cpu"] for run in data["acks"].values())
        lines.append(
            f"| {label} | {data['acks']['1']['acks_per_s']:,.0f} "
            f"| {data['acks']['10']['acks_per_s']:,.0f} "
            f"| {at100['acks_per_s']:,.0f} ({at100['acks_per_s'] / base100['acks_per_s']:.2f}) "
            f"| {at100['p50_ms']:.1f} / {at100['p99_ms']:.1f} "
            f"({at100['p99_ms'] / base100['p99_ms']:.2f}) "
            f"| {fan100['deliveries_per_s']:,.0f}, {fan100['last_delivery_p99_ms']:.1f} ms "
            f"| {fan1000['deliveries_per_s']:,.0f}, {fan1000['last_delivery_p99_ms']:.1f} ms "
            f"| {data['connections']['connections_per_s']:,.0f} "
            f"| {data['idle_kib']:.1f} | {cpu:.0%} |")
    return "\n".join(lines)


def budgets(results: dict[str, Any]) -> list[str]:
    """The budgets of issue #8, each stated as met or not."""
    verdicts = []
    for runner in ("daphne", "uvicorn"):
        ours = results["servers"].get(f"asynction_django, {runner}")
        base = results["servers"].get(f"python-socketio, {runner}")
        if not ours or not base:
            continue
        ratio = ours["acks"]["100"]["acks_per_s"] / base["acks"]["100"]["acks_per_s"]
        p99 = ours["acks"]["100"]["p99_ms"] / base["acks"]["100"]["p99_ms"]
        verdicts.append(f"{runner}: throughput at 100 clients {ratio:.1%} of plain "
                        f"python-socketio (budget ≥ 95%: {'met' if ratio >= 0.95 else 'NOT met'})"
                        f"; p99 {p99:.2f}× (budget ≤ 1.2×: {'met' if p99 <= 1.2 else 'NOT met'})")
    return verdicts


def chart(results: dict[str, Any], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = list(results["servers"])
    short = [label.replace("asynction_django", "asynction").replace(" without validation",
                                                                     " (no validation)")
             for label in labels]
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    width = 0.25
    for offset, clients in enumerate(("1", "10", "100")):
        values = [results["servers"][label]["acks"][clients]["acks_per_s"] for label in labels]
        left.barh([index + offset * width for index in range(len(labels))], values, width,
                  label=f"{clients} client(s)")
    left.set_yticks([index + width for index in range(len(labels))], short)
    left.invert_yaxis()
    left.set_xlabel("acks per second (emit with ack round trips)")
    left.legend()
    for offset, clients in enumerate(("100", "1000")):
        values = [results["servers"][label]["fanout"][clients]["deliveries_per_s"]
                  for label in labels]
        right.barh([index + offset * width for index in range(len(labels))], values, width,
                   label=f"to {clients} clients")
    right.set_yticks([index + width / 2 for index in range(len(labels))], [""] * len(labels))
    right.invert_yaxis()
    right.set_xlabel("broadcast deliveries per second")
    right.legend()
    figure.suptitle(f"asynction_django vs python-socketio ({results['machine']})")
    figure.tight_layout()
    figure.savefig(target, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--held-seconds", type=float, default=None,
                        help="length of the 1,000-client held load (default 60, quick 10)")
    parser.add_argument("--docs", action="store_true", help="copy the chart into docs/")
    arguments = parser.parse_args()
    held_seconds = arguments.held_seconds or (10 if arguments.quick else 60)
    results: dict[str, Any] = {
        "machine": f"{psutil.cpu_count()} cores, Python {sys.version.split()[0]}"
                   + (", server and load generator on a core each" if PINNED else ""),
        "servers": {}, "held": {},
    }
    for server in SERVERS:
        print(f"… {server.label}", file=sys.stderr, flush=True)
        server.start()
        try:
            data = measure(server, arguments.quick)
            if server.validation and server.module == "bench.asgi_asynction":
                results["held"][server.label] = held_load(server, held_seconds)
        finally:
            server.stop()
        data["baseline"] = server.baseline
        results["servers"][server.label] = json.loads(json.dumps(data))  # str keys
    results["validation_us"] = validation_micro()
    results["per_event_us"] = per_event_micro()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    chart(results, RESULTS / "chart.png")
    if arguments.docs:
        shutil.copy(RESULTS / "chart.png", ROOT / "docs" / "bench-chart.png")

    print(f"\n{results['machine']}\n")
    print(table(results))
    print("\n| held load: 1,000 clients, one event/s each | acks | lost | p50 / p99 ms | "
          "server RSS MiB (before → after) |\n|---|---|---|---|---|")
    for label, data in results["held"].items():
        print(f"| {label}, {held_seconds:.0f} s | {data['acks']:,} | {data['lost_acks']} | "
              f"{data['p50_ms']:.1f} / {data['p99_ms']:.1f} | "
              f"{data['server_rss_before_mib']:.0f} → {data['server_rss_mib']:.0f} |")
    print("\n| validation of the example's payloads | µs, jsonschema-rs path | µs, jsonschema "
          "alone |\n|---|---|---|")
    for row in results["validation_us"]:
        print(f"| {row['event']} | {row['fast_us']:.2f} | {row['reference_us']:.1f} |")
    fast = statistics.median(row["fast_us"] for row in results["validation_us"])
    print(f"\nmedian µs per validation: {fast:.2f} (jsonschema-rs path)")
    print("\n| one event, in-process (payload and ack checked) | µs |\n|---|---|")
    for label, micros in results["per_event_us"].items():
        print(f"| {label} | {micros:.1f} |")
    print("\n" + "\n".join(budgets(results)))


if __name__ == "__main__":
    main()
