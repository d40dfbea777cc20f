"""Factories for exam data: a small bank, a blueprint, a published session with candidates."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from lms.core.roles import Role
from lms.db import db, utcnow
from lms.exams import question_types, sessions
from lms.exams.models import Blueprint, BlueprintCell, ExamSession, Question
from lms.learning.models import EnrolmentStatus
from tests.factories import make_staff, make_user
from tests.learning.factories import make_cohort, make_course, make_enrolment

_numbers = itertools.count(1)


def make_question(
    type: str = "single",
    level: int = 5,
    work_area: str = "daily_care",
    difficulty: str = "medium",
    **values: Any,
) -> Question:
    number = next(_numbers)
    defaults: dict[str, Any] = {
        "single": ({"A": "甲", "B": "乙", "C": "丙", "D": "丁"}, "B"),
        "multiple": ({"A": "甲", "B": "乙", "C": "丙", "D": "丁"}, ["A", "C"]),
        "truefalse": ({}, True),
        "short": ({}, "参考答案：要点一、要点二。"),
    }
    options, answer = defaults[type]
    question = Question(
        key=values.pop("key", f"test-q-{number}"),
        type=type,
        level=level,
        work_area=work_area,
        difficulty=difficulty,
        stem=values.pop("stem", f"第{number}题题干"),
        options=values.pop("options", options),
        answer_key=values.pop("answer_key", answer),
        explanation="解析",
        source="manual",
        **values,
    )
    db.session.add(question)
    db.session.flush()
    return question


def make_blueprint(
    level: int = 5, cells: list[tuple[str, int, float]] | None = None, **values: Any
) -> Blueprint:
    """Cells as (type, count, points), any work area and difficulty."""
    cells = cells or [("single", 4, 10), ("multiple", 2, 20), ("truefalse", 2, 10)]
    blueprint = Blueprint(
        key=values.pop("key", f"bp-{next(_numbers)}"),
        title="测试组卷方案",
        level=level,
        duration_minutes=values.pop("duration_minutes", 60),
        **values,
    )
    for position, (kind, count, points) in enumerate(cells, start=1):
        blueprint.cells.append(
            BlueprintCell(position=position, question_type=kind, count=count, points=points)
        )
    db.session.add(blueprint)
    db.session.flush()
    return blueprint


def stock_bank(level: int = 5, per_type: int = 6) -> None:
    for kind in ("single", "multiple", "truefalse"):
        for _ in range(per_type):
            make_question(kind, level)


def correct_display_answer(item: Any) -> Any:
    """What a candidate who knows the answer of the version drawn would send, in display
    letters."""
    question = item.version
    if question.type == "truefalse":
        return question.answer_key
    keys = [question.answer_key] if question.type == "single" else question.answer_key
    return sorted(question_types.OPTION_KEYS[item.option_order.index(k)] for k in keys)


def eligible_trainee(level: int = 5, institution: Any = None) -> Any:
    """A staff member who completed a course of ``level``."""
    staff = make_staff(institution) if institution else make_staff()
    make_enrolment(
        make_cohort(course=make_course(level=level)), staff, status=EnrolmentStatus.COMPLETED
    )
    return staff


def make_session(
    blueprint: Blueprint | None = None,
    *,
    candidates: int = 2,
    publish: bool = True,
    opens_in: timedelta = timedelta(minutes=-5),
    window: timedelta = timedelta(hours=3),
    **values: Any,
) -> ExamSession:
    blueprint = blueprint or make_blueprint()
    admin = make_user(Role.CITY_ADMIN)
    opens = utcnow() + opens_in
    session = sessions.create_session(
        sessions.SessionData(
            title=values.pop("title", "2026年第1场理论考试"),
            blueprint_id=blueprint.id,
            opens_at=opens,
            closes_at=opens + window,
            duration_minutes=values.pop("duration_minutes", 60),
            district_id=values.pop("district_id", None),
        ),
        admin,
    )
    room = sessions.add_room(session, "第一考场", 30)
    for _ in range(2):
        sessions.add_invigilator(room, make_user(Role.EXAMINER))
    sessions.add_candidates(session, [eligible_trainee(blueprint.level) for _ in range(candidates)])
    if publish:
        sessions.publish(session, admin)
    db.session.flush()
    return session
