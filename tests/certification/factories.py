"""A candidate who passed a level, theory and skills, with both results published."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from lms.core.roles import Role
from lms.db import db
from lms.exams import attempts, sessions
from lms.exams.models import Attempt, Candidate
from lms.grading import sessions as skill_sessions
from lms.grading.models import SkillCandidate
from tests.exams.factories import correct_display_answer, make_session, stock_bank
from tests.factories import make_user
from tests.grading.factories import make_skill_session, mark_all


def pass_theory(staff: Any, level: int = 5) -> None:
    stock_bank(level, per_type=8)
    exam = make_session(candidates=0, publish=False)
    admin = make_user(Role.CITY_ADMIN)
    sessions.add_candidates(exam, [staff])
    sessions.publish(exam, admin)
    candidate = db.session.scalar(select(Candidate).where(Candidate.session_id == exam.id))
    attempt = attempts.start(candidate)
    for item in attempt.items:
        attempts.save_answer(attempt, item.position, correct_display_answer(item), seq=1)
    attempts.submit(attempt)
    sessions.close(exam, now=exam.closes_at + timedelta(seconds=1))
    sessions.publish_results(exam)
    assert db.session.get(Attempt, attempt.id).passed


def make_passed_candidate(skills: float = 90) -> SkillCandidate:
    session = make_skill_session(candidates=1)
    candidate = session.candidates[0]
    for task in candidate.tasks:
        mark_all(task, {examiner: skills for examiner in task.panel.examiners})
    skill_sessions.publish_results(session, make_user(Role.CITY_ADMIN))
    pass_theory(candidate.staff)
    return candidate
