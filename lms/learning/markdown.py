"""Lesson Markdown → HTML that is safe to show: CommonMark with raw HTML off, then an
allow-list sanitiser, so neither authors nor a tampered file can inject markup or script."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape as html_escape
from html import unescape

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


def render(markdown: str, images: Mapping[str, str] | None = None) -> str:
    """Sanitised HTML for a lesson body; links are reduced to their text. Pictures stay only
    when ``images`` maps the path they write (``media/x.svg``) to the address of the stored,
    checked file; any other picture keeps its alternative text only."""
    images = images or {}
    html = _renderer.render(markdown)

    def keep_known(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return images.get(value.strip())
        return value

    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS | {"img"},
        attributes={"img": {"src", "alt"}},
        attribute_filter=keep_known,
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
        url_schemes=set(),
        strip_comments=True,
    )
    # A picture whose file is not known is shown as its alternative text.
    return _UNKNOWN_IMAGE.sub(lambda m: html_escape(unescape(m.group(1))), html)


_UNKNOWN_IMAGE = re.compile(r'<img(?![^>]*\ssrc=)[^>]*?\salt="([^"]*)"[^>]*>')
