"""GET /api/v1/results: published skill results with the theory result of the same level, and
whether the level is passed, as the pass rule (lms.grading.results) decides it."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import select

from lms.api.blueprint import api_get, int_arg, paged, token_scope
from lms.api.openapi import INTEGER, PAGE_PARAMS, STRING, Operation, Param, obj, page_of
from lms.core.levels import level_label
from lms.grading import results
from lms.grading.models import SkillCandidate, SkillSession, SkillSessionStatus
from lms.org.models import Institution, Staff
from lms.reports import rates

RESULT = obj(
    staff_id=INTEGER,
    name=STRING,
    id_number_masked=STRING,
    level=INTEGER,
    level_label=STRING,
    session=STRING,
    skills_score={"type": ["number", "null"]},
    skills_passed={"type": ["boolean", "null"]},
    theory_score={"type": ["number", "null"]},
    theory_passed={"type": ["boolean", "null"]},
    passed={"type": ["boolean", "null"]},
)


@api_get(
    Operation(
        "/results",
        "Published assessment results: skills and the best published theory result per person",
        page_of(RESULT),
        (
            Param("level", "Only this level (5, 4 or 3)", {"type": "integer", "enum": [5, 4, 3]}),
            *PAGE_PARAMS,
        ),
        tags=("assessment",),
    )
)
def results_view() -> Any:
    scope = token_scope()
    statement = rates.scoped(
        select(
            SkillCandidate,
            Staff,
            SkillSession,
            results.theory_score(Staff.id, SkillSession.level),
            results.theory_outcome(Staff.id, SkillSession.level),
            results.candidate_passes(SkillCandidate, SkillSession),
        )
        .join(Staff, Staff.id == SkillCandidate.staff_id)
        .join(SkillSession, SkillSession.id == SkillCandidate.session_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(SkillSession.status == SkillSessionStatus.RESULTS_PUBLISHED),
        scope,
    ).order_by(SkillSession.id, SkillCandidate.id)
    if request.args.get("level"):
        statement = statement.where(SkillSession.level == int_arg("level", 5, 3, 5))

    def serialise(row: Any) -> dict[str, Any]:
        candidate, staff, session, t_score, t_passed, rule = row
        theory_passed = None if t_passed is None else bool(t_passed)
        passed = results.verdict(theory_passed, candidate.skills_passed, rule)
        return {
            "staff_id": staff.id,
            "name": staff.name,
            "id_number_masked": staff.id_number_masked,
            "level": session.level,
            "level_label": level_label(session.level),
            "session": session.title,
            "skills_score": candidate.skills_score,
            "skills_passed": candidate.skills_passed,
            "theory_score": t_score,
            "theory_passed": theory_passed,
            "passed": passed,
        }

    return paged(statement, serialise)
