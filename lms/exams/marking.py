"""Examiners mark short answers, by admission number only; the attempt's score follows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from lms.accounts.models import User
from lms.core import audit
from lms.core.errors import Conflict, DomainError
from lms.db import db, utcnow
from lms.exams.attempts import score_attempt
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


@dataclass(frozen=True)
class MarkingTask:
    response: Response
    item: PaperItem
    #: The version the candidate answered.
    question: QuestionVersion
    candidate: Candidate


def _tasks_statement() -> Select[Response, PaperItem, QuestionVersion, Candidate]:
    return (
        select(Response, PaperItem, QuestionVersion, Candidate)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(
            PaperItem,
            (PaperItem.attempt_id == Response.attempt_id)
            & (PaperItem.position == Response.position),
        )
        .join(QuestionVersion, QuestionVersion.id == PaperItem.version_id)
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .join(ExamSession, ExamSession.id == Candidate.session_id)
        .where(
            Attempt.status == AttemptStatus.SUBMITTED,
            ExamSession.status.in_([SessionStatus.PUBLISHED, SessionStatus.CLOSED]),
        )
    )


def queue_statement(session_id: int | None = None) -> Select[*tuple[Any, ...]]:
    """Short answers waiting for a mark (of one session, if given), oldest session first: the
    rows of ``MarkingTask``, for ``paginate(..., scalars=False)``."""
    statement = _tasks_statement().where(Response.score.is_(None))
    if session_id is not None:
        statement = statement.where(Candidate.session_id == session_id)
    return statement.order_by(
        ExamSession.closes_at, Candidate.admission_number, Response.position, Response.id
    )


def queue() -> list[MarkingTask]:
    """Short answers waiting for a mark, oldest session first."""
    return [MarkingTask(*row) for row in db.session.execute(queue_statement()).all()]


def queue_sessions() -> list[tuple[int, str, int]]:
    """The sessions with short answers waiting: (id, title, how many), oldest first."""
    waiting = queue_statement().order_by(None).with_only_columns(Response.id).subquery()
    rows = db.session.execute(
        select(ExamSession.id, ExamSession.title, func.count())
        .select_from(Response)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .join(ExamSession, ExamSession.id == Candidate.session_id)
        .where(Response.id.in_(select(waiting.c.id)))
        .group_by(ExamSession.id, ExamSession.title, ExamSession.closes_at)
        .order_by(ExamSession.closes_at, ExamSession.id)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def waiting_count() -> int:
    """How many short answers wait for a mark (the length of ``queue()``, counted in SQL)."""
    statement = _tasks_statement().where(Response.score.is_(None))
    return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def task(response_id: int) -> MarkingTask | None:
    row = db.session.execute(_tasks_statement().where(Response.id == response_id)).first()
    return MarkingTask(*row) if row else None


def mark(found: MarkingTask, examiner: User, score: float, comment: str) -> None:
    if found.candidate.session.status == SessionStatus.RESULTS_PUBLISHED:
        raise Conflict(_l("Results are published; marks are locked"))
    if not 0 <= score <= found.item.points:
        raise DomainError(_l("The mark must be between 0 and %(p)s", p=found.item.points))
    response = found.response
    before = response.score
    response.score = round(score, 2)
    response.marked_by_id = examiner.id
    response.marked_at = utcnow()
    response.marker_comment = comment.strip()[:1000]
    db.session.flush()
    score_attempt(db.session.get(Attempt, response.attempt_id))  # type: ignore[arg-type]
    audit.record(
        "exam.short_answer_marked",
        response,
        before=before,
        after=response.score,
        admission=found.candidate.admission_number,
    )
