"""Regrading: re-scoring handed-in papers against a newer version of a question.

A paper keeps the versions it drew, so editing a question (import, courses sync, the bank) never
changes a score by itself. When a key was wrong, a city admin regrades explicitly, as Moodle's
"regrade attempts" does: the papers of one session that drew an older version of one question
move to the chosen newer version and are scored again; the audit log keeps every score before
and after."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.core import audit
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.core.roles import Role
from lms.db import db
from lms.exams.attempts import score_attempt
from lms.exams.models import (
    Attempt,
    AttemptStatus,
    Candidate,
    ExamSession,
    PaperItem,
    Question,
    QuestionVersion,
    SessionStatus,
)

#: Scores can be regraded while the session is open or closed, not once results are published.
REGRADABLE = (SessionStatus.PUBLISHED, SessionStatus.CLOSED)


@dataclass(frozen=True)
class Choice:
    """A question of the session's handed-in papers that has versions newer than some drew."""

    question: Question
    #: {version number drawn: handed-in papers that drew it}
    drawn: dict[int, int]
    #: The versions a paper could be moved to (newer than the oldest drawn), newest first.
    newer: list[QuestionVersion]


def _items(session: ExamSession) -> Any:
    return (
        select(PaperItem)
        .join(Attempt, Attempt.id == PaperItem.attempt_id)
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .where(Candidate.session_id == session.id, Attempt.status == AttemptStatus.SUBMITTED)
    )


def choices(session: ExamSession) -> list[Choice]:
    rows = db.session.execute(
        select(PaperItem.question_id, QuestionVersion.number, func.count())
        .join(QuestionVersion, QuestionVersion.id == PaperItem.version_id)
        .where(PaperItem.id.in_(_items(session).with_only_columns(PaperItem.id)))
        .group_by(PaperItem.question_id, QuestionVersion.number)
    ).all()
    drawn: dict[int, dict[int, int]] = {}
    for question_id, number, count in rows:
        drawn.setdefault(question_id, {})[number] = count
    found = []
    for question_id, numbers in sorted(drawn.items()):
        newer = list(
            db.session.scalars(
                select(QuestionVersion)
                .where(
                    QuestionVersion.question_id == question_id,
                    QuestionVersion.number > min(numbers),
                )
                .order_by(QuestionVersion.number.desc())
            )
        )
        if newer:
            question = db.session.get(Question, question_id)
            assert question is not None
            found.append(Choice(question, dict(sorted(numbers.items())), newer))
    return found


def _check(session: ExamSession, version: QuestionVersion, actor: Any) -> None:
    if getattr(actor, "role", None) != Role.CITY_ADMIN:
        raise NotAllowed(_l("Only a city administrator can regrade papers"))
    if session.status == SessionStatus.RESULTS_PUBLISHED:
        raise Conflict(_l("Results are published; scores are locked"))
    if session.status not in REGRADABLE:
        raise Conflict(_l("No paper of this session has been handed in"))


def affected(
    session: ExamSession,
    version: QuestionVersion,
    actor: Any,
    attempt_ids: Collection[int] | None = None,
) -> list[PaperItem]:
    """The handed-in papers' items that drew an older version of ``version``'s question (of
    the chosen attempts only, if ``attempt_ids``); refuses a version a paper cannot be moved
    to (another type or other options)."""
    _check(session, version, actor)
    statement = (
        _items(session)
        .join(QuestionVersion, QuestionVersion.id == PaperItem.version_id)
        .where(
            PaperItem.question_id == version.question_id,
            QuestionVersion.number < version.number,
        )
        .order_by(PaperItem.attempt_id)
    )
    if attempt_ids is not None:
        statement = statement.where(PaperItem.attempt_id.in_(list(attempt_ids)))
    items = list(db.session.scalars(statement))
    for item in items:
        drawn = item.version
        if drawn.type != version.type or sorted(drawn.options or {}) != sorted(
            version.options or {}
        ):
            raise DomainError(
                _l(
                    "Version %(new)d has another type or other options than version %(old)d "
                    "the candidates saw; it cannot be used to regrade their papers",
                    new=version.number,
                    old=drawn.number,
                )
            )
    return items


def regrade(
    session: ExamSession,
    version: QuestionVersion,
    actor: Any,
    attempt_ids: Collection[int] | None = None,
) -> int:
    """Move the affected papers (the chosen ones, if ``attempt_ids``) to ``version`` and score
    them again; returns how many."""
    items = affected(session, version, actor, attempt_ids)
    if not items:
        raise DomainError(_l("No paper was chosen to regrade"))
    changes = []
    for item in items:
        attempt = item.attempt
        before = attempt.score
        from_number = item.version.number
        item.version = version
        db.session.flush()
        score_attempt(attempt)
        changes.append(
            {
                "attempt": attempt.id,
                "admission": attempt.candidate.admission_number,
                "from_version": from_number,
                "before": before,
                "after": attempt.score,
            }
        )
    db.session.flush()
    audit.record(
        "exam.regraded",
        session,
        actor=actor,
        question=version.question.key,
        version=version.number,
        attempts=len(changes),
        changes=changes,
    )
    return len(changes)
