"""What makes a lesson's Markdown unfit to publish, each with its line: an unclosed code fence,
a body without a heading, raw HTML, a picture without alt text, a link or picture to a media
file that does not exist, too little text. Used before a lesson edited in the browser is
submitted or published (lms.authoring)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from lms.content.specs import MIN_LESSON_CHARS

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_EXTERNAL = re.compile(r"^(https?:|mailto:|#)", re.I)


def text_length(markdown: str) -> int:
    """Characters of text in a Markdown body, without markup and whitespace."""
    return len(re.sub(r"[#>*_`|\-\s:]", "", markdown))


def lesson_problems(body: str, media_exists: Callable[[str], bool]) -> list[tuple[int, str]]:
    """(line of the body, message) for every problem; empty when the lesson can be published.
    ``media_exists`` says whether a relative path (``media/x.svg``) names a stored file."""
    problems: list[tuple[int, str]] = []
    fence_line = 0
    has_heading = False
    for number, line in enumerate(body.splitlines(), start=1):
        if _FENCE.match(line):
            fence_line = 0 if fence_line else number
            continue
        if fence_line:
            continue
        has_heading = has_heading or bool(_HEADING.match(line))
        outside_code = re.sub(r"`[^`]*`", "", line)
        if _HTML_TAG.search(outside_code):
            problems.append((number, str(_l("raw HTML is not allowed in lessons"))))
        for bang, text, target in _LINK.findall(outside_code):
            if bang and not text.strip():
                problems.append(
                    (number, str(_l("a picture needs its alt text: ![what it shows](…)")))
                )
            if not target or _EXTERNAL.match(target):
                continue
            if not media_exists(target):
                problems.append(
                    (number, str(_l("%(path)s is not a stored media file", path=target)))
                )
    if fence_line:
        problems.append((fence_line, str(_l("this code block (```) is never closed"))))
    if not has_heading:
        problems.append((1, str(_l("the lesson has no heading (## …)"))))
    if text_length(body) < MIN_LESSON_CHARS:
        problems.append(
            (
                1,
                str(
                    _l(
                        "the lesson text has %(n)d characters; at least %(m)d",
                        n=text_length(body),
                        m=MIN_LESSON_CHARS,
                    )
                ),
            )
        )
    return sorted(problems)
