"""Factories for skill assessments: examiners from an institution, a session with panels."""

from __future__ import annotations

import functools
from collections import Counter
from datetime import timedelta
from typing import Any

from lms.accounts.models import User
from lms.config import PROJECT_ROOT
from lms.content.courses import load_content
from lms.content.specs import Content
from lms.core.roles import Role
from lms.db import utcnow
from lms.grading import marking, sessions, tasks
from lms.grading.models import SkillSession
from tests.exams.factories import eligible_trainee
from tests.factories import make_institution, make_staff, make_user


@functools.cache
def _project_content() -> Content:
    content, problems = load_content(PROJECT_ROOT / "courses")
    assert problems == []
    return content


def load_practical_tasks() -> None:
    """The practical tasks of the project's courses/ in the database, as ``lms courses sync``
    loads them."""
    tasks.load_tasks(_project_content(), Counter())


def make_examiner(institution: Any = None, **values: Any) -> User:
    """An examiner who works at ``institution`` (which decides conflicts of interest)."""
    return make_user(Role.EXAMINER, staff=make_staff(institution or make_institution()), **values)


def make_skill_session(
    *,
    candidates: int = 3,
    panel_sizes: tuple[int, ...] = (3,),
    publish: bool = True,
    **values: Any,
) -> SkillSession:
    admin = make_user(Role.CITY_ADMIN)
    load_practical_tasks()
    session = sessions.create_session(
        sessions.SessionData(
            title=values.pop("title", "2026年第1场技能考核"),
            level=values.pop("level", 5),
            starts_at=utcnow() + timedelta(days=1),
            **values,
        ),
        admin,
    )
    for number, size in enumerate(panel_sizes, start=1):
        members = [make_examiner() for _ in range(size)]
        sessions.add_panel(session, f"第{number}考站", members[0], members)
    sessions.add_candidates(session, [eligible_trainee(session.level) for _ in range(candidates)])
    sessions.assign(session)
    if publish:
        sessions.publish(session, admin)
    return session


def mark_all(task: Any, totals: dict[User, float] | None = None, submit: bool = True) -> None:
    """Every panel member marks ``task``: full points minus what brings them to their total."""
    for examiner in task.panel.examiners:
        target = (totals or {}).get(examiner, 80.0)
        marking.save_sheet(
            task,
            examiner,
            sheet_with_total(task, target, marking.sheet_version(task, examiner), submit),
        )


def sheet_with_total(
    task: Any, total: float, version: int, submit: bool = True
) -> marking.SheetInput:
    """Points per criterion adding up to ``total`` (taken off the criteria in order)."""
    missing = 100 - total
    points: dict[str, float | None] = {}
    for item in task.criteria:
        taken = min(item["points"], missing)
        points[item["key"]] = item["points"] - taken
        missing -= taken
    return marking.SheetInput(
        points=points, critical=[], comment="", version=version, submit=submit
    )


def id_number_of(staff: Any) -> str:
    """The staff member's full ID number, as somebody who knows them would type it."""
    from lms.core.crypto import cipher
    from lms.org.services import ID_PURPOSE

    return str(cipher().decrypt(staff.id_number_encrypted, ID_PURPOSE))
