"""Sitting the theory exam: starting or resuming, saving answers as the candidate goes,
submitting (or being submitted when time is up), and scoring."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from lms.core import audit
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.core.localtime import format_local
from lms.db import db, utcnow
from lms.exams import question_types
from lms.exams.models import (
    Attempt,
    AttemptStatus,
    Candidate,
    ExamSession,
    PaperItem,
    QuestionVersion,
    Response,
    SessionStatus,
)


class TimeUp(Conflict):
    code = "time_up"


def candidacies(staff_id: int) -> list[tuple[Candidate, Attempt | None]]:
    """The sessions a trainee is admitted to, newest first, with their attempt if drawn."""
    rows = db.session.execute(
        select(Candidate, Attempt)
        .join(ExamSession, ExamSession.id == Candidate.session_id)
        .outerjoin(Attempt, Attempt.candidate_id == Candidate.id)
        .where(Candidate.staff_id == staff_id, ExamSession.status != SessionStatus.DRAFT)
        .order_by(ExamSession.opens_at.desc())
    ).all()
    return [(candidate, attempt) for candidate, attempt in rows]


def start(candidate: Candidate, now: datetime | None = None) -> Attempt:
    """Start the clock, or return the attempt already started (resume): never a second one."""
    now = now or utcnow()
    session = candidate.session
    if session.status != SessionStatus.PUBLISHED:
        raise Conflict(_l("This exam is not open"))
    attempt = db.session.scalar(select(Attempt).where(Attempt.candidate_id == candidate.id))
    if attempt is None:
        raise Conflict(_l("Your paper is not ready; ask the invigilator"))
    if attempt.started_at is None:
        if now < session.opens_at:
            raise Conflict(_l("The exam opens at %(t)s", t=format_local(session.opens_at, "short")))
        if now >= session.closes_at:
            raise Conflict(_l("The exam window has closed"))
        deadline = min(now + timedelta(minutes=session.duration_minutes), session.closes_at)
        # Conditional so that two simultaneous starts (two tabs) set one clock.
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.started_at.is_(None))
            .values(started_at=now, deadline_at=deadline)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(attempt)
        audit.record("exam.started", attempt, candidate=candidate.admission_number)
    expire_if_due(attempt, now)
    return attempt


def remaining_seconds(attempt: Attempt, now: datetime | None = None) -> int:
    if attempt.deadline_at is None or attempt.status != AttemptStatus.IN_PROGRESS:
        return 0
    return max(0, int((attempt.deadline_at - (now or utcnow())).total_seconds()))


def expire_if_due(attempt: Attempt, now: datetime | None = None) -> bool:
    """Submit an attempt whose time is up; True if it was."""
    now = now or utcnow()
    due = attempt.deadline_at is not None and now >= attempt.deadline_at
    if attempt.status == AttemptStatus.IN_PROGRESS and due:
        submit(attempt, auto=True, now=attempt.deadline_at)
        return True
    return False


def owned_attempt(attempt_id: int, staff_id: int) -> Attempt:
    attempt = db.session.scalar(
        select(Attempt)
        .join(Candidate)
        .where(Attempt.id == attempt_id, Candidate.staff_id == staff_id)
    )
    if attempt is None:
        raise NotAllowed(_l("This is not your exam"))
    return attempt


@dataclass(frozen=True)
class SaveResult:
    saved: bool
    remaining_seconds: int


def save_answer(
    attempt: Attempt, position: int, value: Any, seq: int, now: datetime | None = None
) -> SaveResult:
    """Store a response unless a newer one (higher ``seq``) is already stored.

    Idempotent: the same save sent twice changes nothing; a late, older save loses."""
    return save_owned_answer(attempt.id, attempt.candidate.staff_id, position, value, seq, now)


def save_owned_answer(
    attempt_id: int,
    staff_id: int,
    position: int,
    value: Any,
    seq: int,
    now: datetime | None = None,
) -> SaveResult:
    """``save_answer`` for the autosave request: the candidate's every keystroke lands here, so
    one query checks ownership, the clock and the paper item, and no ORM object is loaded."""
    now = now or utcnow()
    found = db.session.execute(
        _save_target_query(),
        {"attempt_id": attempt_id, "staff_id": staff_id, "position": position},
    ).first()
    if found is None:
        raise NotAllowed(_l("This is not your exam"))
    status, started_at, deadline_at, option_order, kind = found
    if status != AttemptStatus.IN_PROGRESS or started_at is None:
        raise TimeUp(_l("This exam has been submitted"))
    if deadline_at is not None and now >= deadline_at:
        expire_if_due(owned_attempt(attempt_id, staff_id), now)
        raise TimeUp(_l("Time is up; your answers were submitted"))
    if kind is None:
        raise DomainError(_l("There is no question %(n)d on this paper", n=position))
    try:
        cleaned = question_types.get(kind).clean_response(value, len(option_order))
    except ValueError as error:
        raise DomainError(_l("The answer was not understood: %(e)s", e=error)) from None
    saved = _upsert(attempt_id, position, cleaned, seq, now)
    remaining = max(0, int((deadline_at - now).total_seconds())) if deadline_at else 0
    return SaveResult(saved=saved, remaining_seconds=remaining)


@functools.cache
def _save_target_query() -> Any:
    """The attempt's clock and the paper item at a position, if the attempt is the staff
    member's; built once (building it costs more than running it)."""
    position: Any = bindparam("position")
    return (
        select(
            Attempt.status,
            Attempt.started_at,
            Attempt.deadline_at,
            PaperItem.option_order,
            QuestionVersion.type,
        )
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .outerjoin(
            PaperItem, (PaperItem.attempt_id == Attempt.id) & (PaperItem.position == position)
        )
        .outerjoin(QuestionVersion, QuestionVersion.id == PaperItem.version_id)
        .where(Attempt.id == bindparam("attempt_id"), Candidate.staff_id == bindparam("staff_id"))
        # A save and a hand-in of the same paper take turns (PostgreSQL; SQLite writes are
        # serialised anyway), so no answer lands after the paper was scored.
        .with_for_update(of=Attempt)
    )


@functools.cache
def _upsert_statement(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO UPDATE unless stored seq ≥ new seq; built once per dialect."""
    table: Any = Response.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=["attempt_id", "position"],
        set_={
            "value": statement.excluded.value,
            "seq": statement.excluded.seq,
            "saved_at": statement.excluded.saved_at,
        },
        where=table.c.seq < statement.excluded.seq,
    ).returning(table.c.id)


def _upsert(attempt_id: int, position: int, value: Any, seq: int, now: datetime) -> bool:
    statement = _upsert_statement(db.session.get_bind().dialect.name)
    row = db.session.execute(
        statement,
        {
            "attempt_id": attempt_id,
            "position": position,
            "value": value,
            "seq": seq,
            "saved_at": now,
        },
    ).first()
    # No row comes back when the stored answer is newer (the WHERE refused the update).
    return row is not None


def remember_position(attempt: Attempt, position: int, now: datetime | None = None) -> None:
    """Where the candidate stands on the paper, kept with the attempt so that a reload, or the
    paper opened on another device, goes back there."""
    now = now or utcnow()
    if attempt.status != AttemptStatus.IN_PROGRESS or attempt.started_at is None:
        raise TimeUp(_l("This exam has been submitted"))
    if expire_if_due(attempt, now):
        raise TimeUp(_l("Time is up; your answers were submitted"))
    on_paper = db.session.scalar(
        select(PaperItem.id).where(
            PaperItem.attempt_id == attempt.id, PaperItem.position == position
        )
    )
    if on_paper is None:
        raise DomainError(_l("There is no question %(n)d on this paper", n=position))
    attempt.current_position = position


def paper_items(attempt: Attempt) -> list[PaperItem]:
    """The paper's items in order with the versions drawn: one query for them all, not one per
    question (1,700 candidates open a 100-question paper at the same minute)."""
    return list(
        db.session.scalars(
            select(PaperItem)
            .where(PaperItem.attempt_id == attempt.id)
            .order_by(PaperItem.position)
            .options(selectinload(PaperItem.version))
        )
    )


def saved_answers(attempt: Attempt) -> dict[int, Response]:
    return {
        response.position: response
        for response in db.session.scalars(
            select(Response).where(Response.attempt_id == attempt.id)
        )
    }


def submit(attempt: Attempt, *, auto: bool = False, now: datetime | None = None) -> None:
    """Hand in the paper and score what can be scored automatically."""
    if attempt.status == AttemptStatus.SUBMITTED:
        return
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_at = now or utcnow()
    attempt.auto_submitted = auto
    if attempt.started_at is None:  # never started: absent
        attempt.started_at = attempt.deadline_at = None
    db.session.flush()
    score_attempt(attempt)
    audit.record("exam.submitted", attempt, auto=auto)


def score_attempt(attempt: Attempt) -> None:
    """Score every item by the version the candidate drew (never the bank's newer text); the
    total exists once no item waits for an examiner."""
    rule = attempt.candidate.session.blueprint.multiple_choice_rule.value
    pass_score = attempt.candidate.session.blueprint.pass_score
    responses = saved_answers(attempt)
    total, pending = 0.0, False
    breakdown: dict[str, list[float]] = {}
    for item in attempt.items:
        question = item.version
        kind = question_types.get(question.type)
        response = responses.get(item.position)
        if response is None:
            earned: float | None = 0.0
        elif response.score is not None and not kind.auto_scored:
            earned = response.score  # already marked by an examiner
        else:
            original = kind.to_original(response.value, item.option_order)
            earned = kind.score(question.answer_key, original, item.points, rule)
            response.score = earned
        area = breakdown.setdefault(question.work_area, [0.0, 0.0])
        area[1] += item.points
        if earned is None:
            pending = True
        else:
            area[0] += earned
            total += earned
    attempt.breakdown = {key: [round(a, 2), round(b, 2)] for key, (a, b) in breakdown.items()}
    attempt.score = None if pending else round(total, 2)
    attempt.passed = None if pending else attempt.score >= pass_score  # type: ignore[operator]


def sweep(session: ExamSession, now: datetime | None = None, *, closing: bool = False) -> int:
    """Submit attempts whose time is up (all unfinished ones when ``closing``)."""
    now = now or utcnow()
    open_attempts = db.session.scalars(
        select(Attempt)
        .join(Candidate)
        .where(Candidate.session_id == session.id, Attempt.status == AttemptStatus.IN_PROGRESS)
    ).all()
    count = 0
    for attempt in open_attempts:
        if closing or (attempt.deadline_at is not None and now >= attempt.deadline_at):
            submit(attempt, auto=True, now=min(now, attempt.deadline_at or now))
            count += 1
    return count
