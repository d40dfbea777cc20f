"""Marking a skill task: each examiner's sheet (saved as they go, then submitted), combining
the panel's marks by the session's rule, arbitration by the chief examiner when they differ too
much, and the candidate's weighted skills score. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.core import audit
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.db import db, utcnow
from lms.grading import rules
from lms.grading.models import (
    CandidateTask,
    Mark,
    SkillCandidate,
    SkillSessionStatus,
    TaskStatus,
)
from lms.grading.panels import is_member

#: The skills score (out of 100) that passes.
PASS_SCORE = 60.0


def marking_open(task: CandidateTask) -> bool:
    """Marks can change while the session runs, and for appeal re-markings after results."""
    status = task.candidate.session.status
    return task.status == TaskStatus.MARKING and (
        status == SkillSessionStatus.PUBLISHED
        or (status == SkillSessionStatus.RESULTS_PUBLISHED and task.round > 1)
    )


def sheet_for(task: CandidateTask, examiner: User) -> Mark | None:
    """The examiner's own marking sheet for the task, None until first saved."""
    if not is_member(task.panel, examiner):
        raise NotAllowed(_l("You are not on the panel for this candidate"))
    if task.candidate.session.status == SkillSessionStatus.DRAFT:
        raise NotAllowed(_l("The session is not open for marking"))
    return next((m for m in task.marks if m.examiner_id == examiner.id), None)


def blank_sheet(task: CandidateTask, examiner: User) -> Mark:
    """An empty sheet to show (not stored: opening a page changes nothing)."""
    return Mark(
        candidate_task_id=task.id,
        examiner_id=examiner.id,
        points={},
        critical=[],
        comment="",
        version=0,
    )


def sheet_version(task: CandidateTask, examiner: User) -> int:
    """The version a freshly loaded sheet carries: 0 before the first save."""
    mark = sheet_for(task, examiner)
    return mark.version if mark is not None else 0


@dataclass
class SheetInput:
    points: dict[str, float | None]
    critical: list[str]
    comment: str
    version: int
    submit: bool = False


def save_sheet(task: CandidateTask, examiner: User, data: SheetInput) -> Mark:
    """Save the examiner's sheet as they go; ``submit`` hands it in (then it can't change).

    A sheet saved from a page older than the stored one (another tab) is refused."""
    mark = sheet_for(task, examiner)
    if not marking_open(task):
        raise Conflict(_l("Marking of this task is closed"))
    if mark is not None and mark.submitted_at is not None:
        raise Conflict(_l("You have already submitted this sheet"))
    if data.version != (mark.version if mark is not None else 0):
        raise Conflict(
            _l(
                "This sheet was changed in another window or tab. Reload it to see the "
                "latest marks before changing them."
            )
        )
    criteria = {item["key"]: item for item in task.criteria}
    points: dict[str, float] = {}
    for key, value in data.points.items():
        if key not in criteria:
            raise DomainError(_l("Unknown criterion %(key)s", key=key))
        if value is None:
            continue
        if not 0 <= value <= criteria[key]["points"]:
            raise DomainError(
                _l(
                    "%(text)s: give 0 to %(max)s points",
                    text=criteria[key]["text"],
                    max=criteria[key]["points"],
                )
            )
        points[key] = float(value)
    known_errors = {item["key"] for item in task.critical_errors}
    if not set(data.critical) <= known_errors:
        raise DomainError(_l("Unknown critical error"))
    if data.submit and not data.critical and set(points) != set(criteria):
        raise DomainError(_l("Mark every criterion before submitting"))
    if mark is None:
        mark = Mark(task=task, examiner_id=examiner.id)
        db.session.add(mark)
    mark.points = points
    mark.critical = sorted(set(data.critical))
    mark.comment = data.comment.strip()
    complete = bool(data.critical) or set(points) == set(criteria)
    mark.total = rules.sheet_total(task.criteria, points, mark.critical) if complete else None
    if data.submit:
        mark.submitted_at = utcnow()
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):  # a newer save, or a first save from another tab
        raise Conflict(_l("This sheet was changed in another window or tab. Reload it.")) from None
    audit.record(
        "skills.mark_submitted" if data.submit else "skills.mark_saved",
        mark,
        actor=examiner,
        task=task.id,
        total=mark.total,
        critical=mark.critical,
    )
    if data.submit:
        _combine_if_complete(task)
    return mark


def all_submitted(task: CandidateTask) -> bool:
    members = {m.examiner_id for m in task.panel.members} if task.panel else set()
    submitted = {m.examiner_id for m in task.marks if m.submitted_at is not None}
    return bool(members) and members <= submitted


def submitted_totals(task: CandidateTask) -> list[float]:
    return [
        float(m.total) for m in task.marks if m.submitted_at is not None and m.total is not None
    ]


def spread(task: CandidateTask) -> float:
    totals = submitted_totals(task)
    return max(totals) - min(totals) if totals else 0.0


def consensus(task: CandidateTask) -> float:
    """The panel's marks combined by the session's rule (before any arbitration)."""
    return rules.combine(task.candidate.session.combine_rule, submitted_totals(task))


def _combine_if_complete(task: CandidateTask) -> None:
    if not all_submitted(task):
        return
    apart = spread(task)
    if apart > task.candidate.session.max_spread:
        task.status = TaskStatus.ARBITRATION
        audit.record("skills.arbitration_needed", task, spread=apart)
    else:
        task.status = TaskStatus.FINAL
        task.final_score = consensus(task)
        audit.record("skills.task_final", task, score=task.final_score)
    db.session.flush()
    update_skills_score(task.candidate)


def arbitrate(task: CandidateTask, chief: User, score: float, reason: str) -> None:
    """The chief examiner settles marks that differ too much, with a written reason."""
    if task.panel is None or task.panel.chief_id != chief.id:
        raise NotAllowed(_l("Only the panel's chief examiner can arbitrate"))
    if task.status != TaskStatus.ARBITRATION:
        raise Conflict(_l("This task does not need arbitration"))
    if not reason.strip():
        raise DomainError(_l("Write the reason for the arbitrated mark"))
    if not 0 <= score <= 100:
        raise DomainError(_l("The mark is out of 100"))
    task.status = TaskStatus.FINAL
    task.final_score = round(score, 2)
    task.arbitration_reason = reason.strip()
    task.arbitrated_by_id = chief.id
    db.session.flush()
    audit.record("skills.arbitrated", task, actor=chief, score=task.final_score, reason=reason)
    update_skills_score(task.candidate)


def update_skills_score(candidate: SkillCandidate) -> None:
    """The weighted skills score once every current task has its final mark."""
    tasks = candidate.current_tasks
    if tasks and all(task.status == TaskStatus.FINAL for task in tasks):
        score = sum(task.weight * float(task.final_score or 0) for task in tasks) / 100
        candidate.skills_score = round(score, 2)
        candidate.skills_passed = candidate.skills_score >= PASS_SCORE
    else:
        candidate.skills_score = None
        candidate.skills_passed = None
    db.session.flush()
