"""The demo's theory exam: an open level-5 session whose candidates are trainees who completed
the course, one of them with a demo sign-in, so a new user can sit a paper straight away."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.core.localtime import LOCAL_ZONE
from lms.core.roles import Role
from lms.db import db
from lms.exams import sessions
from lms.exams.models import Blueprint, ExamSession
from lms.learning.models import Cohort, Course, Enrolment, EnrolmentStatus
from lms.org.models import Institution, Staff

CANDIDATES = 24
EXAM_TRAINEE_NAME = "exam-trainee"


def completed_level5() -> Select[Staff]:
    """Caregivers who completed the level-5 course: the people every demo exam draws from."""
    return (
        select(Staff)
        .join(Enrolment, Enrolment.staff_id == Staff.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Course, Course.id == Cohort.course_id)
        .where(Enrolment.status == EnrolmentStatus.COMPLETED, Course.level == 5)
    )


def share(wanted: int) -> int:
    """How many of the completed caregivers one exam journey takes: ``wanted``, but in a small
    demo a quarter of them (at least one), so that the other journeys have people too."""
    total = db.session.scalar(select(func.count()).select_from(completed_level5().subquery()))
    return min(wanted, max(1, (total or 0) // 4))


def seed_exam_session(opens: datetime, password: str) -> User | None:
    """Create the open demo session once; returns the demo candidate's account."""
    blueprint = db.session.scalar(
        select(Blueprint).where(Blueprint.level == 5, Blueprint.is_active)
    )
    admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN).order_by(User.id))
    if blueprint is None or admin is None:
        return None
    existing = db.session.scalar(
        select(ExamSession).where(ExamSession.blueprint_id == blueprint.id)
    )
    if existing is not None:
        return _exam_trainee()
    completed = db.session.scalars(
        completed_level5()
        .join(Institution, Institution.id == Staff.institution_id)
        .order_by(Institution.district_id, Staff.id)
        .limit(share(CANDIDATES))
    ).all()
    if not completed:
        return None
    local = opens.astimezone(LOCAL_ZONE)
    session = sessions.create_session(
        sessions.SessionData(
            title=f"{local:%Y}年第1场保育师（五级）理论知识考试（演示）",
            blueprint_id=blueprint.id,
            opens_at=opens,
            closes_at=opens + timedelta(days=400),
            duration_minutes=blueprint.duration_minutes,
            district_id=None,
        ),
        admin,
    )
    room = sessions.add_room(session, "长治市托育综合服务中心 第一考场", 30)
    for examiner in db.session.scalars(select(User).where(User.role == Role.EXAMINER)).all()[:1]:
        sessions.add_invigilator(room, examiner)
    sessions.add_invigilator(room, admin)
    sessions.add_candidates(session, list(completed))
    sessions.publish(session, admin)
    staff = completed[0]
    if db.session.scalar(select(User).where(User.staff_id == staff.id)) is None:
        accounts.create_user(
            username=EXAM_TRAINEE_NAME,
            password=password,
            role=Role.TRAINEE,
            display_name=staff.name,
            staff=staff,
            chosen_by_user=True,
        )
    return _exam_trainee()


def _exam_trainee() -> User | None:
    return db.session.scalar(select(User).where(User.username == EXAM_TRAINEE_NAME))
