"""Benchmarks: asynction_django against python-socketio, on daphne and uvicorn.

    python bench/run.py            # everything (about 9 minutes on 2 cores)
    python bench/run.py --quick    # one short round, for a look (about 2½ minutes)

Every server under test runs in a process of its own, pinned to one core; the load generator
(``bench/load.mjs``, Node: raw Engine.IO / Socket.IO frames over a WebSocket client of its own)
runs pinned to the other, and reports the CPU it used in each measured window, as a share of
one core; the server's CPU in the same window is read here (a server at ~100 % of its core is
what is being measured), and the generator's own capacity is measured at the end, against a
WebSocket echo of its own code.

Servers, each under daphne and under uvicorn: asynction_django (validation on and off),
bare python-socketio (``socketio.ASGIApp``), the same behind Channels' ``AuthMiddlewareStack``
(the usual way to give it the Django user), and a raw ASGI WebSocket echo, the ceiling.

All servers start at once and stay up; each is warmed up, then measured in turn, round after
round (the order rotating), so that a slow patch of the machine falls on all of them alike.
The table gives medians with min–max over the rounds and ratios against bare python-socketio
on the same server; ``bench/results/latest.json`` keeps every run and ``bench/results/chart.png``
the chart (``--docs`` also copies it to docs/bench-chart.png).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support import free_port, stop, wait_until_serving  # noqa: E402

# With two cores or more, the servers get one and the load generator another, so that
# neither steals the other's time and runs compare.
PINNED = (os.cpu_count() or 1) >= 2
SERVER_CPU, GENERATOR_CPU = {0}, {1}
RESULTS = ROOT / "bench" / "results"
EXAMPLE_SPEC = ROOT / "example_project" / "asyncapi.yaml"
LOAD = ROOT / "bench" / "load.mjs"
# The payload of every event, as bench/load.mjs sends it.
ITEM = {"id": 7, "room": "lobby", "text": "hello, everyone in the room", "sent": 0.5}
CLIENTS = (1, 10, 100)


def pinned_to(cpus: set[int]):
    return (lambda: os.sched_setaffinity(0, cpus)) if PINNED else None


@dataclass(frozen=True)
class Plan:
    rounds: int  # interleaved rounds, every server measured once in each
    warmup: float  # s of round trips before each measured window
    seconds: float  # s of each measured window of round trips
    fanout_rounds: int  # broadcasts measured to 1,000 clients (3× that to 100), after two
    held_seconds: float


FULL = Plan(rounds=4, warmup=0.5, seconds=1.5, fanout_rounds=10, held_seconds=30)
QUICK = Plan(rounds=1, warmup=0.3, seconds=0.7, fanout_rounds=3, held_seconds=5)


class ServerUnderTest:
    def __init__(self, label: str, runner: str, module: str, *, validation: bool = True,
                 echo: bool = False):
        self.label = label
        self.runner = runner
        self.module = module
        self.validation = validation
        self.echo = echo  # a bare WebSocket echo, not a Socket.IO server
        self.baseline = f"python-socketio, {runner}"
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        if self.echo:
            return f"ws://127.0.0.1:{self.port}/"
        return f"ws://127.0.0.1:{self.port}/socket.io/?EIO=4&transport=websocket"

    def start(self) -> None:
        self.port = free_port()
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

    def cpu_seconds(self) -> float:
        times = psutil.Process(self.process.pid).cpu_times()
        return times.user + times.system

    def rss(self) -> int:
        return psutil.Process(self.process.pid).memory_info().rss

    def settle(self, limit: float = 5.0) -> None:
        """Wait until the server is idle (the previous run's closing connections handled)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(0.1)
            if self.cpu_seconds() - before < 0.01:
                return

    def stop(self) -> None:
        stop(self.process, 15)


def servers() -> list[ServerUnderTest]:
    rows = []
    for runner in ("daphne", "uvicorn"):
        rows += [
            ServerUnderTest(f"asynction_django, {runner}", runner, "bench.asgi_asynction"),
            ServerUnderTest(f"asynction_django without validation, {runner}", runner,
                            "bench.asgi_asynction", validation=False),
            ServerUnderTest(f"python-socketio + AuthMiddlewareStack, {runner}", runner,
                            "bench.asgi_plain_auth"),
            ServerUnderTest(f"python-socketio, {runner}", runner, "bench.asgi_plain"),
            ServerUnderTest(f"raw ASGI echo, {runner}", runner, "bench.asgi_echo", echo=True),
        ]
    return rows


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise SystemExit("bench/run.py needs Node.js 18 or later (node) for the load generator")
    return found


def generate(server: ServerUnderTest, scenario: str, on_connected=None,
             **options: Any) -> dict[str, Any]:
    """One run of the load generator against ``server``. Adds ``server_cpu``: the server's
    CPU, as a fraction of one core, in the generator's measured window. ``on_connected``
    is called once the clients are connected and before they do anything (``--pause``)."""
    command = [node(), str(LOAD), scenario, "--url", server.url]
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    if on_connected is not None:
        command.append("--pause")
    with tempfile.TemporaryFile("w+") as errors:
        generator = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=errors, text=True,
                                     preexec_fn=pinned_to(GENERATOR_CPU))
        result, window = None, {}
        for line in generator.stdout:
            message = json.loads(line)
            phase = message.get("phase")
            if phase == "measure":
                window = {"cpu": server.cpu_seconds(), "at": time.perf_counter()}
            elif phase == "end" and window:
                window["server_cpu"] = ((server.cpu_seconds() - window["cpu"])
                                        / (time.perf_counter() - window["at"]))
            elif phase == "connected" and on_connected is not None:
                on_connected()
                generator.stdin.write("go\n")
                generator.stdin.flush()
            elif phase is None and "ready" not in message:
                result = message
        if generator.wait() or result is None:
            errors.seek(0)
            raise RuntimeError(f"load generator failed on {server.label} ({scenario}):\n"
                               f"{errors.read()}")
    if window.get("server_cpu"):
        result["server_cpu"] = window["server_cpu"]
        if "acks_per_s" in result:  # the server's work per CPU-second: steadier than per second
            result["acks_per_server_cpu_s"] = result["acks_per_s"] / window["server_cpu"]
    return result


class NodeEcho(ServerUnderTest):
    """A WebSocket echo in the load generator's own code (``load.mjs serve-echo``), on the
    servers' core: what the generator can drive when the server costs next to nothing."""

    def __init__(self):
        super().__init__("the generator's own echo (Node)", "node", "", echo=True)

    def start(self) -> None:
        self.process = subprocess.Popen([node(), str(LOAD), "serve-echo", "--port", "0"],
                                        cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                        preexec_fn=pinned_to(SERVER_CPU))
        self.port = json.loads(self.process.stdout.readline())["port"]


def generator_capacity(seconds: float) -> dict[str, Any]:
    """Round trips per second of the generator against its own echo, and its CPU doing them."""
    echo = NodeEcho()
    echo.start()
    try:
        generate(echo, "echo", clients=10, seconds=0.5, warmup=0)
        runs = [generate(echo, "echo", clients=clients, seconds=seconds, warmup=0.5)
                for clients in (10, 100)]
    finally:
        echo.stop()
    best = max(runs, key=lambda run: run["acks_per_s"])
    return {**best, "per_core": best["acks_per_s"] / best["generator_cpu"]}


def warm_up(server: ServerUnderTest) -> None:
    """Unmeasured traffic before the first round: imports, caches, the allocator's pools."""
    scenario = "echo" if server.echo else "acks"
    generate(server, scenario, clients=20, seconds=1.5, warmup=0)
    if not server.echo:
        generate(server, "fanout", clients=100, rounds=3)
    server.settle()


def measure_round(server: ServerUnderTest, plan: Plan, first: bool) -> dict[str, Any]:
    """One round of every scenario on ``server``."""
    runs: dict[str, Any] = {}
    scenario = "echo" if server.echo else "acks"
    for clients in CLIENTS:
        runs[f"acks_{clients}"] = generate(server, scenario, clients=clients,
                                           seconds=plan.seconds, warmup=plan.warmup)
        server.settle()
    if server.echo:
        return runs
    runs["fanout_100"] = generate(server, "fanout", clients=100, rounds=3 * plan.fanout_rounds)
    server.settle()
    # 1,000 receivers connect 20 at a time (connections/s); in the first round, the server's
    # memory is read before they connect and once they are all in, idle.
    memory = {"before": server.rss()}

    def connected() -> None:
        time.sleep(0.5)
        memory["after"] = server.rss()

    runs["fanout_1000"] = generate(server, "fanout", on_connected=connected if first else None,
                                   clients=1000, rounds=plan.fanout_rounds)
    if first:
        runs["idle_kib"] = (memory["after"] - memory["before"]) / 1000 / 1024
    server.settle()
    return runs


def held_load(server: ServerUnderTest, seconds: float) -> dict[str, Any]:
    """1,000 clients, one event with an ack per second each."""
    before = server.rss()
    result = generate(server, "held", clients=1000, seconds=seconds)
    result["server_rss_mib"] = server.rss() / 2**20
    result["server_rss_before_mib"] = before / 2**20
    return result


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median, min and max over the rounds of every number of every scenario."""
    summary: dict[str, Any] = {}
    for scenario, first in runs[0].items():
        if not isinstance(first, dict):
            continue
        summary[scenario] = {}
        for field in first:
            values = [run[scenario][field] for run in runs if field in run.get(scenario, {})]
            summary[scenario][field] = {"median": statistics.median(values),
                                        "min": min(values), "max": max(values)}
    return summary


def validation_micro(repeat: int = 5) -> list[dict[str, Any]]:
    """µs per validation of the example project's schemas: the server's check (jsonschema-rs)
    against Python's ``jsonschema`` on the same translated schema, for scale."""
    from jsonschema import Draft202012Validator

    from asynction_django import validation
    from asynction_django.apidocs.examples import example_of
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
                         "fast_us": _per_call(fast, instance, repeat),
                         "reference_us": _per_call(reference, instance, repeat)})
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


def _per_call(check, instance, repeat: int) -> float:
    timer = timeit.Timer(lambda: check(instance))
    loops, _ = timer.autorange()
    return min(timer.repeat(repeat, loops)) / loops * 1e6


def _number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def spread(stat: dict[str, float], digits: int = 0) -> str:
    """``median (min–max)`` of one number over the rounds."""
    if stat["min"] == stat["max"]:
        return _number(stat["median"], digits)
    return (f"{_number(stat['median'], digits)} "
            f"({_number(stat['min'], digits)}–{_number(stat['max'], digits)})")


def generator_cpu(data: dict[str, Any]) -> float:
    """The generator's highest CPU use in any measured window of a row, × one core."""
    return max(run["generator_cpu"] for round_ in data["runs"] for run in round_.values()
               if isinstance(run, dict))


def table(results: dict[str, Any]) -> str:
    lines = ["| server | round trips/s, 1 client | 10 clients | 100 clients | × bare "
             "| per server CPU-second | p50 / p99 ms at 100 | × bare p99 "
             "| fan-out to 100, deliveries/s | to 1,000 | connections/s "
             "| KiB per connection | CPU at 100: server / generator | generator CPU, max |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, data in results["servers"].items():
        summary = data["summary"]
        base = results["servers"][data["baseline"]]["summary"]
        at100, base100 = summary["acks_100"], base["acks_100"]
        cells = [label, *(spread(summary[f"acks_{clients}"]["acks_per_s"])
                          for clients in CLIENTS),
                 f"{at100['acks_per_s']['median'] / base100['acks_per_s']['median']:.2f}",
                 spread(at100["acks_per_server_cpu_s"]),
                 f"{at100['p50_ms']['median']:.1f} / {spread(at100['p99_ms'], 1)}",
                 f"{at100['p99_ms']['median'] / base100['p99_ms']['median']:.2f}"]
        if data["echo"]:
            cells += ["—", "—", "—", "—"]
        else:
            cells += [spread(summary["fanout_100"]["deliveries_per_s"]),
                      spread(summary["fanout_1000"]["deliveries_per_s"]),
                      spread(summary["fanout_1000"]["connections_per_s"]),
                      f"{data['idle_kib']:.0f}"]
        cells += [f"{at100['server_cpu']['median']:.0%} / {at100['generator_cpu']['median']:.0%}",
                  f"{generator_cpu(data):.0%}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


STRETCH = 20_000  # acks/s at 100 clients on uvicorn: twice python-socketio's on a faster box


def budgets(results: dict[str, Any]) -> list[str]:
    """The budgets of issue #8 (throughput at 100 clients ≥ 95 % and p99 ≤ 1.2× of
    python-socketio), against bare python-socketio and against python-socketio behind
    Channels' ``AuthMiddlewareStack`` (which also gives handlers the Django user)."""
    verdicts = []
    for runner in ("daphne", "uvicorn"):
        ours = results["servers"].get(f"asynction_django, {runner}")
        if not ours:
            continue
        parts = []
        for name, label in (("bare", f"python-socketio, {runner}"),
                            ("+ AuthMiddlewareStack",
                             f"python-socketio + AuthMiddlewareStack, {runner}")):
            base = results["servers"][label]["summary"]["acks_100"]
            at100 = ours["summary"]["acks_100"]
            ratio = at100["acks_per_s"]["median"] / base["acks_per_s"]["median"]
            p99 = at100["p99_ms"]["median"] / base["p99_ms"]["median"]
            parts.append(f"vs python-socketio {name}: throughput {ratio:.1%} "
                         f"({'met' if ratio >= 0.95 else 'NOT met'}), "
                         f"p99 {p99:.2f}× ({'met' if p99 <= 1.2 else 'NOT met'})")
        verdicts.append(f"{runner}, 100 clients: " + "; ".join(parts))
    uvicorn = results["servers"].get("asynction_django, uvicorn")
    if uvicorn:
        rate = uvicorn["summary"]["acks_100"]["acks_per_s"]["median"]
        verdicts.append(f"stretch: {STRETCH:,} acks/s at 100 clients on uvicorn: {rate:,.0f} "
                        f"({'met' if rate >= STRETCH else 'NOT met'})")
    return verdicts


def chart(results: dict[str, Any], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = list(results["servers"])
    short = [label.replace("asynction_django", "asynction").replace(" without validation",
                                                                     " (no validation)")
             .replace(" + AuthMiddlewareStack", " + auth stack") for label in labels]
    figure, (left, right) = plt.subplots(1, 2, figsize=(14, 6.5))
    width = 0.27

    def bars(axis, key: str, field: str, offset: int, name: str) -> None:
        rows = [(index, results["servers"][label]["summary"].get(key))
                for index, label in enumerate(labels)]
        rows = [(index, stat[field]) for index, stat in rows if stat]
        medians = [stat["median"] for _, stat in rows]
        errors = [[stat["median"] - stat["min"] for _, stat in rows],
                  [stat["max"] - stat["median"] for _, stat in rows]]
        axis.barh([index + offset * width for index, _ in rows], medians, width,
                  xerr=errors, capsize=2, label=name)

    for offset, clients in enumerate(CLIENTS):
        bars(left, f"acks_{clients}", "acks_per_s", offset, f"{clients} client(s)")
    left.set_yticks([index + width for index in range(len(labels))], short)
    left.invert_yaxis()
    left.set_xlabel("round trips per second (emit with ack; the echo: frame and echo)")
    left.legend()
    for offset, clients in enumerate((100, 1000)):
        bars(right, f"fanout_{clients}", "deliveries_per_s", offset, f"to {clients} clients")
    right.set_yticks([index + width / 2 for index in range(len(labels))], [""] * len(labels))
    right.invert_yaxis()
    right.set_xlabel("broadcast deliveries per second")
    right.legend()
    rounds = results["rounds"]
    figure.suptitle("asynction_django vs python-socketio: "
                    + (f"medians of {rounds} rounds, bars min–max" if rounds > 1 else "one round")
                    + f"\n{results['machine']}")
    figure.tight_layout()
    figure.savefig(target, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs, two rounds")
    parser.add_argument("--rounds", type=int, default=None,
                        help=f"interleaved rounds (default {FULL.rounds}, quick {QUICK.rounds})")
    parser.add_argument("--held-seconds", type=float, default=None,
                        help=f"length of the 1,000-client held load (default "
                             f"{FULL.held_seconds:.0f}, quick {QUICK.held_seconds:.0f})")
    parser.add_argument("--docs", action="store_true", help="copy the chart into docs/")
    arguments = parser.parse_args()
    plan = QUICK if arguments.quick else FULL
    plan = Plan(rounds=arguments.rounds or plan.rounds, warmup=plan.warmup,
                seconds=plan.seconds, fanout_rounds=plan.fanout_rounds,
                held_seconds=arguments.held_seconds or plan.held_seconds)
    node_version = subprocess.run([node(), "--version"], capture_output=True,
                                  text=True).stdout.strip()
    if PINNED:  # this process only waits on the generator: it stays off the servers' core
        os.sched_setaffinity(0, GENERATOR_CPU)
    results: dict[str, Any] = {
        "machine": f"{psutil.cpu_count()} cores, Python {sys.version.split()[0]}, "
                   f"Node {node_version}"
                   + (", servers and load generator on a core each" if PINNED else ""),
        "rounds": plan.rounds, "plan": plan.__dict__, "servers": {}, "held": {},
    }
    started = time.monotonic()

    def progress(text: str) -> None:
        print(f"[{time.monotonic() - started:5.0f} s] {text}", file=sys.stderr, flush=True)

    under_test = servers()
    runs: dict[str, list[dict[str, Any]]] = {server.label: [] for server in under_test}
    try:
        for server in under_test:
            server.start()
        for server in under_test:
            wait_until_serving(server.process, server.port, server.label, timeout=120)
        progress(f"{len(under_test)} servers up; warming up")
        for server in under_test:
            warm_up(server)
        for round_ in range(plan.rounds):
            # Every round measures all servers in turn, starting one further along each time.
            shift = round_ * len(under_test) // plan.rounds
            for server in under_test[shift:] + under_test[:shift]:
                progress(f"round {round_ + 1}/{plan.rounds}: {server.label}")
                runs[server.label].append(measure_round(server, plan, first=round_ == 0))
        for server in under_test:
            if server.module == "bench.asgi_asynction" and server.validation:
                progress(f"held load, {plan.held_seconds:.0f} s: {server.label}")
                results["held"][server.label] = held_load(server, plan.held_seconds)
    finally:
        for server in under_test:
            server.stop()
    for server in under_test:
        results["servers"][server.label] = {
            "runner": server.runner, "echo": server.echo, "baseline": server.baseline,
            "runs": runs[server.label], "summary": summarize(runs[server.label]),
            "idle_kib": runs[server.label][0].get("idle_kib"),
        }
    progress("the load generator's own capacity")
    results["generator_capacity"] = generator_capacity(plan.seconds)
    progress("in-process measures")
    results["validation_us"] = validation_micro(repeat=2 if arguments.quick else 5)
    results["per_event_us"] = per_event_micro()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    chart(results, RESULTS / "chart.png")
    if arguments.docs:
        shutil.copy(RESULTS / "chart.png", ROOT / "docs" / "bench-chart.png")
    progress("done")

    rounds = (f"medians (min–max) of {plan.rounds} interleaved rounds" if plan.rounds > 1
              else "one round")
    print(f"\n{results['machine']}; {rounds}, {plan.seconds:g} s windows after "
          f"{plan.warmup:g} s of warm-up\n")
    print(table(results))
    busiest_label, busiest = max(results["servers"].items(),
                                 key=lambda item: generator_cpu(item[1]))
    fastest = max(data["summary"]["acks_100"]["acks_per_s"]["max"]
                  for data in results["servers"].values())
    capacity = results["generator_capacity"]
    print(f"\nload generator: one Node process; at most {generator_cpu(busiest):.0%} of its core "
          f"in any measured window ({busiest_label}). Alone, against an echo of its own code on "
          f"the servers' core: {capacity['acks_per_s']:,.0f} round trips/s at "
          f"{capacity['generator_cpu']:.0%} of its core ({capacity['generator_cpu_system']:.0%} "
          f"of the core in the kernel), about {capacity['per_core']:,.0f}/s per core; the fastest "
          f"server here ran {fastest:,.0f}/s, {fastest / capacity['per_core']:.0%} of that.")
    print("\n| held load: 1,000 clients, one event/s each | acks | lost | p50 / p99 ms | "
          "server RSS MiB (before → after) | generator CPU |\n|---|---|---|---|---|---|")
    for label, data in results["held"].items():
        print(f"| {label}, {plan.held_seconds:.0f} s | {data['acks']:,} | {data['lost_acks']} | "
              f"{data['p50_ms']:.1f} / {data['p99_ms']:.1f} | "
              f"{data['server_rss_before_mib']:.0f} → {data['server_rss_mib']:.0f} | "
              f"{data['generator_cpu']:.0%} |")
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
