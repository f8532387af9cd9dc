"""Refresh the browser libraries vendored into the package, from package-lock.json.

The docs playground and the example chat need the Socket.IO client and Ajv in the
browser. They ship inside the Python package (committed under
``asynction_django/static/asynction_django/vendor/``), so installing asynction_django
never needs Node or the npm registry, and no page loads them from a CDN.

To update them: change the versions in package.json, then run

    npm install && python scripts/update_vendor.py

which installs the locked versions (``npm ci``), copies each built bundle with its
source map, and writes ``<bundle>.LICENSE.txt`` with the licence of every npm package
the bundle contains. Commit the result.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
TARGET = ROOT / "asynction_django" / "static" / "asynction_django" / "vendor"

# bundle file (under node_modules) -> the npm packages built into it
BUNDLES = {
    "socket.io-client/dist/socket.io.min.js": [
        "socket.io-client", "engine.io-client", "engine.io-parser", "socket.io-parser",
        "@socket.io/component-emitter",
    ],
    "ajv-dist/dist/ajv2020.min.js": [
        "ajv", "fast-deep-equal", "fast-uri", "json-schema-traverse",
    ],
}
LICENSE_NAMES = ("LICENSE", "LICENSE.md", "license", "license.md", "LICENSE.txt")


def npm_ci() -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to update the vendored bundles (and only for that)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT,
                   check=True)


def licence_text(package: str) -> str:
    folder = NODE_MODULES / package
    version = json.loads((folder / "package.json").read_text())["version"]
    for name in LICENSE_NAMES:
        if (folder / name).exists():
            return f"{package}@{version}\n\n{(folder / name).read_text().strip()}\n"
    sys.exit(f"{package} ships no licence file: name its licence by hand before vendoring it")


def main() -> None:
    npm_ci()
    TARGET.mkdir(parents=True, exist_ok=True)
    for bundle, packages in BUNDLES.items():
        source = NODE_MODULES / bundle
        for path in (source, source.with_suffix(".js.map")):
            shutil.copy2(path, TARGET / path.name)
        separator = "\n" + "-" * 72 + "\n\n"
        (TARGET / f"{source.name}.LICENSE.txt").write_text(
            separator.join(licence_text(package) for package in packages))
        print(f"vendored {source.name} ({', '.join(packages)})")


if __name__ == "__main__":
    main()
