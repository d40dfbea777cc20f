"""Honest credit for watching a lesson's video: the server merges the intervals the player
says it played and credits unique seconds only, within wall-clock time, the rate limit and the
daily cap (crafted reports, as a tampered or buggy player could send them)."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lms.core.errors import DomainError
from lms.core.localtime import LOCAL_ZONE
from lms.core.params import BadParameter
from lms.db import db
from lms.learning import study, watching
from lms.learning.models import LessonProgress
from tests.factories import make_staff
from tests.learning.factories import make_cohort, make_course, make_enrolment

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=LOCAL_ZONE)
DURATION = 120.0


def video_lesson(minutes_needed_fraction=0.3):
    course = make_course(lessons=2, min_hours=1.0)
    enrolment = make_enrolment(make_cohort(course=course), make_staff())
    lesson = course.active_lessons[0]
    lesson.video = {"media": None, "duration": DURATION, "title": "七步洗手法"}
    db.session.flush()
    return enrolment, lesson


def at(seconds):
    return T0 + timedelta(seconds=seconds)


def report(enrolment, lesson, played, when, position=None, rate=1.0):
    position = played[-1][1] if position is None and played else (position or 0)
    return watching.report(enrolment.id, lesson, played, position, rate, at(when))


def progress_of(enrolment, lesson):
    return db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.enrolment_id == enrolment.id, LessonProgress.lesson_id == lesson.id
        )
    )


def test_playing_straight_through_earns_the_seconds_played(app):
    enrolment, lesson = video_lesson()
    study.heartbeat(enrolment.id, lesson, at(0))  # the page opened: the clock starts
    assert report(enrolment, lesson, [[0, 15]], 15).credited == 15
    assert report(enrolment, lesson, [[15, 30]], 30).credited == 15
    result = report(enrolment, lesson, [[30, 45]], 45)
    assert (result.credited, result.watched_seconds) == (15, 45)
    assert enrolment.study_seconds == 45


def test_skipping_ahead_earns_nothing_for_the_skipped_part(app):
    enrolment, lesson = video_lesson()
    study.heartbeat(enrolment.id, lesson, at(0))
    report(enrolment, lesson, [[0, 10]], 10)
    # Seek from 10 s to 100 s, then play 5 s: only those 5 s are new.
    result = report(enrolment, lesson, [[100, 105]], 15)
    assert result.credited == 5
    assert progress_of(enrolment, lesson).video_intervals == [[0, 10], [100, 105]]
    assert result.watched_seconds == 15


def test_watching_a_part_again_earns_nothing_more(app):
    enrolment, lesson = video_lesson()
    study.heartbeat(enrolment.id, lesson, at(0))
    report(enrolment, lesson, [[0, 15]], 15)
    assert report(enrolment, lesson, [[0, 15]], 30).credited == 0
    assert progress_of(enrolment, lesson).video_seconds == 15


def test_two_tabs_do_not_double_count(app):
    enrolment, lesson = video_lesson()
    study.heartbeat(enrolment.id, lesson, at(0))
    # Tab A and tab B play the same part at the same time and both report it.
    first = report(enrolment, lesson, [[0, 15]], 15)
    second = report(enrolment, lesson, [[0, 15]], 15.5)
    assert (first.credited, second.credited) == (15, 0)
    # Tab B then plays another part while A plays on: 30 s of new video in 14.5 s of wall
    # time counts as covered (within 2x) but earns only the wall-clock time.
    third = report(enrolment, lesson, [[15, 30], [60, 75]], 30)
    assert (third.credited, third.watched_seconds) == (14, 45)
    # More than twice the wall-clock time between reports is refused altogether; the 16 s
    # covered before but held back by the clock are credited as the time passes.
    fourth = report(enrolment, lesson, [[30, 45], [75, 95]], 45)
    assert (fourth.refused, fourth.watched_seconds, fourth.credited) == ("too_long", 45, 15)
    # 45 s of wall-clock time, two tabs: never more than 45 s credited.
    assert enrolment.study_seconds == 44


def test_faster_than_twice_the_speed_is_not_credited(app):
    enrolment, lesson = video_lesson()
    study.heartbeat(enrolment.id, lesson, at(0))
    result = report(enrolment, lesson, [[0, 30]], 10, rate=3.0)
    assert (result.credited, result.refused, result.watched_seconds) == (0, "rate", 0)
    # At 2x, 20 s of video in 10 s of wall time counts as covered, credited as wall time.
    result = report(enrolment, lesson, [[0, 20]], 20, rate=2.0)
    assert (result.refused, result.watched_seconds, result.credited) == ("", 20, 10)


def test_an_interval_longer_than_the_time_since_the_last_report_is_not_credited(app):
    enrolment, lesson = video_lesson()
    study.heartbeat(enrolment.id, lesson, at(0))
    result = report(enrolment, lesson, [[0, 90]], 15)
    assert (result.credited, result.refused, result.watched_seconds) == (0, "too_long", 0)


def test_a_report_after_a_long_absence_earns_no_time(app):
    enrolment, lesson = video_lesson()
    study.heartbeat(enrolment.id, lesson, at(0))
    result = report(enrolment, lesson, [[0, 15]], 600)  # the phone slept for ten minutes
    assert result.credited == 0


def test_the_daily_cap_still_holds(app):
    app.config["STUDY_DAILY_CAP_HOURS"] = 20 / 3600  # 20 seconds a day
    try:
        enrolment, lesson = video_lesson()
        study.heartbeat(enrolment.id, lesson, at(0))
        assert report(enrolment, lesson, [[0, 15]], 15).credited == 15
        assert report(enrolment, lesson, [[15, 30]], 30).credited == 5
        assert report(enrolment, lesson, [[30, 45]], 45).credited == 0
        # Covered all the same: the cap limits hours, not what was watched.
        assert progress_of(enrolment, lesson).video_seconds == 45
    finally:
        app.config["STUDY_DAILY_CAP_HOURS"] = 8


def test_the_trainee_resumes_where_they_stopped(app):
    enrolment, lesson = video_lesson()
    study.heartbeat(enrolment.id, lesson, at(0))
    report(enrolment, lesson, [[0, 12]], 12, position=12.0)
    assert progress_of(enrolment, lesson).video_position == 12.0


def test_the_lesson_is_done_only_with_enough_of_the_video(app):
    app.config["LESSON_MIN_FRACTION"] = 0.01
    try:
        enrolment, lesson = video_lesson()
        study.heartbeat(enrolment.id, lesson, at(0))
        for n in range(6):  # 0–90 s of 120 s: 75%
            report(enrolment, lesson, [[n * 15, n * 15 + 15]], (n + 1) * 15)
        with pytest.raises(DomainError) as refused:
            study.complete_lesson(enrolment, lesson)
        assert "90%" in str(refused.value.message) and "75%" in str(refused.value.message)
        report(enrolment, lesson, [[90, 108]], 105)
        assert study.complete_lesson(enrolment, lesson).completed_at is not None
    finally:
        app.config["LESSON_MIN_FRACTION"] = 0.3


def test_intervals_are_clipped_to_the_video_and_malformed_ones_refused():
    assert watching.parse_played([[-5, 10], [110, 500]], DURATION) == [[0, 10], [110, 120]]
    assert watching.merge([[10, 20], [0, 10], [15, 30], [50, 60]]) == [[0, 30], [50, 60]]
    for bad in ("x", [[1]], [["a", 2]], [[0, float("nan")]], [[0, 1]] * 51):
        with pytest.raises(BadParameter):
            watching.parse_played(bad, DURATION)


def test_reports_cut_at_odd_moments_lose_no_watched_second(app):
    """Reports every two seconds, a pause, a seek: whole seconds and request timing must not
    eat into what is credited (the player on a phone reports at arbitrary moments); what the
    wall clock held back is owed, not lost."""
    enrolment, lesson = video_lesson()
    study.heartbeat(enrolment.id, lesson, at(0))
    timeline = [
        (2.0, [[0, 0.5]]),
        (4.0, [[0.5, 2.5]]),
        (5.6, [[2.5, 4.05]]),  # paused at 4.05 s
        (6.0, [[40, 40.4]]),  # skipped to 40 s
        (8.0, [[40.4, 42.4]]),
        (8.7, [[42.4, 43.07]]),  # paused: the last second played is owed, the clock short
        (9.5, []),  # the next report (here: nothing new) pays it
    ]
    credited = [report(enrolment, lesson, played, when).credited for when, played in timeline]
    assert progress_of(enrolment, lesson).video_seconds == 7.12
    assert sum(credited) == 7, credited
