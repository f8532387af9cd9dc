"""Descriptions in the docs are CommonMark; spec text can never put HTML or script in the page."""

from __future__ import annotations

from django.test import TestCase, override_settings

DESCRIBED = {
    "asyncapi": "2.6.0",
    "info": {"title": "Described", "version": "1",
             "description": "Some **bold** words, `x-ack` in code, and a <br/> tag.\n\n"
                            "<script>alert('info')</script>\n\n"
                            "[a link](https://example.com) and [a trap](javascript:alert(1))"},
    "channels": {"/": {
        "description": "A *namespace*.<img src=x onerror=alert(2)>",
        "publish": {"message": {
            "name": "go", "x-handler": "tests.handlers.raw",
            "description": "The event, **not** raw.",
            "payload": {"type": "object", "properties": {
                "level": {"type": "string", "description": "One `level` <b>only</b>."}}},
        }},
    }},
}


@override_settings(ROOT_URLCONF="tests.docs_urls", ASYNCTION_SPEC=DESCRIBED,
                   ASYNCTION_DOCS_ACCESS="open")
class MarkdownDescriptionTests(TestCase):
    def setUp(self):
        response = self.client.get("/team/docs")
        self.assertEqual(response.status_code, 200)
        self.page = response.content.decode()

    def test_descriptions_are_rendered_as_commonmark(self):
        for html in ("<strong>bold</strong>", "<code>x-ack</code>",
                     '<a href="https://example.com">a link</a>', "<em>namespace</em>",
                     "<strong>not</strong> raw", "One <code>level</code>"):
            self.assertIn(html, self.page)

    def test_raw_html_in_the_spec_is_shown_as_text_never_run(self):
        self.assertNotIn("<script>alert('info')</script>", self.page)
        self.assertIn("&lt;script&gt;alert(", self.page)
        self.assertNotIn("<img src=x", self.page)
        self.assertNotIn("<b>only</b>", self.page)
        self.assertIn("&lt;br/&gt;", self.page)
        self.assertNotIn('href="javascript:', self.page)
