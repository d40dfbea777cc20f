"""Exam sessions (考试场次): window and duration, rooms and invigilators, candidates and their
admission numbers, publishing (which draws every candidate's paper) and results."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select

from lms.accounts.models import User
from lms.core import audit
from lms.core.access import Scope
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.core.localtime import format_local
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.exams.draw import Shortfall, draw
from lms.exams.models import (
    Attempt,
    AttemptStatus,
    Blueprint,
    Candidate,
    ExamRoom,
    ExamSession,
    Invigilation,
    PaperItem,
    Question,
    SessionStatus,
    current_version_ids,
)
from lms.grading import retakes
from lms.learning.study import eligible_levels
from lms.org.models import Institution, Staff

#: Candidates per invigilator, and invigilators per room at least (2021 standard).
CANDIDATES_PER_INVIGILATOR = 15
MIN_INVIGILATORS_PER_ROOM = 2
INVIGILATOR_ROLES = (Role.EXAMINER, Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


@dataclass
class SessionData:
    title: str
    blueprint_id: int
    opens_at: datetime
    closes_at: datetime
    duration_minutes: int
    district_id: int | None


def can_manage(scope: Scope, session: ExamSession) -> bool:
    return scope.is_city or (
        scope.role == Role.DISTRICT_ADMIN and session.district_id == scope.district_id
    )


def _check(data: SessionData, scope: Scope) -> Blueprint:
    if scope.role == Role.DISTRICT_ADMIN and data.district_id != scope.district_id:
        raise NotAllowed(_l("District administrators run sessions for their own district only"))
    blueprint = db.session.get(Blueprint, data.blueprint_id)
    if blueprint is None or not blueprint.is_active:
        raise DomainError(_l("Choose an active blueprint"))
    if data.closes_at <= data.opens_at:
        raise DomainError(_l("The window must close after it opens"))
    if data.duration_minutes <= 0:
        raise DomainError(_l("The duration must be positive"))
    return blueprint


def create_session(data: SessionData, actor: User) -> ExamSession:
    blueprint = _check(data, actor.scope)
    session = ExamSession(level=blueprint.level, created_by_id=actor.id, **vars(data))
    db.session.add(session)
    db.session.flush()
    audit.record("exam.session_created", session, title=session.title)
    return session


def update_session(session: ExamSession, data: SessionData, actor: User) -> None:
    _require_draft(session)
    blueprint = _check(data, actor.scope)
    for name, value in vars(data).items():
        setattr(session, name, value)
    session.level = blueprint.level


def _require_draft(session: ExamSession) -> None:
    if session.status != SessionStatus.DRAFT:
        raise Conflict(_l("A published session cannot be changed"))


# Rooms and invigilators ----------------------------------------------------------------------


def add_room(session: ExamSession, name: str, capacity: int) -> ExamRoom:
    _require_draft(session)
    if capacity <= 0:
        raise DomainError(_l("The capacity must be at least 1"))
    if db.session.scalar(
        select(ExamRoom.id).where(ExamRoom.session_id == session.id, ExamRoom.name == name.strip())
    ):
        raise Conflict(_l("There is already a room of that name"))
    room = ExamRoom(name=name.strip(), capacity=capacity)
    session.rooms.append(room)
    db.session.flush()
    return room


def remove_room(room: ExamRoom) -> None:
    _require_draft(room.session)
    db.session.delete(room)
    db.session.flush()


def add_invigilator(room: ExamRoom, user: User) -> None:
    _require_draft(room.session)
    if user.role not in INVIGILATOR_ROLES or not user.is_active:
        raise DomainError(_l("Invigilators are examiners or administrators"))
    if all(invigilation.user_id != user.id for invigilation in room.invigilators):
        room.invigilators.append(Invigilation(user_id=user.id))
        db.session.flush()


def remove_invigilator(invigilation: Invigilation) -> None:
    _require_draft(invigilation.room.session)
    db.session.delete(invigilation)


# Candidates -----------------------------------------------------------------------------------


def eligible_staff(session: ExamSession) -> list[Staff]:
    """Trainees who completed the course of the session's level and are not yet candidates of
    a session of that level that is still to come or running."""
    statement = select(Staff).join(Institution).order_by(Institution.district_id, Staff.name)
    if session.district_id is not None:
        statement = statement.where(Institution.district_id == session.district_id)
    taken = (
        select(Candidate.staff_id)
        .join(ExamSession)
        .where(
            ExamSession.level == session.level,
            ExamSession.status.in_([SessionStatus.DRAFT, SessionStatus.PUBLISHED]),
        )
    )
    statement = statement.where(Staff.id.not_in(taken))
    return [
        staff
        for staff in db.session.scalars(statement)
        if session.level in eligible_levels(staff.id)
    ]


def add_candidates(session: ExamSession, people: list[Staff]) -> int:
    """Admit trainees who are eligible; each gets an admission number."""
    _require_draft(session)
    eligible = {staff.id for staff in eligible_staff(session)}
    refused = [staff.name for staff in people if staff.id not in eligible]
    if refused:
        raise DomainError(_l("Not eligible for this session: %(names)s", names="、".join(refused)))
    retakes.refuse_entries(people, session.level, "theory", session.opens_at)
    # Numbers go on from the highest given (not from the count: after a removal from the draft
    # the count would hand out a number a candidate still holds).
    last = db.session.scalar(
        select(func.max(Candidate.admission_number)).where(Candidate.session_id == session.id)
    )
    count = int(last[-5:]) if last else 0
    for offset, staff in enumerate(people, start=1):
        db.session.add(
            Candidate(
                session_id=session.id,
                staff_id=staff.id,
                admission_number=admission_number(session, count + offset),
            )
        )
    db.session.flush()
    audit.record("exam.candidates_added", session, count=len(people))
    return len(people)


def admission_number(session: ExamSession, sequence: int) -> str:
    """准考证号: year (2), level (1), session (4), sequence (5) — 12 digits."""
    return f"{session.opens_at:%y}{session.level}{session.id:04d}{sequence:05d}"


def remove_candidate(candidate: Candidate) -> None:
    _require_draft(candidate.session)
    db.session.delete(candidate)


def seating_plan(session: ExamSession) -> list[tuple[Candidate, ExamRoom | None, int | None]]:
    """Candidates by admission number filling the rooms in order, seats from 1 in each room."""
    candidates = db.session.scalars(
        select(Candidate)
        .where(Candidate.session_id == session.id)
        .order_by(Candidate.admission_number)
    ).all()
    seats = [(room, seat) for room in session.rooms for seat in range(1, room.capacity + 1)]
    return [
        (candidate, *(seats[i] if i < len(seats) else (None, None)))
        for i, candidate in enumerate(candidates)
    ]


def assign_seats(session: ExamSession) -> None:
    for candidate, room, seat in seating_plan(session):
        candidate.room_id, candidate.seat = (room.id if room else None), seat
    db.session.flush()


# Publishing -----------------------------------------------------------------------------------


def readiness_problems(session: ExamSession) -> list[str]:
    """What stops the session from being published (empty: ready)."""
    problems: list[str] = []
    candidates = (
        db.session.scalar(
            select(func.count()).select_from(Candidate).where(Candidate.session_id == session.id)
        )
        or 0
    )
    if candidates == 0:
        problems.append(str(_l("The session has no candidates")))
    if not session.rooms:
        problems.append(str(_l("The session has no rooms")))
    capacity = sum(room.capacity for room in session.rooms)
    if candidates > capacity:
        problems.append(str(_l("%(n)d candidates but only %(c)d seats", n=candidates, c=capacity)))
    plan = seating_plan(session)
    for room in session.rooms:
        seated = sum(1 for _candidate, seat_room, _seat in plan if seat_room is room)
        needed = max(MIN_INVIGILATORS_PER_ROOM, math.ceil(seated / CANDIDATES_PER_INVIGILATOR))
        if len(room.invigilators) < needed:
            problems.append(
                str(
                    _l(
                        "Room %(room)s has %(have)d invigilators for %(n)d candidates; "
                        "it needs %(need)d (at least 2, and 1 per 15 candidates)",
                        room=room.name,
                        have=len(room.invigilators),
                        n=seated,
                        need=needed,
                    )
                )
            )
    blueprint = session.blueprint
    if round(blueprint.total_points, 2) != 100:
        problems.append(
            str(_l("The blueprint adds up to %(t)s points, not 100", t=blueprint.total_points))
        )
    try:
        draw(blueprint.level, blueprint.cells, _bank(blueprint.level), seed=0)
    except Shortfall as shortfall:
        problems.extend(shortfall.problems)
    return problems


def _bank(level: int) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.level == level, Question.retired_at.is_(None))
            .order_by(Question.id)
        )
    )


def publish(session: ExamSession, actor: User) -> int:
    """Check the session, draw a paper for every candidate and open it; returns papers drawn."""
    _require_draft(session)
    problems = readiness_problems(session)
    if problems:
        raise DomainError("；".join(problems))
    assign_seats(session)
    drawn = prepare_papers(session)
    session.status = SessionStatus.PUBLISHED
    session.published_at = utcnow()
    audit.record("exam.session_published", session, papers=drawn)
    return drawn


def prepare_papers(session: ExamSession) -> int:
    """An attempt with its drawn paper for every candidate who has none (not yet started)."""
    blueprint = session.blueprint
    bank = _bank(blueprint.level)
    missing = db.session.scalars(
        select(Candidate).where(
            Candidate.session_id == session.id, Candidate.id.not_in(select(Attempt.candidate_id))
        )
    ).all()
    versions = current_version_ids(question.id for question in bank)
    rows = []
    for candidate in missing:
        seed = secrets.randbits(31)
        attempt = Attempt(candidate_id=candidate.id, seed=seed, status=AttemptStatus.IN_PROGRESS)
        db.session.add(attempt)
        db.session.flush()
        for position, item in enumerate(draw(blueprint.level, blueprint.cells, bank, seed), 1):
            rows.append(
                {
                    "attempt_id": attempt.id,
                    "position": position,
                    "question_id": item.question_id,
                    "version_id": versions[item.question_id],
                    "option_order": item.option_order,
                    "points": item.points,
                }
            )
        if len(rows) >= 5000:
            db.session.execute(insert(PaperItem), rows)
            rows = []
    if rows:
        db.session.execute(insert(PaperItem), rows)
    db.session.flush()
    return len(missing)


# Closing and results --------------------------------------------------------------------------


def close(session: ExamSession, now: datetime | None = None) -> int:
    """End the sitting: submit every unfinished attempt (absent candidates score nothing)."""
    from lms.exams.attempts import sweep

    if session.status != SessionStatus.PUBLISHED:
        raise Conflict(_l("Only a published session can be closed"))
    now = now or utcnow()
    if now < session.closes_at:
        raise Conflict(
            _l(
                "The exam window is still open until %(t)s",
                t=format_local(session.closes_at, "short"),
            )
        )
    swept = sweep(session, now, closing=True)
    session.status = SessionStatus.CLOSED
    audit.record("exam.session_closed", session, auto_submitted=swept)
    return swept


def pending_marks(session: ExamSession) -> int:
    from lms.exams.models import Response

    return (
        db.session.scalar(
            select(func.count())
            .select_from(Response)
            .join(Attempt, Attempt.id == Response.attempt_id)
            .join(Candidate, Candidate.id == Attempt.candidate_id)
            .where(Candidate.session_id == session.id, Response.score.is_(None))
        )
        or 0
    )


def publish_results(session: ExamSession) -> None:
    """Let candidates see their results; refused while answers wait for examiners."""
    if session.status != SessionStatus.CLOSED:
        raise Conflict(_l("Close the session before publishing results"))
    waiting = pending_marks(session)
    if waiting:
        raise Conflict(_l("%(n)d short answers still wait for marking", n=waiting))
    session.status = SessionStatus.RESULTS_PUBLISHED
    session.results_published_at = utcnow()
    audit.record("exam.results_published", session)
