"""``{{ text|markdown }}``: AsyncAPI descriptions are CommonMark.

Rendered by markdown-it-py with raw HTML disabled (it is shown as text, so a spec cannot
put a script in the page) and its link check on (``javascript:`` and the like are not
links). ``markdown_inline`` is for table cells: no paragraphs around the text.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

register = template.Library()
_renderer = MarkdownIt("commonmark", {"html": False}).enable("table")


@register.filter
def markdown(text: object) -> SafeString:
    return mark_safe(_renderer.render(str(text or "")))  # noqa: S308 - HTML is escaped


@register.filter
def markdown_inline(text: object) -> SafeString:
    return mark_safe(_renderer.renderInline(str(text or "")))  # noqa: S308 - HTML is escaped
