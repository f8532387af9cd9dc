"""The docs page offers the typed clients next to the document: docs/client.ts, client.py."""

from __future__ import annotations

from channels.testing import HttpCommunicator
from django.contrib.auth.models import User
from django.test import TestCase, override_settings
from django.urls import reverse

from asynction_django.asgi import get_asgi_application
from asynction_django.clients import render_client
from asynction_django.runtime import get_server
from tests.apidocs.test_views import DOCS_SPEC

PATHS = ("/team/docs/client.ts", "/team/docs/client.py")


@override_settings(ROOT_URLCONF="tests.docs_urls", ASYNCTION_SPEC=DOCS_SPEC,
                   ASYNCTION_SERVER="local", ASYNCTION_DOCS_ACCESS="open")
class ClientDownloadTests(TestCase):
    def test_url_names(self):
        self.assertEqual(reverse("asynction_django:client-typescript"), PATHS[0])
        self.assertEqual(reverse("asynction_django:client-python"), PATHS[1])

    def test_the_typescript_client(self):
        response = self.client.get(PATHS[0])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="client.ts"')
        text = response.content.decode()
        self.assertEqual(text, render_client(get_server().spec, "typescript",
                                             "/realtime/socket.io/"))
        self.assertIn('export const SOCKETIO_PATH = "/realtime/socket.io/";', text)
        self.assertIn('"place order": (payload: ', text)

    def test_the_python_client(self):
        response = self.client.get(PATHS[1])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/x-python; charset=utf-8")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="client.py"')
        text = response.content.decode()
        self.assertIn('SOCKETIO_PATH = "realtime/socket.io"', text)
        self.assertIn("    async def place_order(self, payload: ", text)
        compile(text, "client.py", "exec")

    def test_the_page_links_both_next_to_the_document(self):
        html = self.client.get("/team/docs").content.decode()
        links = [html.index(f'href="/team/docs/{name}"') for name in
                 ("asyncapi.json", "asyncapi.yaml", "client.ts", "client.py")]
        self.assertEqual(links, sorted(links))
        self.assertLess(links[-1] - links[0], 600)  # one group of downloads

    @override_settings(ASYNCTION_DOCS=False)
    def test_docs_off_is_a_404(self):
        for path in PATHS:
            self.assertEqual(self.client.get(path).status_code, 404)


@override_settings(ROOT_URLCONF="tests.docs_urls", ASYNCTION_SPEC=DOCS_SPEC,
                   ASYNCTION_SERVER="local", ASYNCTION_DOCS_ACCESS="staff")
class ClientDownloadAccessTests(TestCase):
    """The same rule as the docs and asyncapi.json: ASYNCTION_DOCS_ACCESS."""

    def statuses(self) -> set[int]:
        return {self.client.get(path).status_code for path in PATHS}

    def test_staff_only(self):
        self.assertEqual(self.statuses(), {302})
        self.assertRedirects(self.client.get(PATHS[0]),
                             f"/accounts/login/?next={PATHS[0]}", fetch_redirect_response=False)
        self.client.force_login(User.objects.create_user("member", password="x"))
        self.assertEqual(self.statuses(), {403})
        self.client.force_login(User.objects.create_user("staff", password="x", is_staff=True))
        self.assertEqual(self.statuses(), {200})

    @override_settings(ASYNCTION_DOCS_ACCESS="tests.docs_access.only_with_header")
    def test_a_function_of_the_request(self):
        self.assertEqual(self.statuses(), {302})
        response = self.client.get(PATHS[1], headers={"X-Docs": "please"})
        self.assertEqual(response.status_code, 200)

    @override_settings(ROOT_URLCONF="tests.urls", ASYNCTION_DOCS_ACCESS="open")
    async def test_mounted_by_the_asgi_application(self):
        communicator = HttpCommunicator(get_asgi_application(), "GET",
                                        "/realtime/docs/client.ts",
                                        headers=[(b"host", b"testserver")])
        response = await communicator.get_response()
        self.assertEqual(response["status"], 200)
        self.assertIn(b"export type StaffSocket = Socket<", response["body"])
