"""Study time, lesson and course completion, attendance, and exam eligibility.

Study time is counted by the server from heartbeats a lesson page sends while it is open and in
use. A heartbeat earns the time since the enrolment's previous heartbeat (on any lesson), and
only when that gap is short: a client can neither claim time it did not spend nor earn double
time from two open tabs. A daily cap bounds the rest.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.core import audit
from lms.core.access import Scope
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.core.localtime import local_day
from lms.core.ratelimit import Throttle
from lms.db import db, utcnow
from lms.learning import practice, queries
from lms.learning.models import (
    HOLDS_PLACE,
    Attendance,
    ClassSession,
    Cohort,
    Course,
    Enrolment,
    EnrolmentStatus,
    Lesson,
    LessonProgress,
    StudyDay,
)


@dataclass(frozen=True)
class StudyRules:
    heartbeat_seconds: int
    #: A heartbeat arriving later than this after the previous one earns nothing (the page was
    #: hidden, the phone slept, or the client is replaying requests).
    max_gap_seconds: int
    daily_cap_seconds: int
    #: Share of a lesson's nominal hours a trainee must spend on it before marking it done.
    lesson_min_fraction: float

    @classmethod
    def from_config(cls) -> StudyRules:
        config = current_app.config
        return cls(
            heartbeat_seconds=config.get("STUDY_HEARTBEAT_SECONDS", 30),
            # Two and a half beats: one lost request does not cost study time, a pause does.
            max_gap_seconds=int(config.get("STUDY_HEARTBEAT_SECONDS", 30) * 2.5),
            daily_cap_seconds=int(config.get("STUDY_DAILY_CAP_HOURS", 8) * 3600),
            lesson_min_fraction=config.get("LESSON_MIN_FRACTION", 0.3),
        )


def lesson_progress(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    """The enrolment's record for a lesson, created on first use."""
    progress = db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.enrolment_id == enrolment.id, LessonProgress.lesson_id == lesson.id
        )
    )
    if progress is None:
        progress = LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id, seconds=0)
        db.session.add(progress)
        db.session.flush()
    return progress


def check_can_study(enrolment: Enrolment, lesson: Lesson) -> None:
    if enrolment.status not in HOLDS_PLACE:
        raise NotAllowed(_l("Lessons open once your enrolment is approved"))
    if lesson.course_id != enrolment.cohort.course_id or lesson.retired_at is not None:
        raise DomainError(_l("This lesson is not part of your course"))


def heartbeat(enrolment_id: int, lesson: Lesson, now: datetime | None = None) -> int:
    """Credit the time since the enrolment's previous heartbeat; return the seconds credited.

    The first heartbeat of a visit only starts the clock."""
    now, rules = now or utcnow(), StudyRules.from_config()
    enrolment = locked_enrolment(enrolment_id, lesson)
    progress = lesson_progress(enrolment, lesson)
    return credit(enrolment, progress, clock_gap(enrolment, now, rules), now, rules)


def locked_enrolment(enrolment_id: int, lesson: Lesson) -> Enrolment:
    """The enrolment, locked (PostgreSQL; SQLite serialises writers) so that two reports
    arriving together cannot both earn the same interval; refused if it may not study."""
    enrolment = db.session.get(
        Enrolment, enrolment_id, with_for_update=True, populate_existing=True
    )
    if enrolment is None:
        raise DomainError(_l("Unknown enrolment"))
    check_can_study(enrolment, lesson)
    return enrolment


def clock_gap(enrolment: Enrolment, now: datetime, rules: StudyRules) -> float:
    """Seconds since the enrolment's previous credited event (heartbeat or video report, on
    any lesson), restarting the clock; 0 when there was none or the gap is too long."""
    previous, enrolment.last_study_at = enrolment.last_study_at, now
    if previous is None:
        return 0
    gap = (now - previous).total_seconds()
    return gap if 0 < gap <= rules.max_gap_seconds else 0


def credit(
    enrolment: Enrolment, progress: LessonProgress, seconds: float, now: datetime, rules: StudyRules
) -> int:
    """Add up to ``seconds`` of study time to the lesson, within the daily cap; return it."""
    if seconds <= 0:
        return 0
    day = db.session.scalar(
        select(StudyDay).where(
            StudyDay.enrolment_id == enrolment.id, StudyDay.day == local_day(now)
        )
    )
    if day is None:
        day = StudyDay(enrolment_id=enrolment.id, day=local_day(now), seconds=0)
        db.session.add(day)
    granted = int(min(seconds, rules.daily_cap_seconds - day.seconds))
    if granted <= 0:
        return 0
    day.seconds += granted
    enrolment.study_seconds += granted
    progress.seconds += granted
    return granted


def lesson_required_seconds(lesson: Lesson) -> int:
    return int(lesson.hours * 3600 * StudyRules.from_config().lesson_min_fraction)


def complete_lesson(enrolment: Enrolment, lesson: Lesson) -> LessonProgress:
    """Mark a lesson done once enough time was spent on it; maybe complete the course."""
    check_can_study(enrolment, lesson)
    progress = lesson_progress(enrolment, lesson)
    needed = lesson_required_seconds(lesson)
    from lms.learning.watching import check_video_covered

    check_video_covered(lesson, progress)
    if progress.seconds < needed:
        raise DomainError(
            _l(
                "Spend at least %(m)d minutes on this lesson before marking it done (so far %(s)d)",
                m=needed // 60,
                s=progress.seconds // 60,
            )
        )
    if practice.required() and practice.unanswered(enrolment, lesson):
        raise DomainError(
            _l("Answer the self-check questions at the end of the lesson before marking it done")
        )
    if progress.completed_at is None:
        progress.completed_at = utcnow()
        evaluate_completion(enrolment)
    return progress


@dataclass(frozen=True)
class CourseProgress:
    lessons_total: int
    lessons_done: int
    study_seconds: int
    attendance_seconds: int
    min_hours: float

    @property
    def study_hours(self) -> float:
        return round(self.study_seconds / 3600, 1)

    @property
    def attendance_hours(self) -> float:
        return round(self.attendance_seconds / 3600, 1)

    @property
    def hours(self) -> float:
        return round((self.study_seconds + self.attendance_seconds) / 3600, 1)

    @property
    def hours_reached(self) -> bool:
        # Compared in seconds: rounding for display must not decide completion.
        return self.study_seconds + self.attendance_seconds >= self.min_hours * 3600

    @property
    def percent(self) -> int:
        lesson_share = self.lessons_done / self.lessons_total if self.lessons_total else 1
        seconds = self.study_seconds + self.attendance_seconds
        hour_share = min(1.0, seconds / (self.min_hours * 3600)) if self.min_hours else 1
        return int(100 * min(lesson_share, hour_share))


def course_progress(enrolment: Enrolment) -> CourseProgress:
    course: Course = enrolment.cohort.course
    active = [lesson.id for lesson in course.active_lessons]
    done = (
        db.session.scalar(
            select(func.count())
            .select_from(LessonProgress)
            .where(
                LessonProgress.enrolment_id == enrolment.id,
                LessonProgress.lesson_id.in_(active),
                LessonProgress.completed_at.is_not(None),
            )
        )
        or 0
    )
    return CourseProgress(
        lessons_total=len(active),
        lessons_done=done,
        study_seconds=enrolment.study_seconds,
        attendance_seconds=attendance_seconds(enrolment),
        min_hours=course.min_hours,
    )


def attendance_seconds(enrolment: Enrolment) -> int:
    sessions = db.session.scalars(
        select(ClassSession).join(Attendance).where(Attendance.enrolment_id == enrolment.id)
    ).all()
    return int(sum((session.ends_at - session.starts_at).total_seconds() for session in sessions))


def evaluate_completion(enrolment: Enrolment) -> bool:
    """Complete the enrolment when every lesson is done and the hours reach the minimum."""
    if enrolment.status != EnrolmentStatus.ENROLLED:
        return enrolment.status == EnrolmentStatus.COMPLETED
    progress = course_progress(enrolment)
    course = enrolment.cohort.course
    lessons_ok = progress.lessons_done == progress.lessons_total or not course.require_all_lessons
    if lessons_ok and progress.hours_reached:
        enrolment.status = EnrolmentStatus.COMPLETED
        enrolment.completed_at = utcnow()
        audit.record(
            "training.completed", enrolment, staff_id=enrolment.staff_id, hours=progress.hours
        )
        return True
    return False


# Attendance ----------------------------------------------------------------------------------

CHECK_IN_EARLY = timedelta(minutes=30)
CHECK_IN_LATE = timedelta(minutes=30)


def new_check_in_code() -> str:
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        if (
            db.session.scalar(select(ClassSession.id).where(ClassSession.check_in_code == code))
            is None
        ):
            return code


def create_session(
    cohort: Cohort, title: str, starts_at: datetime, ends_at: datetime
) -> ClassSession:
    if ends_at <= starts_at:
        raise DomainError(_l("A class ends after it starts"))
    session = ClassSession(
        cohort_id=cohort.id,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        check_in_code=new_check_in_code(),
    )
    db.session.add(session)
    db.session.flush()
    return session


#: Codes a trainee may try per window (``CHECK_IN_GUESS_LIMIT``), counted in the rate-limit
#: storage every process shares: six digits must not be guessable by trying them all.
CHECK_IN_GUESSES = Throttle("check-in", "CHECK_IN_GUESS_LIMIT")


def check_in(code: str, staff_id: int, method: str, now: datetime | None = None) -> Attendance:
    """Record a trainee's attendance with the code (or QR) of a class running now.

    Every attempt is counted before the code is looked at, and given back when it succeeds, so
    that only failures count and concurrent attempts cannot slip past the limit; once it is
    reached even the right code is refused until the window ends.
    """
    wait = CHECK_IN_GUESSES.attempt(staff_id)
    if wait is not None:
        raise DomainError(
            _l(
                "Too many wrong check-in codes. Please try again in %(minutes)d minutes.",
                minutes=math.ceil(wait / 60),
            ),
            code="too_many_attempts",
            status=429,
        )
    attendance = _check_in(code, staff_id, method, now or utcnow())
    CHECK_IN_GUESSES.refund(staff_id)
    return attendance


def _check_in(code: str, staff_id: int, method: str, now: datetime) -> Attendance:
    session = db.session.scalar(
        select(ClassSession).where(ClassSession.check_in_code == code.strip())
    )
    if session is None:
        raise DomainError(_l("No class has this check-in code"))
    if not session.starts_at - CHECK_IN_EARLY <= now <= session.ends_at + CHECK_IN_LATE:
        raise DomainError(_l("Check-in for this class is closed"))
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.cohort_id == session.cohort_id,
            Enrolment.staff_id == staff_id,
            Enrolment.status.in_(HOLDS_PLACE),
        )
    )
    if enrolment is None:
        raise NotAllowed(_l("You are not enrolled in this class's cohort"))
    return record_attendance(session, enrolment, method, None)


def mark_present(
    session: ClassSession, enrolment: Enrolment, actor_scope: Scope, actor_id: int
) -> Attendance:
    """Record by hand that a trainee within the actor's scope attended the class.

    A city-wide cohort mixes trainees of every district: a district administrator credits
    hours only to their own district's trainees, like everything else they manage.
    """
    if enrolment.cohort_id != session.cohort_id or not queries.enrolment_in_scope(
        actor_scope, enrolment
    ):
        raise NotAllowed(_l("This trainee is not within your responsibility"))
    return record_attendance(session, enrolment, "manual", actor_id)


def record_attendance(
    session: ClassSession, enrolment: Enrolment, method: str, recorded_by_id: int | None
) -> Attendance:
    existing = db.session.scalar(
        select(Attendance).where(
            Attendance.session_id == session.id, Attendance.enrolment_id == enrolment.id
        )
    )
    if existing is not None:
        return existing
    attendance = Attendance(
        session_id=session.id,
        enrolment_id=enrolment.id,
        method=method,
        recorded_by_id=recorded_by_id,
    )
    db.session.add(attendance)
    db.session.flush()
    evaluate_completion(enrolment)
    return attendance


# Exam eligibility ---------------------------------------------------------------------------


def eligible_levels(staff_id: int) -> set[int]:
    """Skill levels whose exam this person may sit: those of courses they completed."""
    return set(
        db.session.scalars(
            select(Course.level)
            .join(Cohort, Cohort.course_id == Course.id)
            .join(Enrolment, Enrolment.cohort_id == Cohort.id)
            .where(Enrolment.staff_id == staff_id, Enrolment.status == EnrolmentStatus.COMPLETED)
        )
    )


def is_exam_eligible(staff_id: int, level: int) -> bool:
    return level in eligible_levels(staff_id)


def ensure_not_completed(enrolment: Enrolment) -> None:
    if enrolment.status == EnrolmentStatus.COMPLETED:
        raise Conflict(_l("This course is already completed"))
