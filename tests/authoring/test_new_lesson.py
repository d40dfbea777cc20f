"""A new lesson written in the browser (issue 20): the course expert starts it in a course,
gives it a title (a Chinese title gets a safe slug), place, hours, text and pictures; its author
cannot publish it; a second expert does, and the course's trainees see it and need it to
finish the course."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from lms.authoring.lesson_export import lesson_file
from lms.authoring.models import VersionStatus
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import LessonMedia, LessonProgress
from tests.authoring.helpers import experts, lock, version_of
from tests.factories import make_staff, make_user
from tests.learning.content_tree import PARAGRAPH
from tests.learning.factories import make_cohort, make_course, make_enrolment
from tests.learning.test_lesson_media import png

BODY = "## 婴儿抚触\n\n" + "\n\n".join([PARAGRAPH] * 8) + "\n"


def _start(client, course) -> str:
    page = client.get("/author/").get_data(as_text=True)
    assert f"/author/courses/{course.id}/lessons/new" in page  # the course's “New lesson”
    started = client.post(f"/author/courses/{course.id}/lessons/new")
    assert started.status_code == 302
    return started.headers["Location"]


def _save(client, url, page, **values):
    data = {
        "title": "婴儿抚触",
        "module": "daily",
        "position": "2",
        "slug": "",
        "hours": "0.5",
        "body": BODY,
        "lock_version": lock(page),
        "base": "",
        **values,
    }
    return client.post(url, data=data)


def test_a_new_lesson_is_drafted_reviewed_by_a_second_expert_and_studied(app, client):
    course = make_course(lessons=2)
    first, second = course.active_lessons
    staff = make_staff()
    enrolment = make_enrolment(make_cohort(course=course), staff)
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=second.id, seconds=600))
    trainee = make_user(Role.TRAINEE, staff=staff)
    alice, bob = experts()

    client.login_as(alice)
    edit = _start(client, course)
    page = client.get(edit).get_data(as_text=True)
    assert 'data-testid="new-lesson"' in page and course.title in page
    assert 'name="slug"' in page and 'name="position"' in page

    # A picture for the lesson that has no row yet: kept for the course, shown in the preview.
    version = version_of(edit)
    client.post(
        f"/author/versions/{version.id}/pictures",
        data={"picture": (io.BytesIO(png()), "touch.png"), "alt": "抚触手法"},
    )
    page = client.get(edit).get_data(as_text=True)
    ref = re.search(r"!\[抚触手法\]\((media/upload-[0-9a-f]{12}\.png)\)", page).group(1)
    body = BODY + f"\n![抚触手法]({ref})\n"
    bad = _save(client, edit, page, slug="不安全/../x", body=body)
    assert bad.status_code == 302  # saved; the version page says what keeps it back
    problems = client.get(f"/author/versions/{version.id}").get_data(as_text=True)
    assert "a-z" in problems
    client.post(f"/author/versions/{version.id}/submit")
    assert version.status == VersionStatus.DRAFT  # refused while the slug is unsafe

    page = client.get(edit).get_data(as_text=True)
    assert _save(client, edit, page, body=body).status_code == 302
    preview = client.get(edit).get_data(as_text=True)
    assert 'alt="抚触手法"' in preview and '<img src="/media/' in preview
    assert client.post(f"/author/versions/{version.id}/submit").status_code == 302
    assert version.status == VersionStatus.IN_REVIEW

    # Its author cannot publish it; nobody sees it yet.
    client.post(f"/author/versions/{version.id}/publish")
    assert version.status == VersionStatus.IN_REVIEW
    assert len(course.active_lessons) == 2

    client.login_as(bob)
    assert client.post(f"/author/versions/{version.id}/publish").status_code == 302
    db.session.refresh(course)
    assert version.status == VersionStatus.PUBLISHED
    lessons = course.active_lessons
    assert [lesson.title for lesson in lessons] == [first.title, "婴儿抚触", second.title]
    new = lessons[1]
    # A Chinese title: the slug is made from its module, safe for a file name and unique.
    assert new.key == "l5-daily" and version.key == new.key
    assert [lesson.position for lesson in lessons] == [1, 2, 3]
    assert db.session.scalar(select(LessonMedia).where(LessonMedia.lesson_id == new.id))
    assert lesson_file(new).startswith(
        "---\nid: l5-daily\ntitle: 婴儿抚触\nmodule: daily\nhours: 0.5\n---\n## 婴儿抚触"
    )

    # The trainee sees it in its place and needs it to finish the course.
    client.login_as(trainee)
    page = client.get(f"/learn/{enrolment.id}").get_data(as_text=True)
    assert "婴儿抚触" in page and "0/3" in page
    shown = client.get(f"/learn/{enrolment.id}/lessons/{new.id}").get_data(as_text=True)
    assert "婴儿抚触" in shown and 'alt="抚触手法"' in shown
    picture = re.search(r'<img src="(/media/\d+)"', shown).group(1)
    assert client.get(picture).status_code == 200

    # A second lesson with the same Chinese title gets the next free slug.
    client.login_as(alice)
    edit = _start(client, course)
    _save(client, edit, client.get(edit).get_data(as_text=True), position="9")
    again = version_of(edit)
    assert "1 to 4" in client.get(f"/author/versions/{again.id}").get_data(as_text=True) or (
        "1 至 4" in client.get(f"/author/versions/{again.id}").get_data(as_text=True)
    )
    _save(client, edit, client.get(edit).get_data(as_text=True), position="4")
    client.post(f"/author/versions/{again.id}/submit")
    client.login_as(bob)
    client.post(f"/author/versions/{again.id}/publish")
    assert again.key == "l5-daily-2"
    db.session.refresh(course)
    assert course.active_lessons[-1].key == "l5-daily-2"


def test_only_authors_start_a_new_lesson(app, client):
    course = make_course(lessons=1)
    for role in (Role.TRAINEE, Role.DISTRICT_ADMIN, Role.EXAMINER):
        client.login_as(make_user(role))
        assert client.post(f"/author/courses/{course.id}/lessons/new").status_code in (403, 404)
    client.login_as(make_user(Role.CITY_ADMIN))
    started = client.post(f"/author/courses/{course.id}/lessons/new")
    assert started.status_code == 302 and "/edit" in started.headers["Location"]
