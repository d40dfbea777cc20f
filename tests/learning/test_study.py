from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lms.core.errors import DomainError
from lms.core.localtime import LOCAL_ZONE
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.learning import study
from lms.learning.models import EnrolmentStatus, LessonProgress
from tests.factories import make_staff, make_user
from tests.learning.factories import make_cohort, make_course, make_enrolment

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=LOCAL_ZONE)


def setup_enrolment(lessons=2, min_hours=1.0):
    course = make_course(lessons=lessons, min_hours=min_hours)
    enrolment = make_enrolment(make_cohort(course=course), make_staff())
    return enrolment, course.active_lessons


def beats(enrolment, lesson, start, count, every=30):
    return sum(
        study.heartbeat(enrolment.id, lesson, start + timedelta(seconds=every * n))
        for n in range(count)
    )


def test_heartbeats_earn_the_real_time_between_them(app):
    enrolment, (lesson, _) = setup_enrolment()
    assert beats(enrolment, lesson, T0, 11) == 300  # first beat starts the clock
    progress = db.session.scalar(select(LessonProgress))
    assert (progress.seconds, enrolment.study_seconds) == (300, 300)


def test_a_long_gap_earns_nothing(app):
    enrolment, (lesson, _) = setup_enrolment()
    study.heartbeat(enrolment.id, lesson, T0)
    assert study.heartbeat(enrolment.id, lesson, T0 + timedelta(hours=2)) == 0
    assert study.heartbeat(enrolment.id, lesson, T0 + timedelta(hours=2, seconds=30)) == 30


def test_two_open_lessons_do_not_earn_double_time(app):
    enrolment, (first, second) = setup_enrolment()
    for n in range(20):  # two tabs, each beating every 30 s, offset by 15 s
        study.heartbeat(enrolment.id, first, T0 + timedelta(seconds=30 * n))
        study.heartbeat(enrolment.id, second, T0 + timedelta(seconds=30 * n + 15))
    assert enrolment.study_seconds == 30 * 19 + 15


def test_replayed_or_backdated_beats_earn_nothing(app):
    enrolment, (lesson, _) = setup_enrolment()
    study.heartbeat(enrolment.id, lesson, T0)
    study.heartbeat(enrolment.id, lesson, T0 + timedelta(seconds=30))
    assert study.heartbeat(enrolment.id, lesson, T0 + timedelta(seconds=30)) == 0
    assert study.heartbeat(enrolment.id, lesson, T0 + timedelta(seconds=10)) == 0
    assert enrolment.study_seconds == 30


def test_daily_cap(app, monkeypatch):
    monkeypatch.setitem(app.config, "STUDY_DAILY_CAP_HOURS", 0.25)
    enrolment, (lesson, _) = setup_enrolment()
    assert beats(enrolment, lesson, T0, 61) == 900
    next_day = T0 + timedelta(days=1)
    assert beats(enrolment, lesson, next_day, 3) == 60


def test_lessons_need_time_before_completion_and_completion_makes_exam_eligible(app):
    enrolment, (first, second) = setup_enrolment(min_hours=0.5)
    needed = study.lesson_required_seconds(first)
    with pytest.raises(DomainError):
        study.complete_lesson(enrolment, first)
    beats(enrolment, first, T0, needed // 30 + 1)
    study.complete_lesson(enrolment, first)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert not study.is_exam_eligible(enrolment.staff_id, 5)
    beats(enrolment, second, T0 + timedelta(hours=1), needed // 30 + 1)
    study.complete_lesson(enrolment, second)
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert study.is_exam_eligible(enrolment.staff_id, 5)
    assert not study.is_exam_eligible(enrolment.staff_id, 4)


def test_all_lessons_done_but_too_few_hours_is_not_complete(app):
    enrolment, lessons = setup_enrolment(min_hours=2)
    for index, lesson in enumerate(lessons):
        beats(
            enrolment,
            lesson,
            T0 + timedelta(hours=index),
            study.lesson_required_seconds(lesson) // 30 + 1,
        )
        study.complete_lesson(enrolment, lesson)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    progress = study.course_progress(enrolment)
    assert progress.lessons_done == progress.lessons_total == 2
    assert progress.percent < 100


def test_nominated_people_cannot_study_yet(app):
    course = make_course()
    enrolment = make_enrolment(
        make_cohort(course=course), make_staff(), status=EnrolmentStatus.NOMINATED
    )
    with pytest.raises(DomainError):
        study.heartbeat(enrolment.id, course.active_lessons[0], T0)


def test_class_attendance_by_code_counts_hours(app):
    enrolment, lessons = setup_enrolment(min_hours=3)
    now = utcnow()
    session = study.create_session(
        enrolment.cohort, "现场实操课", now - timedelta(hours=1), now + timedelta(hours=2)
    )
    with pytest.raises(DomainError):
        study.check_in(
            "000000" if session.check_in_code != "000000" else "000001", enrolment.staff_id, "code"
        )
    stranger = make_staff()
    with pytest.raises(DomainError):
        study.check_in(session.check_in_code, stranger.id, "code")
    study.check_in(session.check_in_code, enrolment.staff_id, "code")
    study.check_in(session.check_in_code, enrolment.staff_id, "qr")  # twice is harmless
    assert study.attendance_seconds(enrolment) == 3 * 3600
    for index, lesson in enumerate(lessons):
        beats(
            enrolment,
            lesson,
            T0 + timedelta(hours=index),
            study.lesson_required_seconds(lesson) // 30 + 1,
        )
        study.complete_lesson(enrolment, lesson)
    assert enrolment.status == EnrolmentStatus.COMPLETED


def test_check_in_outside_the_class_window_is_refused(app):
    enrolment, _ = setup_enrolment()
    now = utcnow()
    session = study.create_session(
        enrolment.cohort,
        "昨天的课",
        now - timedelta(days=1),
        now - timedelta(days=1) + timedelta(hours=2),
    )
    with pytest.raises(DomainError):
        study.check_in(session.check_in_code, enrolment.staff_id, "code")


def test_heartbeat_endpoint_counts_only_for_the_owner(client, app):
    enrolment, (lesson, _) = setup_enrolment()
    trainee = make_user(Role.TRAINEE, staff=enrolment.staff)
    client.login_as(trainee)
    url = f"/learn/{enrolment.id}/lessons/{lesson.id}/heartbeat"
    first = client.post(url).get_json()
    assert first["credited"] == 0
    db.session.refresh(enrolment)
    enrolment.last_study_at = utcnow() - timedelta(seconds=30)
    second = client.post(url).get_json()
    assert 29 <= second["credited"] <= 31
    assert second["lesson_seconds"] == second["credited"]
    other = make_user(Role.TRAINEE)
    client.login_as(other)
    assert client.post(url).status_code == 404
    assert client.get(f"/learn/{enrolment.id}").status_code == 404
