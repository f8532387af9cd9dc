"""The docs page and the resolved document, as Django views and as mounted by the ASGI app."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import yaml
from channels.testing import HttpCommunicator
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import TestCase, override_settings

from asynction_django.apidocs.views import api_docs
from asynction_django.asgi import get_asgi_application
from asynction_django.checks import AUTH_MIDDLEWARE, check_docs_access, check_spec
from asynction_django.runtime import get_server
from tests.support import ROOT, SPECS

TEMPLATES = ROOT / "tests" / "templates"
DOCS_SPEC = SPECS / "docs.yaml"


class _Text(HTMLParser):
    """The page as a reader sees it: text, with scripts left out."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " | ".join(parser.parts)


@override_settings(ROOT_URLCONF="tests.docs_urls", ASYNCTION_SPEC=DOCS_SPEC,
                   ASYNCTION_SERVER="local", ASYNCTION_DOCS_ACCESS="open")
class DocsPageTests(TestCase):
    def page(self) -> str:
        response = self.client.get("/team/docs")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_shows_info_servers_and_the_socketio_path(self):
        text = visible_text(self.page())
        for expected in ("Docs fixture", "v3.1.4", "AsyncAPI 2.6.0",
                         "An API that uses everything the docs page shows.",
                         "production", "wss://api.example.com/realtime/socket.io",
                         "The public endpoint.", "/realtime/socket.io/",
                         'io("http://testserver/", {path: "/realtime/socket.io/"})'):
            self.assertIn(expected, text)
        # ASYNCTION_SERVER picks "local"; the page is not served from it (testserver).
        self.assertIn("local | configured | localhost/realtime/socket.io", text)
        self.assertNotIn("served here", text)
        self.assertIn("None of these is where this page comes from (http://testserver).", text)

    def test_served_here_is_the_server_at_the_pages_own_origin(self):
        def badges(secure=False, **headers):
            response = self.client.get("/team/docs", secure=secure, headers=headers)
            text = visible_text(response.content.decode())
            return [name for name in ("production", "local")
                    if f"{name} | served here" in text]

        with override_settings(ALLOWED_HOSTS=["testserver", "localhost", "127.0.0.1",
                                              "api.example.com"]):
            self.assertEqual(badges(), [])
            self.assertEqual(badges(Host="localhost"), ["local"])  # ws: plain http, port 80
            self.assertEqual(badges(Host="127.0.0.1:80"), ["local"])  # the same machine
            self.assertEqual(badges(Host="localhost:8000"), [])
            self.assertEqual(badges(secure=True, Host="localhost"), [])
            self.assertEqual(badges(secure=True, Host="api.example.com"), ["production"])
            self.assertEqual(badges(secure=True, Host="api.example.com:443"), ["production"])
            self.assertEqual(badges(Host="api.example.com"), [])  # not over http

    def test_connect_snippets_use_the_pages_origin_and_each_namespace(self):
        html = self.page()
        self.assertIn('<pre class="snippet"><code class="connect">'
                      'io("http://testserver/", {path: "/realtime/socket.io/"})\n'
                      'io("http://testserver/staff", {path: "/realtime/socket.io/"})</code></pre>',
                      html)
        text = visible_text(html)
        self.assertIn('Namespace | /staff | Connect | '
                      'io("http://testserver/staff", {path: "/realtime/socket.io/"})', text)
        response = self.client.get("/team/docs", secure=True, headers={"Host": "localhost"})
        self.assertIn('io("https://localhost/staff", {path: "/realtime/socket.io/"})',
                      response.content.decode())

    def test_events_in_each_direction_with_their_schemas(self):
        html = self.page()
        self.assertIn('data-event="place order" data-direction="receive"', html)
        self.assertIn('data-event="shipped" data-direction="send"', html)
        text = visible_text(html)
        # Nested properties, required marks, constraints, formats, enums, examples.
        self.assertIn("Place an order | client → server", text)
        self.assertIn("item | * | string | The catalogue code. | length ≥ 2", text)
        self.assertIn("quantity | * | integer | ≥ 1 | ≤ 99", text)
        self.assertIn("placed | string | format: date-time", text)
        self.assertIn("city | * | string | e.g. \"Lisbon\"", text)
        self.assertIn("zip | string | pattern: ^[0-9]{4}$", text)
        self.assertIn("argument 2 | * | string | one of: \"up\", \"down\"", text)
        self.assertIn("Payload | · no arguments", text)
        self.assertIn("children | array of ↻ recursive | [items] | ↻ recursive | "
                      "repeats an enclosing schema", text)
        self.assertIn("carrier | one of | one of #1 | string | one of #2 | null", text)
        self.assertIn("Ack | · one argument, sent back by the server", text)
        self.assertIn("number | * | integer", text)

    def test_examples_come_from_the_spec_or_are_generated(self):
        docs = {event.event: event for namespace in api_docs().namespaces
                for event in namespace.received + namespace.sent}
        self.assertEqual(docs["place order"].payload.example, {"item": "pizza", "quantity": 2})
        self.assertTrue(docs["place order"].payload.example_given)
        self.assertEqual(docs["move"].payload.example, [0, "up"])
        self.assertFalse(docs["move"].payload.example_given)
        self.assertEqual(docs["tree"].payload.example, {"label": "string", "children": []})
        self.assertEqual(docs["shipped"].payload.example, {"number": 0, "carrier": "string"})
        text = visible_text(self.page())
        self.assertIn("Example | (generated: the spec gives none)", text)
        self.assertIn('"item": "pizza"', text)

    def test_generated_examples_are_valid_against_their_schemas(self):
        server = get_server()
        for namespace in api_docs().namespaces:
            for event in namespace.sent:
                with self.subTest(event=event.event):
                    server.validate_emit(event.event, event.payload.example, namespace.name)

    def test_handshake_security_and_schemes(self):
        text = visible_text(self.page())
        self.assertIn("Handshake query | Name | Type | Details | client | * | string | "
                      "Who is calling. | one of: \"web\", \"cli\"", text)
        self.assertIn("Handshake headers | Name | Type | Details | X-Trace | string | "
                      "format: uuid", text)
        self.assertIn("Security | apiKey (scopes: admin)", text)
        self.assertIn("Security for this event: bearer (scopes: write)", text)
        self.assertIn("bearer | http bearer | Authorization: Bearer header, or CONNECT auth "
                      "{token} | A token from the login endpoint.", text)
        self.assertIn("apiKey | httpApiKey | query parameter key, or CONNECT auth {key}", text)

    def test_deprecated_events_are_marked(self):
        self.assertIn('class="event deprecated" id="receive---old-event"', self.page())

    def test_playground_data_lists_what_a_client_may_send(self):
        html = self.page()
        start = html.index('<script id="asynction-playground" type="application/json">')
        blob = html[html.index(">", start) + 1:html.index("</script>", start)]
        data = json.loads(blob)
        self.assertEqual(data["socketioPath"], "/realtime/socket.io/")
        root = data["namespaces"]["/"]
        self.assertEqual(root["query"], ["client"])
        self.assertEqual(set(root["events"]), {"place order", "move", "ping", "tree", "old event"})
        self.assertEqual(root["events"]["move"]["arity"], "tuple")
        self.assertEqual(root["events"]["move"]["schema"]["prefixItems"][1]["enum"], ["up", "down"])
        self.assertTrue(root["events"]["place order"]["ack"])
        self.assertEqual(root["events"]["ping"], {"arity": "none", "schema": None,
                                                  "example": None, "ack": False})
        self.assertEqual(set(data["namespaces"]["/staff"]["events"]), {"ping"})
        self.assertIsNone(data["user"])
        self.assertEqual(data["loginUrl"], "/accounts/login/?next=/team/docs%23playground")

    def test_playground_data_names_the_logged_in_user(self):
        self.client.force_login(User.objects.create_user("member", password="x"))
        html = self.page()
        start = html.index('<script id="asynction-playground" type="application/json">')
        data = json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])
        self.assertEqual(data["user"], "member")

    def test_static_files_and_no_cdn(self):
        html = self.page()
        for asset in ("asynction_django/docs.css", "asynction_django/docs.js",
                      "asynction_django/playground.js", "asynction_django/vendor/socket.io.min.js",
                      "asynction_django/vendor/ajv2020.min.js", "asynction_django/favicon.svg",
                      "asynction_django/vendor/highlight/core.min.js",
                      "asynction_django/vendor/highlight/json.min.js",
                      "asynction_django/vendor/highlight/github.min.css",
                      "asynction_django/vendor/highlight/github-dark.min.css"):
            self.assertIn(f'"/static/{asset}"', html)
            self.assertTrue(finders.find(asset), asset)
        self.assertNotRegex(html, r"(src|href|data-[a-z-]+)=\"(https?:)?//")
        self.assertIn('<link rel="icon" type="image/svg+xml" href="/static/asynction_django/'
                      'favicon.svg">', html)
        self.assertRegex(html, r'<link rel="stylesheet" href="[^"]+/github-dark.min.css" '
                               r'media="\(prefers-color-scheme: dark\)">')
        licence = finders.find("asynction_django/vendor/highlight.LICENSE.txt")
        self.assertTrue(Path(licence).read_text().startswith("@highlightjs/cdn-assets@11.11.1"))

    def test_the_page_needs_no_javascript_to_read(self):
        html = self.page()
        # What only scripts bring is hidden until they run; the rest is plain HTML.
        self.assertIn('<button type="button" class="nav-toggle" aria-controls="sidebar" '
                      'aria-expanded="false" hidden>', html)
        self.assertIn('<div class="pg" id="pg" hidden>', html)
        self.assertIn('<pre class="code"><code class="language-json">{\n  &quot;item&quot;: '
                      '&quot;pizza&quot;', html)
        self.assertIn('<nav class="sidebar" id="sidebar" aria-label="Contents">', html)

    def test_resolved_document_as_json_and_yaml(self):
        expected = get_server().spec.document
        response = self.client.get("/team/docs/asyncapi.json")
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response.json(), expected)
        self.assertEqual(response.json()["channels"]["/"]["publish"]["message"]["oneOf"][0]["name"],
                         "place order")
        response = self.client.get("/team/docs/asyncapi.yaml")
        self.assertEqual(response["Content-Type"], "application/yaml; charset=utf-8")
        self.assertEqual(yaml.safe_load(response.content), expected)

    @override_settings(TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TEMPLATES], "APP_DIRS": True,
    }])
    def test_templates_are_overridable_the_django_way(self):
        self.assertIn("<title>Team API reference</title>", self.page())

    @override_settings(ASYNCTION_DOCS=False)
    def test_docs_off_is_a_404(self):
        for path in ("/team/docs", "/team/docs/asyncapi.json", "/team/docs/asyncapi.yaml"):
            self.assertEqual(self.client.get(path).status_code, 404)

    def test_the_docs_are_built_once_per_server(self):
        self.assertIs(api_docs(), api_docs())


@override_settings(ROOT_URLCONF="tests.docs_urls", ASYNCTION_SPEC=DOCS_SPEC,
                   ASYNCTION_SERVER="local")
class DocsAccessTests(TestCase):
    paths = ("/team/docs", "/team/docs/asyncapi.json", "/team/docs/asyncapi.yaml")

    @classmethod
    def setUpTestData(cls):
        cls.member = User.objects.create_user("member", password="x")
        cls.staff = User.objects.create_user("staff", password="x", is_staff=True)

    def statuses(self, **headers) -> set[int]:
        return {self.client.get(path, headers=headers).status_code for path in self.paths}

    def test_default_is_staff_only_unless_debug(self):
        response = self.client.get("/team/docs")
        self.assertRedirects(response, "/accounts/login/?next=/team/docs",
                             fetch_redirect_response=False)
        self.client.force_login(self.member)
        self.assertEqual(self.statuses(), {403})
        self.client.force_login(self.staff)
        self.assertEqual(self.statuses(), {200})
        self.client.logout()
        with override_settings(DEBUG=True):
            self.assertEqual(self.statuses(), {200})

    @override_settings(ASYNCTION_DOCS_ACCESS="open")
    def test_open(self):
        self.assertEqual(self.statuses(), {200})

    @override_settings(ASYNCTION_DOCS_ACCESS="login")
    def test_login(self):
        self.assertEqual(self.statuses(), {302})
        self.client.force_login(self.member)
        self.assertEqual(self.statuses(), {200})

    @override_settings(ASYNCTION_DOCS_ACCESS="staff")
    def test_staff(self):
        self.client.force_login(self.member)
        self.assertEqual(self.statuses(), {403})
        self.member.is_staff = True
        self.member.is_active = False
        self.member.save()
        self.assertEqual(self.statuses(), {302})  # an inactive user is logged out

    @override_settings(ASYNCTION_DOCS_ACCESS="tests.docs_access.only_with_header")
    def test_a_function_of_the_request(self):
        self.assertEqual(self.statuses(), {302})
        self.assertEqual(self.statuses(X_Docs="please"), {200})
        self.client.force_login(self.member)
        self.assertEqual(self.statuses(), {403})

    def test_bad_settings_are_check_errors(self):
        cases = [("everyone", "ASYNCTION_DOCS_ACCESS must be None"),
                 ("tests.nope.rule", "ASYNCTION_DOCS_ACCESS: cannot import 'tests.nope.rule'"),
                 (True, "ASYNCTION_DOCS_ACCESS must be None")]
        for value, message in cases:
            with self.subTest(value=value), override_settings(ASYNCTION_DOCS_ACCESS=value):
                errors = check_spec()
                self.assertEqual([error.id for error in errors], ["asynction.E001"])
                self.assertIn(message, errors[0].msg)


@override_settings(ASYNCTION_SPEC=DOCS_SPEC, ASYNCTION_SERVER="local",
                   ASYNCTION_DOCS_ACCESS="open")
class MountedDocsTests(TestCase):
    """``get_asgi_application()`` serves the docs under the parent of the Socket.IO path."""

    async def get(self, application, path: str):
        communicator = HttpCommunicator(application, "GET", path,
                                        headers=[(b"host", b"testserver")])
        return await communicator.get_response()

    async def test_mounted_at_the_parent_of_the_socketio_path(self):
        application = get_asgi_application()
        page = await self.get(application, "/realtime/docs")
        self.assertEqual(page["status"], 200)
        self.assertIn(b"Docs fixture", page["body"])
        self.assertIn(b'href="/realtime/docs/asyncapi.json"', page["body"])
        document = await self.get(application, "/realtime/docs/asyncapi.json")
        self.assertEqual(json.loads(document["body"])["info"]["title"], "Docs fixture")
        self.assertEqual((await self.get(application, "/docs"))["status"], 404)
        # The project's own URLs are untouched.
        view = await self.get(application, "/emit/?event=nope&data={}")
        self.assertEqual(json.loads(view["body"])["error"]["type"], "UnknownEventError")

    @override_settings(ASYNCTION_SPEC=SPECS / "echo.yaml", ASYNCTION_SERVER=None)
    async def test_at_docs_for_the_default_socketio_path(self):
        page = await self.get(get_asgi_application(), "/docs/")
        self.assertEqual(page["status"], 200)
        self.assertIn(b'"socketioPath": "/socket.io/"', page["body"])

    @override_settings(ASYNCTION_DOCS=False)
    async def test_not_mounted_when_off(self):
        page = await self.get(get_asgi_application(), "/realtime/docs")
        self.assertEqual(page["status"], 404)

    @override_settings(ROOT_URLCONF="tests.docs_urls")
    async def test_not_mounted_twice_when_the_project_includes_the_urls(self):
        application = get_asgi_application()
        self.assertEqual((await self.get(application, "/team/docs"))["status"], 200)
        self.assertEqual((await self.get(application, "/realtime/docs"))["status"], 404)

    @override_settings(ASYNCTION_DOCS_ACCESS="staff")
    async def test_access_rules_apply_to_mounted_docs(self):
        page = await self.get(get_asgi_application(), "/realtime/docs")
        self.assertEqual(page["status"], 302)
        self.assertIn((b"Location", b"/accounts/login/?next=/realtime/docs"), page["headers"])


class DocsAccessCheckTests(TestCase):
    def test_warns_when_nobody_could_log_in_to_read_the_docs(self):
        with override_settings(MIDDLEWARE=[], ASYNCTION_DOCS_ACCESS="staff"):
            warnings = check_docs_access()
        self.assertEqual([warning.id for warning in warnings], ["asynction.W001"])
        self.assertIn("AuthenticationMiddleware is not in MIDDLEWARE", warnings[0].msg)
        for overrides in ({"ASYNCTION_DOCS_ACCESS": "open"}, {"ASYNCTION_DOCS": False},
                          {"ASYNCTION_DOCS_ACCESS": "login", "MIDDLEWARE": [AUTH_MIDDLEWARE]}):
            with self.subTest(overrides=overrides), override_settings(
                    **{"MIDDLEWARE": [], **overrides}):
                self.assertEqual(check_docs_access(), [])
