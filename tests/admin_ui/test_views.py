"""The Socket.IO Admin UI's page: behind Django's authentication, mounted with the docs,
and every file it loads served with DEBUG off."""

from __future__ import annotations

import json
import re
import tempfile

import requests
from channels.testing import HttpCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.checks import run_checks
from django.test import SimpleTestCase, TestCase, override_settings
from django.test.utils import override_script_prefix

from asynction_django.asgi import DocsRouter
from tests.admin_ui_handlers import INSTALLED_APPS, SPEC
from tests.settings import MIDDLEWARE
from tests.support import LiveServer


@override_settings(ROOT_URLCONF="tests.admin_ui_urls", ASYNCTION_SPEC=SPEC,
                   ASYNCTION_DOCS_ACCESS="open")
class PageTests(TestCase):
    url = "/docs/admin-ui/"

    @classmethod
    def setUpTestData(cls):
        users = get_user_model().objects
        cls.staff = users.create_user("stella", password="pw-admin-ui-1", is_staff=True)
        cls.member = users.create_user("mo", password="pw-admin-ui-1")
        cls.boss = users.create_superuser("bo", password="pw-admin-ui-1")

    def get(self, user=None, **extra):
        if user is not None:
            self.client.force_login(user)
        return self.client.get(self.url, **extra)

    def connection(self, response) -> dict:
        found = re.search(r'<script id="asynction-admin-ui" type="application/json">(.*?)'
                          r"</script>", response.content.decode())
        return json.loads(found.group(1))

    def test_no_page_when_off(self):
        self.assertEqual(self.get(self.staff).status_code, 404)

    @override_settings(ASYNCTION_ADMIN_UI={"enabled": False})
    def test_no_page_when_disabled(self):
        self.assertEqual(self.get(self.boss).status_code, 404)

    @override_settings(ASYNCTION_ADMIN_UI=True)
    def test_anonymous_users_are_sent_to_log_in(self):
        response = self.get()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/accounts/login/?next=/docs/admin-ui/")

    @override_settings(ASYNCTION_ADMIN_UI=True)
    def test_users_who_are_not_staff_are_forbidden(self):
        self.assertEqual(self.get(self.member).status_code, 403)
        self.staff.is_active = False
        self.staff.save()
        self.assertEqual(self.get(self.staff).status_code, 302)  # inactive: logged out

    @override_settings(ASYNCTION_ADMIN_UI=True)
    def test_staff_get_the_ui_set_to_connect_here(self):
        response = self.get(self.staff)
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertEqual(self.connection(response), {"namespace": "/admin",
                                                     "path": "/socket.io"})
        html = response.content.decode()
        self.assertIn("<title>Socket.IO Admin UI · Admin UI fixture</title>", html)
        self.assertIn('<base href="/static/asynction_django/vendor/admin-ui/">', html)
        for asset in ("css/chunk-vendors.css", "css/app.css", "icons.css",
                      "js/chunk-vendors.js", "js/app.js"):
            self.assertIn(f'"/static/asynction_django/vendor/admin-ui/{asset}"', html)
        # Nothing comes from elsewhere: no fonts, icons or scripts from a CDN.
        self.assertNotRegex(html, r"(src|href)=\"(https?:)?//")

    @override_settings(ASYNCTION_ADMIN_UI={"namespace": "/ops"})
    def test_the_namespace_and_the_script_prefix_are_passed_on(self):
        with override_script_prefix("/app/"):
            response = self.get(self.staff)
        self.assertEqual(self.connection(response), {"namespace": "/ops",
                                                     "path": "/app/socket.io"})

    @override_settings(ASYNCTION_ADMIN_UI={"permission": "auth.view_user"})
    def test_a_permission_instead_of_staff(self):
        self.assertEqual(self.get(self.staff).status_code, 403)
        self.member.user_permissions.add(Permission.objects.get(codename="view_user"))
        self.assertEqual(self.get(self.member).status_code, 200)

    @override_settings(ASYNCTION_ADMIN_UI={"permission": "superuser"})
    def test_superusers_only(self):
        self.assertEqual(self.get(self.staff).status_code, 403)
        self.assertEqual(self.get(self.boss).status_code, 200)

    @override_settings(ASYNCTION_ADMIN_UI={"namespace": "/ops-watch"})
    def test_the_admin_namespace_stays_out_of_the_docs_spec_clients_and_checks(self):
        self.client.force_login(self.staff)
        for url in ("/docs", "/docs/asyncapi.json", "/docs/asyncapi.yaml", "/docs/client.ts",
                    "/docs/client.py"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertIn(b"/chat", response.content)
                self.assertNotIn(b"ops-watch", response.content)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        messages = [message for message in run_checks(tags=["asynction"])
                    if message.id.startswith("asynction.")]
        self.assertEqual(messages, [])


@override_settings(ASYNCTION_SPEC=SPEC, ASYNCTION_DOCS=False, ASYNCTION_ADMIN_UI=True)
class MountedPageTests(TestCase):
    """``get_asgi_application()`` mounts the page with the docs, even when they are off."""

    async def get(self, path: str):
        async def not_found(scope, receive, send):
            await send({"type": "http.response.start", "status": 418, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        communicator = HttpCommunicator(DocsRouter(not_found), "GET", path,
                                        headers=[(b"host", b"testserver")])
        return await communicator.get_response()

    async def test_served_with_the_docs_off(self):
        page = await self.get("/docs/admin-ui/")
        self.assertEqual(page["status"], 302)  # the page itself: anonymous, so log in
        self.assertEqual((await self.get("/docs"))["status"], 418)  # the project's own

    @override_settings(ASYNCTION_ADMIN_UI=False)
    async def test_the_project_keeps_the_path_when_off(self):
        self.assertEqual((await self.get("/docs/admin-ui/"))["status"], 418)


class ProductionStaticTests(SimpleTestCase):
    """DEBUG off: collectstatic with hashed names plus WhiteNoise serve every file the
    page loads, and the images its build finds relative to ``<base>``."""

    def test_the_page_and_every_file_it_loads(self):
        static_root = tempfile.TemporaryDirectory()
        self.addCleanup(static_root.cleanup)
        server = LiveServer({
            "ASYNCTION_SPEC": SPEC, "ASYNCTION_ADMIN_UI": True, "DEBUG": False,
            "ROOT_URLCONF": "tests.admin_ui_urls", "INSTALLED_APPS": INSTALLED_APPS,
            "MIDDLEWARE": ["whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE],
            "STATIC_ROOT": static_root.name,
            "STORAGES": {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {
                    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
            },
        }, database=True)
        self.addCleanup(server.stop)
        server.run_python("from django.core.management import call_command\n"
                          "call_command('collectstatic', interactive=False, verbosity=0)")
        server.start("/socket.io/")
        cookie = server.run_python(
            "from django.contrib.auth import get_user_model\n"
            "from asynction_django.testing import session_cookie\n"
            "print(session_cookie(get_user_model().objects.create_user("
            "'ops', password='pw-admin-ui-1', is_staff=True)))\n").strip()
        page = requests.get(f"{server.url}/docs/admin-ui/", headers={"Cookie": cookie},
                            timeout=10)
        self.assertEqual(page.status_code, 200)
        base = re.search(r'<base href="([^"]+)">', page.text).group(1)
        assets = re.findall(r'<(?:link|script)[^>]* (?:src|href)="([^"]+)"', page.text)
        self.assertEqual(len(assets), 6, assets)  # the icon, 3 stylesheets, 2 scripts
        self.assertRegex(assets[-1], r"/js/app\.[0-9a-f]{12}\.js$")
        for asset in [*assets, f"{base}img/logo-light.73342c25.svg"]:
            with self.subTest(asset=asset):
                self.assertEqual(requests.get(f"{server.url}{asset}", timeout=10).status_code,
                                 200)
