"""What makes a lesson's Markdown unfit to publish, each with its line: an unclosed code fence,
a body without a heading, raw HTML, a picture without alt text, a picture that is not an
accepted file of the course's ``media/`` folder, too little text.

The one home of these rules: a lesson file read from ``courses/`` (lms.content.courses, whose
video front matter is checked by ``media_problem`` too) and a lesson edited in the browser
(lms.authoring) are both checked here, with the same messages. Links are not media: the
renderer keeps only their text (lms.learning.markdown)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from flask_babel import lazy_gettext as _l

from lms.content.specs import MIN_LESSON_CHARS

#: A picture written in Markdown: ``![alternative text](media/x.svg "title")``.
IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
MEDIA_PATH = re.compile(r"^media/[A-Za-z0-9][A-Za-z0-9._-]*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_CODE_SPAN = re.compile(r"`[^`]*`")

#: Whether the course holds the file a lesson writes: ``(path written, kind)`` → ``None`` when
#: there is no such file, ``""`` when it is accepted, otherwise why lms.content.media refuses it.
Find = Callable[[str, str], str | None]


def text_length(markdown: str) -> int:
    """Characters of text in a Markdown body, without markup and whitespace."""
    return len(re.sub(r"[#>*_`|\-\s:]", "", markdown))


def refusal(data: bytes, name: str, kind: str) -> str:
    """Why lms.content.media refuses the file ('' when it accepts it)."""
    from lms.content import media

    try:
        media.check(data, name, kind)
    except media.MediaRefused as refused:
        return str(refused.message)
    return ""


def media_problem(ref: str, kind: str, find: Find) -> str | None:
    """What is wrong with the media file a lesson writes as ``ref`` (None when nothing)."""
    from lms.content.media import EXTENSIONS

    if not MEDIA_PATH.match(ref) or not ref.lower().endswith(EXTENSIONS[kind]):
        return str(
            _l(
                "%(f)s: lesson media are files of the course's media/ folder ending in %(e)s",
                f=ref,
                e=" ".join(EXTENSIONS[kind]),
            )
        )
    reason = find(ref, kind)
    if reason is None:
        return str(_l("media file %(f)s of this lesson is missing", f=ref))
    return reason or None


def _outside_code(body: str) -> tuple[list[tuple[int, str]], int]:
    """(number, line) of each line outside fenced code, and the line of a fence never closed
    (0 when every fence is closed)."""
    lines: list[tuple[int, str]] = []
    fence_line = 0
    for number, line in enumerate(body.splitlines(), start=1):
        if _FENCE.match(line):
            fence_line = 0 if fence_line else number
        elif not fence_line:
            lines.append((number, line))
    return lines, fence_line


def pictures(body: str) -> Iterator[tuple[int, str, str]]:
    """(line, alternative text, path written) of each picture the body shows (not in code)."""
    for number, line in _outside_code(body)[0]:
        for match in IMAGE.finditer(_CODE_SPAN.sub("", line)):
            yield number, match.group(1).strip(), match.group(2)


def lesson_problems(body: str, find: Find, first_line: int = 1) -> list[tuple[int, str]]:
    """(line, message) for every problem, sorted; empty when the lesson can be published.
    Lines count from ``first_line`` (the body's line in its file)."""
    problems: list[tuple[int, str]] = []
    lines, fence_line = _outside_code(body)
    if fence_line:
        problems.append((fence_line, str(_l("this code block (```) is never closed"))))
    has_heading = any(_HEADING.match(line) for _, line in lines)
    for number, line in lines:
        if _HTML_TAG.search(_CODE_SPAN.sub("", line)):
            problems.append((number, str(_l("raw HTML is not allowed in lessons"))))
    for number, alt, ref in pictures(body):
        if not alt:
            problems.append((number, str(_l("the picture %(f)s needs alternative text", f=ref))))
        problem = media_problem(ref, "image", find)
        if problem:
            problems.append((number, problem))
    if not has_heading:
        problems.append((1, str(_l("the lesson has no heading (## …)"))))
    if text_length(body) < MIN_LESSON_CHARS:
        message = _l(
            "the lesson text has %(n)d characters; at least %(m)d",
            n=text_length(body),
            m=MIN_LESSON_CHARS,
        )
        problems.append((1, str(message)))
    return sorted((line + first_line - 1, message) for line, message in problems)
