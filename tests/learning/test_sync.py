from sqlalchemy import func, select

from lms.content.courses import load_content
from lms.content.sync import sync_content
from lms.db import db
from lms.learning.models import Course, Lesson, LessonProgress
from tests.factories import make_staff
from tests.learning.content_tree import lesson_text, write_tree
from tests.learning.factories import make_cohort, make_enrolment


def sync(root):
    content, problems = load_content(root)
    assert problems == []
    return sync_content(content)


def test_sync_is_idempotent_updates_edits_and_retires_removed_lessons(app, tmp_path):
    root = write_tree(tmp_path / "courses", lessons=3)
    first = sync(root)
    assert (first["course.created"], first["lesson.created"]) == (1, 3)
    again = sync(root)
    assert again["lesson.unchanged"] == 3 and again["lesson.created"] == 0

    lesson_file = root / "test-l5" / "lessons" / "02-lesson-2.md"
    lesson_file.write_text(lesson_text("t5-lesson-2", title="修改后的标题"), encoding="utf-8")
    edited = sync(root)
    assert edited["lesson.updated"] == 1
    assert (
        db.session.scalar(select(Lesson.title).where(Lesson.key == "t5-lesson-2")) == "修改后的标题"
    )

    course = db.session.scalar(select(Course))
    enrolment = make_enrolment(make_cohort(course=course), make_staff())
    third = db.session.scalar(select(Lesson).where(Lesson.key == "t5-lesson-3"))
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=third.id, seconds=600))
    db.session.flush()

    removed = root / "test-l5" / "lessons" / "03-lesson-3.md"
    kept = removed.read_text(encoding="utf-8")
    removed.unlink()
    retired = sync(root)
    assert retired["lesson.retired"] == 1
    db.session.refresh(third)
    assert third.retired_at is not None
    db.session.refresh(course)
    assert [lesson.key for lesson in course.active_lessons] == ["t5-lesson-1", "t5-lesson-2"]
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1

    removed.write_text(kept, encoding="utf-8")
    sync(root)
    db.session.refresh(third)
    assert third.retired_at is None


def test_lesson_bodies_are_stored_sanitised(app, tmp_path):
    root = write_tree(tmp_path / "courses", lessons=2)
    body = lesson_text("x").split("---\n")[2] + "\n[点我](javascript:alert(1))\n"
    (root / "test-l5" / "lessons" / "02-lesson-2.md").write_text(
        lesson_text("t5-lesson-2", body=body), encoding="utf-8"
    )
    sync(root)
    html = db.session.scalar(select(Lesson.body_html).where(Lesson.key == "t5-lesson-2"))
    assert "href" not in html and "<h2>" in html
