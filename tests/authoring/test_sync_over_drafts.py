"""``lms courses sync`` over content with an open draft in the browser (issue 20): the sync says
which item and whose draft; the draft is kept but now based on an older version, which its
editor shows (a save from a page that did not show it is refused with 409) and which keeps it
from being published until its author has saved it with the sync's change in view."""

from __future__ import annotations

from sqlalchemy import select

from lms.authoring.models import VersionStatus
from lms.db import db
from lms.exams.models import Question
from lms.learning.models import Lesson
from tests.authoring.helpers import experts, lock, version_of
from tests.learning.content_tree import PARAGRAPH, write_tree

DRAFT_BODY = "## 专家的新写法\n\n" + "\n\n".join([PARAGRAPH] * 8) + "\n"


def _sync(app, root) -> str:
    result = app.test_cli_runner().invoke(args=["courses", "sync", "--root", str(root)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_sync_over_an_open_draft_names_it_and_the_draft_shows_the_conflict(app, client, tmp_path):
    root = write_tree(tmp_path / "courses")
    _sync(app, root)
    lesson = db.session.scalar(select(Lesson).where(Lesson.key == "t5-lesson-1"))
    question = db.session.scalar(select(Question).where(Question.key == "t5-q-001"))
    alice, bob = experts()

    client.login_as(alice)
    edit = client.post(f"/author/lessons/{lesson.id}/draft").headers["Location"]
    page = client.get(edit).get_data(as_text=True)
    data = {"title": "专家改的标题", "hours": "1", "body": DRAFT_BODY, "lock_version": lock(page)}
    assert client.post(edit, data=data).status_code == 302
    draft = version_of(edit)
    assert client.post(f"/author/versions/{draft.id}/submit").status_code == 302
    question_edit = client.post(f"/author/questions/{question.id}/draft").headers["Location"]
    before_sync = lock(client.get(edit).get_data(as_text=True))  # alice keeps the editor open

    # courses/ changes the lesson and the question; the sync says whose drafts it overtook.
    path = next((root / "test-l5" / "lessons").glob("01-*.md"))
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: 第1课", "title: 文件里改的标题"),
        encoding="utf-8",
    )
    questions = root / "test-l5" / "questions" / "daily.yaml"
    questions.write_text(
        questions.read_text(encoding="utf-8").replace("冲调配方奶的水温", "冲调奶粉的水温"),
        encoding="utf-8",
    )
    output = _sync(app, root)
    assert "t5-lesson-1" in output and "专家甲" in output and "第 2 版" in output
    assert "t5-q-001" in output
    db.session.expire_all()
    assert lesson.title == "文件里改的标题"  # the sync's text is live
    assert draft.document["title"] == "专家改的标题"  # the draft is kept

    # The reviewer sees it and cannot publish the draft as it is.
    client.login_as(bob)
    version_page = client.get(f"/author/versions/{draft.id}").get_data(as_text=True)
    assert 'data-testid="stale"' in version_page and "文件里改的标题" in version_page
    client.post(f"/author/versions/{draft.id}/publish")
    db.session.expire_all()
    assert draft.status == VersionStatus.IN_REVIEW and lesson.title == "文件里改的标题"

    # A save from the page loaded before the sync is refused with 409 and the sync's change.
    client.login_as(alice)
    refused = client.post(
        edit, data={**data, "title": "专家改的标题（二）", "lock_version": before_sync}
    )
    assert refused.status_code == 409
    shown = refused.get_data(as_text=True)
    assert 'data-testid="stale"' in shown and "文件里改的标题" in shown
    db.session.expire_all()
    assert draft.document["title"] == "专家改的标题"
    # Saved again from that page (it showed the change), the draft is based on the live text.
    merged = {**data, "title": "合并后的标题", "lock_version": lock(shown)}
    merged["base"] = _base(shown)
    assert client.post(edit, data=merged).status_code == 302
    assert 'data-testid="stale"' not in client.get(edit).get_data(as_text=True)
    client.post(f"/author/versions/{draft.id}/submit")
    client.login_as(bob)
    client.post(f"/author/versions/{draft.id}/publish")
    db.session.expire_all()
    assert draft.status == VersionStatus.PUBLISHED and lesson.title == "合并后的标题"

    # The question's draft (no text saved yet) shows the conflict in its editor too.
    client.login_as(alice)
    page = client.get(question_edit).get_data(as_text=True)
    assert 'data-testid="stale"' in page and "冲调奶粉的水温" in page


def _base(page: str) -> str:
    import re

    return re.search(r'name="base" type="hidden" value="(\d+)"', page).group(1)


def test_a_sync_keeps_a_lesson_written_in_the_browser_until_it_is_exported(app, client, tmp_path):
    from lms.authoring.export import export_tree
    from lms.learning.models import Course

    root = write_tree(tmp_path / "courses")
    _sync(app, root)
    course = db.session.scalar(select(Course).where(Course.code == "test-l5"))
    alice, bob = experts()
    client.login_as(alice)
    edit = client.post(f"/author/courses/{course.id}/lessons/new").headers["Location"]
    page = client.get(edit).get_data(as_text=True)
    client.post(
        edit,
        data={
            "title": "婴儿抚触",
            "module": "daily",
            "position": "4",
            "slug": "infant-massage",
            "hours": "0.5",
            "body": DRAFT_BODY,
            "lock_version": lock(page),
        },
    )
    version = version_of(edit)
    client.post(f"/author/versions/{version.id}/submit")
    client.login_as(bob)
    client.post(f"/author/versions/{version.id}/publish")
    assert version.key == "l5-infant-massage"

    # Synced from a folder that does not have it yet: kept, and the sync says so.
    output = _sync(app, root)
    assert "l5-infant-massage" in output and "lms courses export" in output
    assert "lesson.retired" not in output
    db.session.expire_all()
    lesson = db.session.scalar(select(Lesson).where(Lesson.key == "l5-infant-massage"))
    assert lesson.retired_at is None

    # Exported, and synced from the export: nothing to say.
    export_tree(tmp_path / "exported")
    assert (tmp_path / "exported" / "test-l5" / "lessons" / "04-infant-massage.md").is_file()
    output = _sync(app, tmp_path / "exported")
    assert "l5-infant-massage" not in output
