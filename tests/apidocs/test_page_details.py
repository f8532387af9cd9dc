"""What the docs page shows besides schemas (#25): info.contact, info.license, bearerFormat and
operationId; search text that covers fields; and, for the playground, what each namespace's
security asks a client to send."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from django.test import TestCase, override_settings

from asynction_django.apidocs.details import scheme_hint
from asynction_django.apidocs.views import api_docs

SPECS = Path(__file__).resolve().parents[1] / "specs"
PLAYGROUND_SPEC = SPECS / "playground.yaml"


def playground_data(html: str) -> dict:
    start = html.index('<script id="asynction-playground" type="application/json">')
    return json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])


@override_settings(ROOT_URLCONF="tests.docs_urls", ASYNCTION_SPEC=PLAYGROUND_SPEC,
                   ASYNCTION_DOCS_ACCESS="open")
class PageDetailsTests(TestCase):
    def page(self) -> str:
        response = self.client.get("/team/docs")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_contact_and_license_are_shown_and_linked(self):
        html = self.page()
        self.assertIn('<dt>Contact</dt>', html)
        self.assertIn('<a href="https://example.com/support" rel="noopener">API team</a> · '
                      '<a href="mailto:api@example.com">api@example.com</a>', html)
        self.assertIn('<dt>License</dt>', html)
        self.assertIn('<a href="https://www.apache.org/licenses/LICENSE-2.0.html" '
                      'rel="noopener license">Apache 2.0</a>', html)

    def test_only_web_links_are_made_from_the_spec(self):
        document = yaml.safe_load(PLAYGROUND_SPEC.read_text())
        document["info"]["contact"] = {"name": "Team", "url": "javascript:alert(1)",
                                       "email": "javascript:alert(1)"}
        document["info"]["license"] = {"name": "MIT", "url": "data:text/html,hi"}
        with override_settings(ASYNCTION_SPEC=document):
            html = self.page()
        self.assertNotIn("javascript:", html)
        self.assertNotIn("data:text", html)
        self.assertIn('<dd class="contact">Team</dd>', html)
        self.assertIn('<dd class="license">MIT</dd>', html)

    def test_bearer_format_is_shown_with_its_scheme(self):
        self.assertIn('http bearer <span class="fact" title="bearerFormat: the format of the '
                      'token">bearerFormat: JWT</span>', self.page())

    def test_operation_ids_are_shown_on_their_events(self):
        html = self.page()
        for event in ("note", "tag"):
            article = html[html.index(f'data-event="{event}"'):]
            article = article[:article.index("</article>")]
            self.assertIn("operationId <code>writeNote</code>", article)
        vault = html[html.index('data-event="open"'):]
        self.assertNotIn("operationId", vault[:vault.index("</article>")])

    def test_operation_ids_of_an_asyncapi_3_document_are_the_operations_keys(self):
        document = {
            "asyncapi": "3.0.0", "info": {"title": "Three", "version": "1"},
            "channels": {"chat": {"address": "/chat", "messages": {
                "say": {"name": "say", "payload": {"type": "string"}},
                "heard": {"payload": {"type": "string"}}}}},
            "operations": {
                "sayThings": {"action": "receive", "channel": {"$ref": "#/channels/chat"},
                              "messages": [{"$ref": "#/channels/chat/messages/say"}],
                              "x-handler": "tests.handlers.echo"},
                "hearThings": {"action": "send", "channel": {"$ref": "#/channels/chat"},
                               "messages": [{"$ref": "#/channels/chat/messages/heard"}]},
            },
        }
        with override_settings(ASYNCTION_SPEC=document):
            namespace = api_docs().namespaces[0]
        self.assertEqual([(event.event, event.operation_id) for event in namespace.received],
                         [("say", "sayThings")])
        self.assertEqual([(event.event, event.operation_id) for event in namespace.sent],
                         [("heard", "hearThings")])

    def test_search_covers_field_names_and_descriptions(self):
        html = self.page()
        self.assertIn('data-search="/notes note A note with no ack declared. writeNote argument '
                      'text Where the reply goes."', html)
        self.assertIn('data-search="/notes tag Tags something. writeNote argument text The '
                      'colour of the tag. argument"', html)  # the ack's row is "argument"
        self.assertIn('<p id="search-empty" class="search-empty" role="status" hidden></p>',
                      html)

    def test_the_playground_knows_what_each_namespace_asks_for(self):
        data = playground_data(self.page())
        self.assertEqual(data["namespaces"]["/notes"]["security"], [])
        self.assertEqual(data["namespaces"]["/vault"]["security"], [[{
            "scheme": "bearer", "needs": "a bearer token (JWT)",
            "send": 'put it in CONNECT auth as {"token": "…"}, or send an Authorization: '
                    "Bearer header (long-polling only)",
            "session": False}]])

    def test_what_each_kind_of_scheme_asks_for(self):
        cases = [
            ({"type": "httpApiKey", "in": "cookie", "name": "sessionid"},
             "a logged-in user (the session cookie sessionid)", "", True),
            ({"type": "httpApiKey", "in": "query", "name": "key"}, "the API key key",
             'put it in Query as key=…, or in CONNECT auth as {"key": "…"}', False),
            ({"type": "httpApiKey", "in": "header", "name": "X-Api-Key"}, "the API key X-Api-Key",
             'put it in CONNECT auth as {"X-Api-Key": "…"}, or in Headers as '
             '{"X-Api-Key": "…"} (long-polling only)', False),
            ({"type": "http", "scheme": "basic"}, "a username and password (HTTP basic)",
             'put them in CONNECT auth as {"username": "…", "password": "…"}, or send an '
             "Authorization: Basic header (long-polling only)", False),
            ({"type": "http", "scheme": "bearer"}, "a bearer token", None, False),
            ({"type": "oauth2"}, "an OAuth 2 access token", None, False),
        ]
        for scheme, needs, send, session in cases:
            with self.subTest(scheme=scheme):
                hint = scheme_hint("s", scheme)
                self.assertEqual((hint["needs"], hint["session"]), (needs, session))
                if send is not None:
                    self.assertEqual(hint["send"], send)
