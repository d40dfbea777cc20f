"""Reads for the exam pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import joinedload

from lms.core.access import Scope
from lms.core.roles import Role
from lms.db import db
from lms.exams.models import (
    Attempt,
    AttemptStatus,
    Blueprint,
    Candidate,
    ExamRoom,
    ExamSession,
    Invigilation,
    Question,
    SessionStatus,
)
from lms.org.models import Institution, Staff


def bank(
    *,
    text: str = "",
    level: int | None = None,
    type: str | None = None,
    work_area: str | None = None,
    difficulty: str | None = None,
    state: str = "active",
) -> Select[Any]:
    statement = select(Question).order_by(Question.level.desc(), Question.work_area, Question.key)
    if text.strip():
        pattern = f"%{text.strip()}%"
        statement = statement.where(or_(Question.stem.like(pattern), Question.key.like(pattern)))
    for column, value in (
        (Question.level, level),
        (Question.type, type),
        (Question.work_area, work_area),
        (Question.difficulty, difficulty),
    ):
        if value:
            statement = statement.where(column == value)
    if state == "active":
        statement = statement.where(Question.retired_at.is_(None))
    elif state == "retired":
        statement = statement.where(Question.retired_at.is_not(None))
    return statement


def bank_counts(level: int) -> dict[tuple[str, str, str], int]:
    rows = db.session.execute(
        select(Question.type, Question.work_area, Question.difficulty, func.count())
        .where(Question.level == level, Question.retired_at.is_(None))
        .group_by(Question.type, Question.work_area, Question.difficulty)
    ).all()
    return {(kind, area, difficulty): count for kind, area, difficulty, count in rows}


def blueprints() -> list[Blueprint]:
    return list(
        db.session.scalars(select(Blueprint).order_by(Blueprint.level.desc(), Blueprint.key))
    )


def sessions(scope: Scope) -> Select[Any]:
    statement = select(ExamSession).order_by(ExamSession.opens_at.desc())
    if scope.role == Role.DISTRICT_ADMIN:
        statement = statement.where(ExamSession.district_id == scope.district_id)
    return statement


def candidates(session: ExamSession) -> list[tuple[Candidate, Attempt | None]]:
    rows = db.session.execute(candidate_results(session).order_by(Candidate.admission_number)).all()
    return [(candidate, attempt) for candidate, attempt in rows]


#: The results list's sort orders (lms.core.pagination.sorted_by); each ends on the admission
#: number (unique).
RESULT_ORDERS: dict[str, tuple[Any, ...]] = {
    "number": (Candidate.admission_number,),
    "name": (Staff.name, Candidate.admission_number),
    "institution": (Institution.name, Candidate.admission_number),
    "score": (Attempt.score, Candidate.admission_number),
    "result": (Attempt.passed, Candidate.admission_number),
}
#: The results list's outcome filter: passed, not passed, no result (absent or marking).
OUTCOMES = ("pass", "fail", "none")


def candidate_results(session: ExamSession, *, text: str = "", outcome: str = "") -> Select[Any]:
    """The session's candidates with their attempt (rows, unsorted); ``text`` matches a part of
    the name or of the admission number, ``outcome`` is one of ``OUTCOMES`` (others: all)."""
    statement = (
        select(Candidate)
        .add_columns(Attempt)
        .outerjoin(Attempt, Attempt.candidate_id == Candidate.id)
        .join(Staff, Staff.id == Candidate.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(Candidate.session_id == session.id)
    )
    text = text.strip()
    if text:
        statement = statement.where(
            or_(
                Staff.name.contains(text, autoescape=True),
                Candidate.admission_number.contains(text, autoescape=True),
            )
        )
    if outcome == "pass":
        statement = statement.where(Attempt.passed.is_(True))
    elif outcome == "fail":
        statement = statement.where(Attempt.passed.is_(False))
    elif outcome == "none":
        statement = statement.where(Attempt.passed.is_(None))
    return statement


def candidate_count(session: ExamSession) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Candidate).where(Candidate.session_id == session.id)
        )
        or 0
    )


# What the homes show (lms/reports/home.py) ---------------------------------------------------


def results_to_publish(scope: Scope) -> int:
    """Closed theory sessions ``scope`` administers whose results are not yet published."""
    return (
        db.session.scalar(
            sessions(scope)
            .with_only_columns(func.count(ExamSession.id))
            .order_by(None)
            .where(ExamSession.status == SessionStatus.CLOSED)
        )
        or 0
    )


def sittings_to_close(scope: Scope, now: datetime) -> int:
    """Published theory sessions ``scope`` administers whose window is over: to be closed
    (which hands in what is left) before their results can be published."""
    return (
        db.session.scalar(
            sessions(scope)
            .with_only_columns(func.count(ExamSession.id))
            .order_by(None)
            .where(ExamSession.status == SessionStatus.PUBLISHED, ExamSession.closes_at <= now)
        )
        or 0
    )


def next_sitting(staff_id: int, now: datetime) -> Candidate | None:
    """The trainee's next theory exam not yet handed in: published, its window not over."""
    handed_in = exists().where(
        Attempt.candidate_id == Candidate.id, Attempt.status == AttemptStatus.SUBMITTED
    )
    return db.session.scalar(
        select(Candidate)
        .join(ExamSession, ExamSession.id == Candidate.session_id)
        .where(
            Candidate.staff_id == staff_id,
            ExamSession.status == SessionStatus.PUBLISHED,
            ExamSession.closes_at > now,
            ~handed_in,
        )
        .order_by(ExamSession.opens_at)
        .options(joinedload(Candidate.session), joinedload(Candidate.room))
        .limit(1)
    )


def invigilated_by(user_id: int) -> list[ExamSession]:
    """Theory sessions not yet finished where ``user_id`` invigilates a room, soonest first."""
    return list(
        db.session.scalars(
            select(ExamSession)
            .where(
                ExamSession.status.in_([SessionStatus.PUBLISHED, SessionStatus.CLOSED]),
                ExamSession.id.in_(
                    select(ExamRoom.session_id)
                    .join(Invigilation, Invigilation.room_id == ExamRoom.id)
                    .where(Invigilation.user_id == user_id)
                ),
            )
            .order_by(ExamSession.opens_at)
        )
    )
