"""What connection state recovery's log holds after a burst of large emits, and after it.

    python bench/recovery_memory.py               # 400 emits of 0.9 MB, recovery on and off

With recovery on, every emit sent without an ack is kept for replay (the window plus the
ping budget). This measures the server process's resident memory before a burst, right
after it, and once the emits have expired with no further traffic (they are purged on a
timer), against the same burst with recovery off. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = {
    "asyncapi": "2.6.0",
    "info": {"title": "Burst", "version": "1"},
    "channels": {"/": {"subscribe": {"message": {"name": "news",
                                                 "payload": {"type": "string"}}}}},
}


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure(recovery: bool, count: int, size: int, window: float) -> dict[str, float]:
    """One burst in this process (run once per process: memory is not shared between runs)."""
    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["channels", "asynction_django"], SECRET_KEY="bench", DEBUG=False,
        ASYNCTION_SPEC=SPEC, ASYNCTION_SOCKETIO={"ping_interval": 1, "ping_timeout": 1},
        ASYNCTION_CONNECTION_STATE_RECOVERY=(
            {"max_disconnection_duration": window} if recovery else None))
    django.setup()
    from asynction_django import get_server

    async def burst() -> dict[str, float]:
        server = get_server()
        before = rss_mib()
        for number in range(count):
            # a room nobody is in: python-socketio sends nothing, recovery logs it all the same
            await server.emit("news", f"{number:08d}" + "x" * size, to="nobody")
        after = rss_mib()
        deadline = time.monotonic() + window + 2 + 30
        store = server.recovery.store if server.recovery is not None else None
        while store is not None and time.monotonic() < deadline:
            if store.size == (0, 0, 0):  # every emit expired and was purged
                break
            await asyncio.sleep(0.1)
        else:
            await asyncio.sleep(window + 2)  # off: the same quiet period, for the same reading
        return {"before": before, "after_burst": after, "after_quiet": rss_mib()}

    return asyncio.run(burst())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--size", type=int, default=900_000, help="bytes per emit")
    parser.add_argument("--window", type=float, default=5.0,
                        help="max_disconnection_duration (s)")
    parser.add_argument("--one", choices=["on", "off"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        result = measure(args.one == "on", args.count, args.size, args.window)
        print(json.dumps(result))
        return
    print(f"{args.count} emits of {args.size / 1e6:.1f} MB, window {args.window:.0f} s")
    print(f"{'recovery':<9} {'before':>9} {'after burst':>12} {'after quiet':>12}")
    for mode in ("off", "on"):
        done = subprocess.run([sys.executable, __file__, "--one", mode, "--count",
                               str(args.count), "--size", str(args.size), "--window",
                               str(args.window)], capture_output=True, text=True, check=True,
                              cwd=ROOT)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{mode:<9} {figures['before']:>7.0f} MiB {figures['after_burst']:>8.0f} MiB "
              f"{figures['after_quiet']:>8.0f} MiB")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
