"""What a user gets from a plain install: vendored bundles, and static files under plain
daphne (DEBUG on, and collectstatic plus WhiteNoise)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import requests
from django.test import SimpleTestCase

from tests.settings import INSTALLED_APPS, MIDDLEWARE
from tests.support import ROOT, LiveServer

VENDOR = ROOT / "asynction_django" / "static" / "asynction_django" / "vendor"
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')


class VendoredBundleTests(SimpleTestCase):
    """The browser bundles ship in the package, each with its licences, as locked."""

    def test_each_bundle_ships_with_its_map_and_licences_at_the_locked_version(self):
        lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
        for bundle, package in (("socket.io.min.js", "socket.io-client"),
                                ("ajv2020.min.js", "ajv")):
            with self.subTest(bundle=bundle):
                self.assertGreater((VENDOR / bundle).stat().st_size, 10_000)
                self.assertTrue((VENDOR / f"{bundle}.map").exists())
                licences = (VENDOR / f"{bundle}.LICENSE.txt").read_text()
                version = lock[f"node_modules/{package}"]["version"]
                self.assertTrue(licences.startswith(f"{package}@{version}\n"), licences[:80])
                self.assertIn("Permission is hereby granted", licences)


def asset_statuses(base_url: str, page: str) -> dict[str, int]:
    """Every static file ``page`` links, with the status plain daphne answers it with."""
    html = requests.get(f"{base_url}{page}", timeout=10)
    html.raise_for_status()
    assets = ASSET.findall(html.text)
    return {asset: requests.get(f"{base_url}{asset}", timeout=10).status_code
            for asset in assets}


class PlainDaphneDebugStaticTests(SimpleTestCase):
    """``daphne project.asgi:application`` with DEBUG on serves the docs' assets."""

    def test_docs_page_and_every_asset_it_links(self):
        server = LiveServer({"DEBUG": True,
                             "INSTALLED_APPS": [*INSTALLED_APPS, "django.contrib.staticfiles"]})
        self.addCleanup(server.stop)
        server.start("/socket.io/")
        statuses = asset_statuses(server.url, "/docs")
        self.assertIn("/static/asynction_django/vendor/socket.io.min.js", statuses)
        self.assertIn("/static/asynction_django/docs.css", statuses)
        self.assertEqual(set(statuses.values()), {200}, statuses)


class PlainDaphneProductionStaticTests(SimpleTestCase):
    """DEBUG off: collectstatic plus WhiteNoise, as the README's deployment section says."""

    def test_docs_page_and_every_asset_it_links(self):
        static_root = tempfile.TemporaryDirectory()
        self.addCleanup(static_root.cleanup)
        server = LiveServer({
            "DEBUG": False,
            "INSTALLED_APPS": [*INSTALLED_APPS, "django.contrib.staticfiles"],
            "MIDDLEWARE": ["whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE],
            "STATIC_ROOT": static_root.name,
            "STORAGES": {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {
                    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
            },
            "ASYNCTION_DOCS_ACCESS": "open",
        })
        self.addCleanup(server.stop)
        server.run_python("from django.core.management import call_command\n"
                          "call_command('collectstatic', interactive=False, verbosity=0)")
        self.assertTrue((Path(static_root.name) / "asynction_django" / "vendor"
                         / "socket.io.min.js").exists())
        server.start("/socket.io/")
        statuses = asset_statuses(server.url, "/docs")
        self.assertTrue(any(re.search(r"socket\.io\.min\.[0-9a-f]{12}\.js", asset)
                            for asset in statuses), statuses)
        self.assertEqual(set(statuses.values()), {200}, statuses)
