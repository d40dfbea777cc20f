"""Reads of the skill assessment pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.core.roles import Role
from lms.db import db
from lms.grading.models import (
    CandidateTask,
    DeclaredRelation,
    Mark,
    Panel,
    PanelMember,
    SkillCandidate,
    SkillSession,
    SkillSessionStatus,
    TaskStatus,
)
from lms.grading.results import candidate_passed, level_result, theory_sat, theory_score
from lms.org.models import Institution, Staff


def examiners() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.EXAMINER, User.is_active.is_(True))
            .order_by(User.display_name)
        )
    )


@dataclass
class QueueRow:
    task: CandidateTask
    mark: Mark | None

    @property
    def state(self) -> str:
        if self.mark is not None and self.mark.submitted_at is not None:
            return "submitted"
        return "draft" if self.mark is not None else "new"


def marking_queue(examiner: User) -> list[QueueRow]:
    """Tasks of panels the examiner sits on that still need their mark or an arbitration."""
    tasks = db.session.scalars(
        select(CandidateTask)
        .join(Panel, Panel.id == CandidateTask.panel_id)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .join(SkillCandidate, SkillCandidate.id == CandidateTask.candidate_id)
        .join(SkillSession, SkillSession.id == SkillCandidate.session_id)
        .where(
            PanelMember.examiner_id == examiner.id,
            SkillSession.status != SkillSessionStatus.DRAFT,
            CandidateTask.status.in_([TaskStatus.MARKING, TaskStatus.ARBITRATION]),
        )
        .order_by(SkillCandidate.slot_at, SkillCandidate.admission_number, CandidateTask.position)
        .options(selectinload(CandidateTask.marks))
    ).all()
    rows = []
    for task in tasks:
        mark = next((m for m in task.marks if m.examiner_id == examiner.id), None)
        chief_id = task.panel.chief_id if task.panel else None
        if task.status == TaskStatus.ARBITRATION and chief_id != examiner.id:
            continue
        rows.append(QueueRow(task, mark))
    return rows


@dataclass
class ResultRow:
    candidate: SkillCandidate
    result: dict[str, Any]

    @property
    def verdict(self) -> str:
        from flask_babel import gettext as _

        passed = self.result["passed"]
        if passed is None:
            return _("Pending")
        return _("Passed") if passed else _("Not passed")


def result_rows(session: SkillSession) -> list[ResultRow]:
    candidates = db.session.scalars(
        candidate_results(session).order_by(SkillCandidate.admission_number)
    ).all()
    return [ResultRow(candidate, level_result(candidate)) for candidate in candidates]


#: The results list's outcome filter: passed, not passed, pending (a part without a result).
OUTCOMES = ("pass", "fail", "pending")


def _outcomes(session: SkillSession) -> dict[str, ColumnElement[bool]]:
    """SQL, per outcome: the session's candidate has it (what ``level_result`` computes)."""
    passed = candidate_passed(SkillCandidate.id)
    decided: ColumnElement[bool] = and_(
        SkillCandidate.skills_passed.is_not(None),
        theory_sat(SkillCandidate.staff_id, session.level),
    )
    if session.status != SkillSessionStatus.RESULTS_PUBLISHED:
        decided = false()
    return {
        "pass": passed,
        "fail": and_(decided, not_(passed)),
        "pending": and_(not_(decided), not_(passed)),
    }


def result_orders(session: SkillSession) -> dict[str, tuple[Any, ...]]:
    """The results list's sort orders (lms.core.pagination.sorted_by); each ends on the
    admission number (unique)."""
    outcomes = _outcomes(session)
    result = case((outcomes["pass"], 2), (outcomes["fail"], 1), else_=0)
    number = SkillCandidate.admission_number
    return {
        "number": (number,),
        "name": (Staff.name, number),
        "institution": (Institution.name, number),
        "theory": (theory_score(SkillCandidate.staff_id, session.level), number),
        "skills": (SkillCandidate.skills_score, number),
        "result": (result, number),
    }


def candidate_results(session: SkillSession, *, text: str = "", outcome: str = "") -> Select[Any]:
    """The session's candidates (unsorted) for the results list: ``text`` matches a part of the
    name or of the admission number, ``outcome`` is one of ``OUTCOMES`` (others: all)."""
    statement = (
        select(SkillCandidate)
        .join(Staff, Staff.id == SkillCandidate.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(SkillCandidate.session_id == session.id)
        .options(selectinload(SkillCandidate.tasks), selectinload(SkillCandidate.staff))
    )
    text = text.strip()
    if text:
        statement = statement.where(
            or_(
                Staff.name.contains(text, autoescape=True),
                SkillCandidate.admission_number.contains(text, autoescape=True),
            )
        )
    if outcome in OUTCOMES:
        statement = statement.where(_outcomes(session)[outcome])
    return statement


def relations(examiner: User) -> list[DeclaredRelation]:
    return list(
        db.session.scalars(
            select(DeclaredRelation)
            .where(DeclaredRelation.examiner_id == examiner.id)
            .order_by(DeclaredRelation.id)
        )
    )


def my_results(staff_id: int) -> list[ResultRow]:
    """The trainee's skill sessions whose results are published."""
    candidates = db.session.scalars(
        select(SkillCandidate)
        .join(SkillSession)
        .where(
            SkillCandidate.staff_id == staff_id,
            SkillSession.status == SkillSessionStatus.RESULTS_PUBLISHED,
        )
        .order_by(SkillSession.starts_at.desc())
    ).all()
    return [ResultRow(candidate, level_result(candidate)) for candidate in candidates]


# What the homes show (lms/reports/home.py) ---------------------------------------------------


def waiting_for(examiner_id: int) -> int:
    """Tasks waiting for this examiner's mark (none submitted yet) or, as a panel's chief, for
    their arbitration: what ``marking_queue`` lists, less the sheets already handed in."""
    handed_in = exists().where(
        Mark.candidate_task_id == CandidateTask.id,
        Mark.examiner_id == examiner_id,
        Mark.submitted_at.is_not(None),
    )
    return (
        db.session.scalar(
            select(func.count(CandidateTask.id.distinct()))
            .join(Panel, Panel.id == CandidateTask.panel_id)
            .join(PanelMember, PanelMember.panel_id == Panel.id)
            .join(SkillCandidate, SkillCandidate.id == CandidateTask.candidate_id)
            .join(SkillSession, SkillSession.id == SkillCandidate.session_id)
            .where(
                PanelMember.examiner_id == examiner_id,
                SkillSession.status != SkillSessionStatus.DRAFT,
                or_(
                    (CandidateTask.status == TaskStatus.MARKING) & ~handed_in,
                    (CandidateTask.status == TaskStatus.ARBITRATION)
                    & (Panel.chief_id == examiner_id),
                ),
            )
        )
        or 0
    )


def sessions_of(examiner_id: int) -> list[SkillSession]:
    """Running skill sessions where the examiner sits on a panel, soonest first."""
    on_panel = (
        select(Panel.session_id)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .where(or_(PanelMember.examiner_id == examiner_id, Panel.chief_id == examiner_id))
    )
    return list(
        db.session.scalars(
            select(SkillSession)
            .where(
                SkillSession.status == SkillSessionStatus.PUBLISHED, SkillSession.id.in_(on_panel)
            )
            .order_by(SkillSession.starts_at)
        )
    )


def results_to_publish() -> int:
    """Running skill sessions whose every task has its final mark: results ready to publish."""
    tasks = (
        select(CandidateTask.id)
        .join(SkillCandidate, SkillCandidate.id == CandidateTask.candidate_id)
        .where(SkillCandidate.session_id == SkillSession.id)
    )
    unfinished = tasks.where(CandidateTask.status.in_([TaskStatus.MARKING, TaskStatus.ARBITRATION]))
    return (
        db.session.scalar(
            select(func.count(SkillSession.id)).where(
                SkillSession.status == SkillSessionStatus.PUBLISHED,
                exists(tasks),
                ~exists(unfinished),
            )
        )
        or 0
    )


def next_assessment(staff_id: int) -> SkillCandidate | None:
    """The trainee's next skill assessment: a running session where they are not yet scored."""
    return db.session.scalar(
        select(SkillCandidate)
        .join(SkillSession, SkillSession.id == SkillCandidate.session_id)
        .where(
            SkillCandidate.staff_id == staff_id,
            SkillSession.status == SkillSessionStatus.PUBLISHED,
            SkillCandidate.skills_score.is_(None),
        )
        .order_by(func.coalesce(SkillCandidate.slot_at, SkillSession.starts_at))
        .options(selectinload(SkillCandidate.session))
        .limit(1)
    )
