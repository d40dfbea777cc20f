"""Lesson Markdown → HTML that is safe to show: CommonMark with raw HTML off, then an
allow-list sanitiser, so neither authors nor a tampered file can inject markup or script."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "blockquote",
    "code",
    "pre",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render(markdown: str) -> str:
    """Sanitised HTML for a lesson body; links and images are reduced to their text."""
    html = _renderer.render(markdown)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={}, strip_comments=True)
