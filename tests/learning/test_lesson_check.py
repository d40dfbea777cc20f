"""One check of a lesson's Markdown (lms.content.lesson_check) for a lesson file of courses/
and a lesson edited in the browser: the same problems, with the same messages, each at its
line — pictures without alternative text, missing or refused media files, pictures from
outside the course's media/ folder; pictures written inside code are not media."""

from __future__ import annotations

from sqlalchemy import select

from lms.authoring import services
from lms.content.courses import load_content
from lms.db import db
from lms.learning.models import Lesson
from tests.conftest import zh
from tests.learning.test_lesson_media import media_tree, synced

PROBLEMS = (
    "![](media/steps.png)\n\n"
    "![手套](media/gloves.png)\n\n"
    "![外面的图](https://example.com/x.png)\n\n"
    "![坏图](media/broken.png)\n\n"
    "```\n![](media/in-code.png)\n```\n\n"
    "`![](media/in-a-code-span.png)` 和 [链接](media/not-media.pdf)\n\n"
)
EXPECTED = [
    (0, zh("the picture %(f)s needs alternative text", f="media/steps.png")),
    (2, zh("media file %(f)s of this lesson is missing", f="media/gloves.png")),
    (
        4,
        zh(
            "%(f)s: lesson media are files of the course's media/ folder ending in %(e)s",
            f="https://example.com/x.png",
            e=".png .jpg .jpeg .svg",
        ),
    ),
    (6, zh("%(f)s is not a PNG or JPEG picture", f="media/broken.png")),
]


def _with_broken_picture(root):
    (root / "test-l5" / "media" / "broken.png").write_bytes(b"not a picture at all " * 20)
    return root


def test_a_lesson_file_and_a_browser_draft_get_the_same_problems_at_the_same_lines(app, tmp_path):
    # The lesson file: problems by file line (the extra text starts on line 14).
    file_root = _with_broken_picture(media_tree(tmp_path / "file", body_extra=PROBLEMS))
    in_file = [
        (p.line - 14, p.message)
        for p in load_content(file_root)[1]
        if p.path == "courses/test-l5/lessons/02-lesson-2.md"
    ]
    assert in_file == EXPECTED

    # The same body edited in the browser, against the course folder as last loaded.
    lesson = synced(_with_broken_picture(media_tree(tmp_path / "draft")))
    extra_at = lesson.body_markdown.index("![洗手示意图]")
    extra_at = lesson.body_markdown.index("\n\n", extra_at) + 2
    body = lesson.body_markdown[:extra_at] + PROBLEMS + lesson.body_markdown[extra_at:]
    first = body[:extra_at].count("\n") + 1
    document = {"title": "洗手", "hours": 1.0, "body": body}
    in_draft = [(line - first, message) for line, message in services.problems(lesson, document)]
    assert in_draft == EXPECTED


def test_a_clean_draft_with_stored_pictures_has_no_problems(app, tmp_path):
    lesson = synced(media_tree(tmp_path))
    document = {"title": "洗手", "hours": 1.0, "body": lesson.body_markdown}
    assert services.problems(lesson, document) == []


def test_a_lesson_file_without_a_heading_or_with_an_open_code_block_cannot_be_synced(app, tmp_path):
    root = media_tree(tmp_path, body_extra="```\n没有结束的代码块\n\n")
    lesson = root / "test-l5" / "lessons" / "02-lesson-2.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("## 图示\n", "图示\n"))
    problems = [str(p) for p in load_content(root)[1]]
    assert problems == [
        "courses/test-l5/lessons/02-lesson-2.md:8: " + zh("the lesson has no heading (## …)"),
        "courses/test-l5/lessons/02-lesson-2.md:14: " + zh("this code block (```) is never closed"),
    ]
    assert db.session.scalar(select(Lesson).where(Lesson.key == "t5-lesson-2")) is None
