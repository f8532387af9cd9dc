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

The Socket.IO Admin UI's built front-end is copied as a whole folder, made to work
offline (``vendor_admin_ui``; its icons come from ``npm pack`` of a pinned @mdi/svg).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import quote

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
# Files copied as they are (they ship no source maps) into a folder of TARGET, with
# <folder>.LICENSE.txt beside it: folder -> (npm package, its files by path in it).
FILES = {
    "highlight": ("@highlightjs/cdn-assets", [
        "es/core.min.js", "es/languages/json.min.js",
        "styles/github.min.css", "styles/github-dark.min.css",
    ]),
}


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


def vendor_files() -> None:
    for folder, (package, files) in FILES.items():
        target = TARGET / folder
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copy2(NODE_MODULES / package / name, target / Path(name).name)
        (TARGET / f"{folder}.LICENSE.txt").write_text(licence_text(package))
        print(f"vendored {folder}/ ({package}: {', '.join(files)})")


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
    vendor_files()
    vendor_admin_ui()


# Built front-ends copied as a whole folder: folder under node_modules -> folder of TARGET
# (with LICENSE.txt in it). Each has its own function, which makes it work offline.
FOLDERS = {
    "@socket.io/admin-ui/ui/dist": "admin-ui",
}
# The packages the Admin UI's build bundles (its ui/package.json), all MIT-licensed; they
# are not installed (only the build is), so they are named here.
ADMIN_UI_BUNDLED = ("vue", "vuetify", "vuex", "vue-router", "vue-i18n", "chart.js",
                    "vue-chartjs", "chartjs-adapter-date-fns", "date-fns", "core-js",
                    "socket.io-client", "socket.io-msgpack-parser", "lodash-es")
# Its index.html loads the Material Design Icons webfont from a CDN; the icons the build
# names are drawn from this package's SVGs instead (fetched with `npm pack`, pinned).
ICONS_PACKAGE = "@mdi/svg@7.4.47"
# What the page (templates/asynction_django/admin_ui.html) loads: the files of index.html,
# their hashes taken out.
ADMIN_UI_ASSETS = {"css/chunk-vendors.css", "css/app.css", "js/chunk-vendors.js", "js/app.js"}
HASHED = re.compile(r"\.[0-9a-f]{8}(?=\.(?:js|css)$)")
SOURCE_MAP = re.compile(r"\n?//# sourceMappingURL=\S+\s*$")


def vendor_admin_ui(icons: Path | None = None) -> None:
    """The Socket.IO Admin UI's built front-end, into ``vendor/admin-ui/``, offline.

    Its ``index.html`` is left out: it loads Roboto and the icon font from CDNs. The page
    asynction_django serves loads the same CSS and JS under stable names (the template
    names them), text in the system sans-serif, and ``icons.css``: the icons the build
    names, as SVG masks. Source maps (3 MB) are left out, and so is the comment pointing
    to them (``collectstatic``'s manifest storage would look for the files).
    """
    folder, name = next(iter(FOLDERS.items()))
    source, target = NODE_MODULES / folder, TARGET / name
    index = (source / "index.html").read_text()
    loaded = {HASHED.sub("", asset) for asset in
              re.findall(r'(?:href|src)="((?:css|js)/[^"]+)"', index)}
    if loaded != ADMIN_UI_ASSETS:
        sys.exit(f"the Admin UI's index.html loads {sorted(loaded)}, not "
                 f"{sorted(ADMIN_UI_ASSETS)}: update admin_ui.html and ADMIN_UI_ASSETS")
    if target.exists():
        shutil.rmtree(target)
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source).as_posix()
        if path.is_dir() or path.suffix == ".map" or relative == "index.html":
            continue
        destination = target / HASHED.sub("", relative)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix in (".js", ".css"):
            destination.write_text(SOURCE_MAP.sub("\n", path.read_text()))
        else:
            shutil.copy2(path, destination)
    names = sorted({icon for path in target.glob("js/*.js")
                    for icon in re.findall(r"\bmdi-[a-z0-9]+(?:-[a-z0-9]+)*", path.read_text())})
    with tempfile.TemporaryDirectory() as unpacked:
        package = icons or _unpacked(ICONS_PACKAGE, Path(unpacked))
        (target / "icons.css").write_text(icons_css(package, names))
        icons_licence = _licence_in(package)
    admin_ui = NODE_MODULES / "@socket.io/admin-ui"
    bundled = json.loads((admin_ui / "ui/package.json").read_text())["dependencies"]
    unnamed = sorted(set(bundled) - set(ADMIN_UI_BUNDLED))
    if unnamed:
        sys.exit(f"the Admin UI now bundles {unnamed}: check their licences, then name them "
                 "in ADMIN_UI_BUNDLED")
    separator = "\n" + "-" * 72 + "\n\n"
    (target / "LICENSE.txt").write_text(separator.join([
        licence_text("@socket.io/admin-ui"),
        "Built into js/ and css/ by it, each under the MIT licence:\n"
        + "".join(f"  {package_name}\n" for package_name in ADMIN_UI_BUNDLED),
        f"{ICONS_PACKAGE}, drawn in icons.css ({len(names)} icons)\n\n{icons_licence}",
    ]))
    print(f"vendored {name}/ ({folder}, {len(names)} icons of {ICONS_PACKAGE})")


def _unpacked(spec: str, folder: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to update the vendored bundles (and only for that)")
    done = subprocess.run([npm, "pack", spec, "--silent", "--pack-destination", str(folder)],
                          check=True, capture_output=True, text=True)
    with tarfile.open(folder / done.stdout.strip().splitlines()[-1]) as archive:
        archive.extractall(folder, filter="data")
    return folder / "package"


def icons_css(package: Path, names: list[str]) -> str:
    """A stylesheet drawing each ``mdi-*`` icon as the webfont would, from its SVG."""
    version = json.loads((package / "package.json").read_text())["version"]
    rules = [f"/* Material Design Icons (@mdi/svg {version}, Apache-2.0): the icons the Admin "
             "UI names, drawn as masks in the text colour. */",
             ".mdi::before{content:\"\";display:inline-block;width:1em;height:1em;"
             "vertical-align:middle;background-color:currentColor;"
             "-webkit-mask:var(--mdi) center/contain no-repeat;"
             "mask:var(--mdi) center/contain no-repeat}"]
    for name in names:
        svg = package / "svg" / f"{name.removeprefix('mdi-')}.svg"
        if not svg.exists():
            print(f"  {name}: no such icon, skipped")
            continue
        drawing = re.search(r' d="([^"]+)"', svg.read_text()).group(1)
        image = ("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'>"
                 f"<path d='{drawing}'/></svg>")
        data = quote(image, safe=" =:/,'")
        rules.append(f'.{name}{{--mdi:url("data:image/svg+xml,{data}")}}')
    return "\n".join(rules) + "\n"


def _licence_in(package: Path) -> str:
    for name in LICENSE_NAMES:
        if (package / name).exists():
            return (package / name).read_text().strip() + "\n"
    sys.exit(f"{package} ships no licence file")


if __name__ == "__main__":
    main()
