"""Reads for the training pages: cohorts, enrolments and progress, narrowed to the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, or_, select

from lms.core.access import Scope
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.learning.models import (
    HOLDS_PLACE,
    Attendance,
    ClassSession,
    Cohort,
    Course,
    DistrictQuota,
    Enrolment,
    EnrolmentStatus,
    Lesson,
    LessonProgress,
    TrainingPlan,
)
from lms.org.models import District, Institution, Staff

#: An enrolment counts as active when it earned study time this recently.
ACTIVE_WINDOW = timedelta(days=14)


def my_enrolments(staff_id: int) -> list[Enrolment]:
    return list(
        db.session.scalars(
            select(Enrolment)
            .join(Cohort)
            .where(Enrolment.staff_id == staff_id)
            .order_by(Cohort.starts_on.desc(), Enrolment.id.desc())
        )
    )


def lesson_record(enrolment_id: int, lesson_id: int) -> LessonProgress | None:
    return db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.enrolment_id == enrolment_id, LessonProgress.lesson_id == lesson_id
        )
    )


def lesson_records(enrolment_id: int) -> dict[int, LessonProgress]:
    return {
        record.lesson_id: record
        for record in db.session.scalars(
            select(LessonProgress).where(LessonProgress.enrolment_id == enrolment_id)
        )
    }


def plans() -> list[TrainingPlan]:
    return list(db.session.scalars(select(TrainingPlan).order_by(TrainingPlan.year.desc())))


def cohorts(scope: Scope, plan_id: int | None = None) -> Select[Any]:
    """City-wide cohorts plus those of the user's district (all of them for the city)."""
    statement = select(Cohort).join(Course).order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    if plan_id:
        statement = statement.where(Cohort.plan_id == plan_id)
    district_id = _district_of(scope)
    if not scope.is_city and scope.role != Role.EXAMINER:
        statement = statement.where(
            or_(Cohort.district_id.is_(None), Cohort.district_id == district_id)
        )
    return statement


def _district_of(scope: Scope) -> int | None:
    if scope.role == Role.DISTRICT_ADMIN:
        return scope.district_id
    if scope.role == Role.INSTITUTION_MANAGER and scope.institution_id:
        institution = db.session.get(Institution, scope.institution_id)
        return institution.district_id if institution else None
    return None


StatementT = TypeVar("StatementT", bound="Select[*tuple[Any, ...]]")


def _scope_staff(statement: StatementT, scope: Scope) -> StatementT:
    if scope.role == Role.DISTRICT_ADMIN:
        return statement.where(Institution.district_id == scope.district_id)
    if scope.role == Role.INSTITUTION_MANAGER:
        return statement.where(Institution.id == scope.institution_id)
    if scope.role in (Role.CITY_ADMIN, Role.EXAMINER):
        return statement
    return statement.where(Institution.id.is_(None))


def enrolment_in_scope(scope: Scope, enrolment: Enrolment) -> bool:
    """Whether the trainee of ``enrolment`` is within ``scope`` (whatever the cohort's reach).

    The one test of every attendance action and list: a city-wide cohort mixes trainees of all
    districts, and an administrator acts only on those they are responsible for.
    """
    statement = (
        select(Enrolment.id)
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(Enrolment.id == enrolment.id)
    )
    return db.session.scalar(_scope_staff(statement, scope)) is not None


def session_attendance(session: ClassSession, scope: Scope) -> list[Attendance]:
    """Who attended the class, among the trainees within ``scope``."""
    statement = (
        select(Attendance)
        .join(Enrolment, Enrolment.id == Attendance.enrolment_id)
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(Attendance.session_id == session.id)
    )
    return list(db.session.scalars(_scope_staff(statement, scope)))


@dataclass(frozen=True)
class EnrolmentRow:
    enrolment: Enrolment
    lessons_done: int
    hours: float


_DONE = (
    select(LessonProgress.enrolment_id, func.count().label("done"))
    .where(LessonProgress.completed_at.is_not(None))
    .group_by(LessonProgress.enrolment_id)
    .subquery()
)
#: Lessons an enrolment has done (a column of ``cohort_enrolments_statement``).
LESSONS_DONE = func.coalesce(_DONE.c.done, 0)


def cohort_enrolments_statement(cohort: Cohort, scope: Scope) -> Select[Any]:
    """(enrolment, lessons done) of the cohort's enrolments visible to ``scope``."""
    statement = (
        select(Enrolment)
        .add_columns(LESSONS_DONE)
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .outerjoin(_DONE, _DONE.c.enrolment_id == Enrolment.id)
        .where(Enrolment.cohort_id == cohort.id)
        .order_by(Institution.name, Staff.name)
    )
    return _scope_staff(statement, scope)


def enrolment_rows(rows: Any) -> list[EnrolmentRow]:
    """``EnrolmentRow``s of (enrolment, lessons done) rows."""
    return [
        EnrolmentRow(enrolment, int(lessons_done), round(enrolment.study_seconds / 3600, 1))
        for enrolment, lessons_done in rows
    ]


def cohort_enrolments(cohort: Cohort, scope: Scope) -> list[EnrolmentRow]:
    """The cohort's enrolments visible to ``scope``, with lessons done and study hours."""
    return enrolment_rows(db.session.execute(cohort_enrolments_statement(cohort, scope)).all())


def pending_nominations(scope: Scope) -> list[Enrolment]:
    statement = (
        select(Enrolment)
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.status == EnrolmentStatus.NOMINATED)
        .order_by(Cohort.starts_on, Institution.name, Staff.name)
    )
    if scope.role == Role.DISTRICT_ADMIN:
        statement = statement.where(Institution.district_id == scope.district_id)
    elif not scope.is_city:
        statement = statement.where(Enrolment.id.is_(None))
    return list(db.session.scalars(statement))


@dataclass(frozen=True)
class ProgressRow:
    key: int
    name: str
    nominated: int
    enrolled: int
    active: int
    completed: int
    hours: float


GROUPINGS = ("cohort", "institution", "district")


def progress_summary(scope: Scope, by: str, plan_id: int | None = None) -> list[ProgressRow]:
    """Enrolled, active, completed and study hours per cohort, institution or district."""
    return progress_rows(db.session.execute(progress_statement(scope, by, plan_id)))


def progress_rows(rows: Any) -> list[ProgressRow]:
    """``ProgressRow``s of the rows of ``progress_statement``."""
    return [
        ProgressRow(
            row[0],
            row[1],
            int(row[2] or 0),
            int(row[3] or 0),
            int(row[4] or 0),
            int(row[5] or 0),
            round((row[6] or 0) / 3600, 1),
        )
        for row in rows
    ]


def progress_statement(scope: Scope, by: str, plan_id: int | None = None) -> Select[Any]:
    """The statement of ``progress_summary``: the group's id and name, then its figures
    (labelled nominated, enrolled, active, completed, seconds), within ``scope``."""
    if by not in GROUPINGS:
        raise ValueError(by)
    group_columns = {
        "cohort": (Cohort.id, Cohort.title),
        "institution": (Institution.id, Institution.name),
        "district": (District.id, District.name),
    }[by]
    holds = Enrolment.status.in_(HOLDS_PLACE)
    recent = utcnow() - ACTIVE_WINDOW
    statement = (
        select(
            *group_columns,
            func.sum(case((Enrolment.status == EnrolmentStatus.NOMINATED, 1), else_=0)).label(
                "nominated"
            ),
            func.sum(case((holds, 1), else_=0)).label("enrolled"),
            func.sum(case((holds & (Enrolment.last_study_at >= recent), 1), else_=0)).label(
                "active"
            ),
            func.sum(case((Enrolment.status == EnrolmentStatus.COMPLETED, 1), else_=0)).label(
                "completed"
            ),
            func.coalesce(func.sum(case((holds, Enrolment.study_seconds), else_=0)), 0).label(
                "seconds"
            ),
        )
        .select_from(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .join(District, District.id == Institution.district_id)
        .group_by(*group_columns)
        .order_by(group_columns[1])
    )
    if plan_id:
        statement = statement.where(Cohort.plan_id == plan_id)
    return _scope_staff(statement, scope)


def active_courses() -> list[Course]:
    return list(
        db.session.scalars(
            select(Course).where(Course.is_active.is_(True)).order_by(Course.level.desc())
        )
    )


# What the homes show (lms/reports/home.py) ---------------------------------------------------


def nominations_waiting(scope: Scope) -> int:
    """Nominations of the staff ``scope`` sees that wait for the district's approval."""
    statement = (
        select(func.count(Enrolment.id))
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(Enrolment.status == EnrolmentStatus.NOMINATED)
    )
    return db.session.scalar(_scope_staff(statement, scope)) or 0


def quota_of(district_id: int, plan_id: int) -> DistrictQuota | None:
    """The district's places in the plan (``quota``) and those approved so far (``used``)."""
    return db.session.scalar(
        select(DistrictQuota).where(
            DistrictQuota.plan_id == plan_id, DistrictQuota.district_id == district_id
        )
    )


@dataclass(frozen=True)
class NextLesson:
    enrolment: Enrolment
    lesson: Lesson | None  # None: every lesson is done, the hours may still be short


def next_lesson(staff_id: int) -> NextLesson | None:
    """The first lesson not yet done of the trainee's newest running course (enrolled)."""
    enrolment = db.session.scalar(
        select(Enrolment)
        .join(Cohort)
        .where(Enrolment.staff_id == staff_id, Enrolment.status == EnrolmentStatus.ENROLLED)
        .order_by(Cohort.starts_on.desc(), Enrolment.id.desc())
        .limit(1)
    )
    if enrolment is None:
        return None
    done = set(
        db.session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.enrolment_id == enrolment.id,
                LessonProgress.completed_at.is_not(None),
            )
        )
    )
    lessons = enrolment.cohort.course.active_lessons
    return NextLesson(enrolment, next((x for x in lessons if x.id not in done), None))
