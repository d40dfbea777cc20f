"""Authoring lessons in the browser (issue 20 item 4): draft → review by a second expert →
publish, conflicts between two experts, version history and rollback, the publish audited,
trainees' progress kept across versions."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.authoring.models import ContentVersion, VersionStatus
from lms.core.audit import AuditEvent, action_label
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import LessonMedia, LessonProgress
from tests.factories import make_staff, make_user
from tests.learning.content_tree import PARAGRAPH
from tests.learning.factories import make_cohort, make_course, make_enrolment

OLD_BODY = "## 进餐照料\n\n" + "\n\n".join([PARAGRAPH] * 9) + "\n"
NEW_BODY = "## 新的小节\n\n" + "\n\n".join([PARAGRAPH] * 8) + "\n\n- 第一条\n- 第二条\n"


def world():
    course = make_course(lessons=2)
    lesson = course.active_lessons[0]
    lesson.body_markdown = OLD_BODY
    staff = make_staff()
    enrolment = make_enrolment(make_cohort(course=course), staff)
    progress = LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id, seconds=900)
    db.session.add(progress)
    db.session.flush()
    return {
        "lesson": lesson,
        "enrolment": enrolment,
        "trainee": make_user(Role.TRAINEE, staff=staff),
        "alice": make_user(Role.COURSE_EXPERT, username="alice", display_name="专家甲"),
        "bob": make_user(Role.COURSE_EXPERT, username="bob", display_name="专家乙"),
        "city": make_user(Role.CITY_ADMIN),
    }


def _draft(client, lesson) -> str:
    """Open the lesson's draft; the edit page's address."""
    started = client.post(f"/author/lessons/{lesson.id}/draft")
    assert started.status_code == 302
    return started.headers["Location"]


def _lock(page: str) -> str:
    return re.search(r'name="lock_version" type="hidden" value="(\d+)"', page).group(1)


def _save(client, url, lock, title="新的标题", body=NEW_BODY, hours="1.5"):
    return client.post(
        url, data={"title": title, "hours": hours, "body": body, "lock_version": lock}
    )


def _version(url: str) -> ContentVersion:
    return db.session.get(ContentVersion, int(url.rstrip("/").split("/")[-2]))


def test_an_expert_edits_a_second_expert_publishes_and_the_trainee_sees_it(app, client):
    w = world()
    lesson = w["lesson"]
    client.login_as(w["alice"])
    edit = _draft(client, lesson)
    page = client.get(edit).get_data(as_text=True)
    saved = _save(client, edit, _lock(page))
    assert saved.status_code == 302
    version = _version(edit)
    base = f"/author/versions/{version.id}"
    assert client.post(f"{base}/submit").status_code == 302
    assert version.status == VersionStatus.IN_REVIEW
    # The author may not review their own version.
    client.post(f"{base}/publish")
    assert version.status == VersionStatus.IN_REVIEW
    assert "另一位专家" in client.get(base).get_data(as_text=True)
    assert lesson.title != "新的标题"

    client.login_as(w["bob"])
    assert f"{base}" in client.get("/author/").get_data(as_text=True)  # in bob's queue
    page = client.get(base).get_data(as_text=True)
    assert "diff-add" in page and "新的标题" in page
    assert client.post(f"{base}/publish", data={"note": "可以发布"}).status_code == 302
    db.session.refresh(lesson)
    assert (lesson.title, lesson.hours, version.status) == (
        "新的标题",
        1.5,
        VersionStatus.PUBLISHED,
    )
    assert version.reviewed_by_id == w["bob"].id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.published"))
    assert event.target_id == lesson.id and event.details["version"] == version.number
    assert action_label("content.published") == "课程内容已发布"

    # The trainee reads the new version, with the time already spent on the lesson kept.
    client.login_as(w["trainee"])
    page = client.get(f"/learn/{w['enrolment'].id}/lessons/{lesson.id}").get_data(as_text=True)
    assert "新的标题" in page and "新的小节" in page and "第二条" in page
    progress = db.session.scalar(
        select(LessonProgress).where(LessonProgress.lesson_id == lesson.id)
    )
    assert progress.seconds == 900


def test_two_experts_saving_the_same_draft_never_lose_a_change(app, client):
    w = world()
    lesson = w["lesson"]
    client.login_as(w["alice"])
    edit = _draft(client, lesson)
    alice_lock = _lock(client.get(edit).get_data(as_text=True))
    client.login_as(w["bob"])
    assert _draft(client, lesson) == edit  # one shared draft
    bob_lock = _lock(client.get(edit).get_data(as_text=True))

    client.login_as(w["alice"])
    assert _save(client, edit, alice_lock, title="甲改的标题").status_code == 302
    client.login_as(w["bob"])
    clash = _save(client, edit, bob_lock, title="乙改的标题")
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    assert "专家甲" in page and "甲改的标题" in page and "乙改的标题" in page
    assert 'data-testid="conflict"' in page
    version = _version(edit)
    db.session.refresh(version)
    assert version.document["title"] == "甲改的标题"
    # Saving again from the conflict page (it carries the new lock) goes through.
    assert _save(client, edit, _lock(page), title="合并后的标题").status_code == 302
    db.session.refresh(version)
    assert version.document["title"] == "合并后的标题"
    assert version.editors == [w["alice"].id, w["bob"].id]


def test_rollback_starts_a_draft_from_an_old_version_that_is_reviewed_again(app, client):
    w = world()
    lesson = w["lesson"]
    original = lesson.body_markdown
    client.login_as(w["alice"])
    edit = _draft(client, lesson)
    _save(client, edit, _lock(client.get(edit).get_data(as_text=True)))
    version = _version(edit)
    client.post(f"/author/versions/{version.id}/submit")
    client.login_as(w["city"])  # the city admin reviews too
    client.post(f"/author/versions/{version.id}/publish")
    db.session.refresh(lesson)
    assert lesson.body_markdown == NEW_BODY

    first = db.session.scalar(
        select(ContentVersion).where(ContentVersion.key == lesson.key, ContentVersion.number == 1)
    )
    assert first.status == VersionStatus.SUPERSEDED and first.document["body"] == original
    rolled = client.post(f"/author/versions/{first.id}/rollback")
    draft = _version(rolled.headers["Location"])
    assert (draft.number, draft.status, draft.document["body"]) == (
        3,
        VersionStatus.DRAFT,
        original,
    )
    db.session.refresh(lesson)
    assert lesson.body_markdown == NEW_BODY  # not live before review
    client.post(f"/author/versions/{draft.id}/submit")
    client.login_as(w["bob"])
    client.post(f"/author/versions/{draft.id}/publish")
    db.session.refresh(lesson)
    assert lesson.body_markdown == original
    history = client.get(f"/author/lessons/{lesson.id}").get_data(as_text=True)
    assert history.count("data-version=") == 3


def test_a_lesson_with_broken_markdown_cannot_be_sent_or_published_and_says_where(app, client):
    w = world()
    lesson = w["lesson"]
    client.login_as(w["alice"])
    edit = _draft(client, lesson)
    broken = (
        "没有标题的正文。\n\n"
        + PARAGRAPH * 6
        + "\n\n![洗手示意图](media/missing.svg)\n\n```\n代码块没有结束\n"
    )
    _save(client, edit, _lock(client.get(edit).get_data(as_text=True)), body=broken)
    version = _version(edit)
    page = client.get(f"/author/versions/{version.id}").get_data(as_text=True)
    assert "第 5 行" in page and "media/missing.svg" in page  # the picture's line
    assert "第 7 行" in page  # where the unclosed code block starts
    assert "第 1 行" in page  # no heading
    client.post(f"/author/versions/{version.id}/submit")
    assert version.status == VersionStatus.DRAFT
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.submitted"))
        is None
    )


def test_the_preview_uses_the_trainees_sanitising_renderer(app, client):
    client.login_as(make_user(Role.COURSE_EXPERT))
    response = client.post(
        "/author/preview", data={"body": "## 标题\n\n<script>alert(1)</script>\n\n**重点**"}
    )
    html = response.json["html"]
    assert "<h2>标题</h2>" in html and "<strong>重点</strong>" in html
    assert "<script" not in html


def test_published_pictures_show_and_the_lessons_trainees_may_fetch_them(app, tmp_path):
    from lms.authoring import services
    from lms.learning.models import Lesson, LessonMedia
    from tests.learning.test_lesson_media import media_tree, synced

    synced(media_tree(tmp_path, video=False))
    second, third = (
        db.session.scalar(select(Lesson).where(Lesson.key == key))
        for key in ("t5-lesson-2", "t5-lesson-3")
    )
    alice, bob = make_user(Role.COURSE_EXPERT), make_user(Role.COURSE_EXPERT)

    def publish(lesson, body, title="改过的标题"):
        draft = services.start_draft(lesson, alice)
        document = {"title": title, "hours": 1.0, "body": body}
        services.save_draft(draft, alice, document, draft.lock_version)
        services.submit(draft, alice)
        services.publish(draft, bob)

    # An edit of the lesson with pictures keeps them.
    publish(second, second.body_markdown)
    assert second.body_html.count('<img src="/media/') == 2
    # Another lesson of the course now shows one of those pictures: shown, and linked.
    body = "## 复习\n\n![七步洗手法的步骤](media/steps.png)\n\n" + "\n\n".join([PARAGRAPH] * 8)
    publish(third, body)
    assert '<img src="/media/' in third.body_html and 'alt="七步洗手法的步骤"' in third.body_html
    linked = db.session.scalars(select(LessonMedia.path).where(LessonMedia.lesson_id == third.id))
    assert list(linked) == ["media/steps.png"]


def test_a_picture_uploaded_with_its_alt_text_can_be_shown_and_is_exported(app, client, tmp_path):
    import io

    from lms.authoring.export import export_tree
    from lms.content.sources import media_exists
    from tests.learning.test_lesson_media import png

    w = world()
    lesson = w["lesson"]
    client.login_as(w["alice"])
    edit = _draft(client, lesson)
    version = _version(edit)
    url = f"/author/versions/{version.id}/pictures"
    no_alt = client.post(url, data={"picture": (io.BytesIO(png()), "steps.png"), "alt": ""})
    assert no_alt.status_code == 302
    fake = client.post(url, data={"picture": (io.BytesIO(b"<html>"), "x.png"), "alt": "示意"})
    assert fake.status_code == 302
    assert not db.session.scalars(select(LessonMedia)).all()
    client.post(url, data={"picture": (io.BytesIO(png()), "steps.png"), "alt": "七步洗手法"})
    message = client.get(edit).get_data(as_text=True)
    ref = re.search(r"!\[七步洗手法\]\((media/upload-[0-9a-f]{12}\.png)\)", message).group(1)
    assert media_exists(lesson.course.code, ref)
    body = OLD_BODY + f"\n![七步洗手法]({ref})\n"
    _save(client, edit, _lock(client.get(edit).get_data(as_text=True)), body=body)
    client.post(f"/author/versions/{version.id}/submit")
    client.login_as(w["bob"])
    client.post(f"/author/versions/{version.id}/publish")
    db.session.refresh(lesson)
    assert '<img src="/media/' in lesson.body_html and 'alt="七步洗手法"' in lesson.body_html
    export_tree(tmp_path / "out")
    assert (tmp_path / "out" / lesson.course.code / ref).read_bytes() == png()
