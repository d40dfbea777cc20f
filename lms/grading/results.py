"""Who passed a level: the one home of the rule, as SQL expressions and as Python.

A person passed level L when, for the same L, both hold:
  * theory: a scored attempt with ``passed`` in a theory session of level L whose results are
    published, and
  * skills: they were a candidate of a skill session of level L whose results are published,
    with ``skills_passed``.
Certification (eligibility and issue), the API, the dashboards (funnel, pass rates) and the
trainee's results page all ask here; a change of the rule (retakes, validity) is made here only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.orm import aliased

from lms.db import db
from lms.exams.models import Attempt, Candidate, ExamSession, SessionStatus
from lms.grading.models import SkillCandidate, SkillSession, SkillSessionStatus

# The parts ---------------------------------------------------------------------------------------


def theory_results() -> Select[*tuple[Any, ...]]:
    """Scored theory attempts of sessions whose results are published, one row per candidate
    entry: staff_id, level, entry (the exam candidate), score, passed."""
    return (
        select(
            Candidate.staff_id.label("staff_id"),
            ExamSession.level.label("level"),
            Candidate.id.label("entry"),
            Attempt.score.label("score"),
            Attempt.passed.label("passed"),
        )
        .select_from(Attempt)
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .join(ExamSession, ExamSession.id == Candidate.session_id)
        .where(
            ExamSession.status == SessionStatus.RESULTS_PUBLISHED,
            Attempt.score.is_not(None),
        )
    )


def skill_results() -> Select[*tuple[Any, ...]]:
    """Scored skill candidates of sessions whose results are published: staff_id, level, entry
    (the skill candidate), score, passed."""
    return (
        select(
            SkillCandidate.staff_id.label("staff_id"),
            SkillSession.level.label("level"),
            SkillCandidate.id.label("entry"),
            SkillCandidate.skills_score.label("score"),
            SkillCandidate.skills_passed.label("passed"),
        )
        .select_from(SkillCandidate)
        .join(SkillSession, SkillSession.id == SkillCandidate.session_id)
        .where(
            SkillSession.status == SkillSessionStatus.RESULTS_PUBLISHED,
            SkillCandidate.skills_score.is_not(None),
        )
    )


def theory_passed(staff_id: Any, level: Any) -> ColumnElement[bool]:
    """SQL: ``staff_id`` passed the theory of ``level`` (values, or columns of an outer query)."""
    theory = theory_results().subquery()
    return exists().where(
        theory.c.staff_id == staff_id, theory.c.level == level, theory.c.passed.is_(True)
    )


def theory_sat(staff_id: Any, level: Any) -> ColumnElement[bool]:
    """SQL: ``staff_id`` has a published, scored theory result at ``level``."""
    theory = theory_results().subquery()
    return exists().where(theory.c.staff_id == staff_id, theory.c.level == level)


def theory_outcome(staff_id: Any, level: Any) -> ColumnElement[bool | None]:
    """SQL: True (passed), False (sat, not passed) or NULL (no published result yet)."""
    return case(
        (theory_passed(staff_id, level), literal(True)),
        (theory_sat(staff_id, level), literal(False)),
        else_=null(),
    ).cast(Boolean)


def theory_score(staff_id: Any, level: Any) -> Any:
    """SQL: the best published theory score of ``staff_id`` at ``level`` (NULL without one)."""
    theory = theory_results().subquery()
    return (
        select(func.max(theory.c.score))
        .where(theory.c.staff_id == staff_id, theory.c.level == level)
        .scalar_subquery()
    )


# The rule ----------------------------------------------------------------------------------------


def candidate_passes(candidate: Any = SkillCandidate, session: Any = SkillSession) -> Any:
    """SQL: the skill ``candidate`` (of ``session``, both entities of the enclosing query,
    joined) makes its level passed: THE pass rule."""
    return and_(
        session.status == SkillSessionStatus.RESULTS_PUBLISHED,
        candidate.skills_passed.is_(True),
        theory_passed(candidate.staff_id, session.level),
    )


def _passing(*conditions: Any) -> ColumnElement[bool]:
    candidate = aliased(SkillCandidate)
    session = aliased(SkillSession)
    return exists(
        select(candidate.id)
        .join(session, session.id == candidate.session_id)
        .where(candidate_passes(candidate, session), *[c(candidate, session) for c in conditions])
    )


def candidate_passed(candidate_id: Any) -> ColumnElement[bool]:
    """SQL: the skill candidate ``candidate_id`` (a value or a column) passed its level."""
    return _passing(lambda candidate, _session: candidate.id == candidate_id)


def passed_level(staff_id: Any, level: Any) -> ColumnElement[bool]:
    """SQL: ``staff_id`` passed ``level`` (values, or columns of an outer query)."""
    return _passing(
        lambda candidate, session: and_(candidate.staff_id == staff_id, session.level == level)
    )


def passed_some_level(staff_id: Any) -> ColumnElement[bool]:
    """SQL: ``staff_id`` passed at least one level (both parts at that same level)."""
    return _passing(lambda candidate, _session: candidate.staff_id == staff_id)


# In Python ---------------------------------------------------------------------------------------


def verdict(theory: bool | None, skills: bool | None, rule: bool | None) -> bool | None:
    """Passed, not passed, or None (pending) while a part has no published result."""
    if theory is None or skills is None:
        return None
    return bool(rule)


def level_result(candidate: SkillCandidate) -> dict[str, Any]:
    """Theory and skills for the skill candidate's level, and whether the level is passed
    (None while a part is pending, including skills whose results are not published)."""
    level = candidate.session.level
    score, theory, rule = db.session.execute(
        select(
            theory_score(candidate.staff_id, level),
            theory_outcome(candidate.staff_id, level),
            candidate_passed(candidate.id),
        )
    ).one()
    published = candidate.session.status == SkillSessionStatus.RESULTS_PUBLISHED
    skills = candidate.skills_passed if published else None
    return {
        "theory_score": score,
        "theory_passed": None if theory is None else bool(theory),
        "skills_score": candidate.skills_score,
        "skills_passed": candidate.skills_passed,
        "passed": verdict(None if theory is None else bool(theory), skills, rule),
    }


def candidate_has_passed(candidate: SkillCandidate) -> bool:
    """Python: the skill candidate's level is passed (what earns its certificate)."""
    return bool(db.session.scalar(select(candidate_passed(candidate.id))))


def has_passed(staff_id: int, level: int) -> bool:
    """Python: ``staff_id`` passed ``level``."""
    return bool(db.session.scalar(select(passed_level(staff_id, level))))
