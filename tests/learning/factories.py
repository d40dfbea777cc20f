"""Factories for training data."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import select

from lms.db import db, utcnow
from lms.learning import services
from lms.learning.markdown import render
from lms.learning.models import (
    HOLDS_PLACE,
    Cohort,
    CohortMode,
    Course,
    Enrolment,
    EnrolmentStatus,
    Lesson,
    Module,
    TrainingPlan,
)
from tests.learning.content_tree import PARAGRAPH

_numbers = itertools.count(1)


def make_course(level: int = 5, lessons: int = 2, min_hours: float = 1.0, **values: Any) -> Course:
    code = values.pop("code", f"course-l{level}-{next(_numbers)}")
    course = Course(
        code=code,
        title=values.pop("title", f"保育师{level}级课程"),
        level=level,
        min_hours=min_hours,
        description="",
        **values,
    )
    db.session.add(course)
    db.session.flush()
    module = Module(
        course_id=course.id, key="daily", title="生活照料", work_area="daily_care", position=1
    )
    db.session.add(module)
    db.session.flush()
    for number in range(1, lessons + 1):
        body = PARAGRAPH * 6
        db.session.add(
            Lesson(
                key=f"{code}-lesson-{number}",
                course_id=course.id,
                module_id=module.id,
                title=f"第{number}课",
                hours=1.0,
                position=number,
                body_markdown=body,
                body_html=render(body),
            )
        )
    db.session.flush()
    db.session.refresh(course)
    return course


def make_plan(
    year: int = 2026, total: int = 1700, quotas: dict[int, int] | None = None
) -> TrainingPlan:
    """The plan of ``year``, created on first use."""
    plan = db.session.scalar(select(TrainingPlan).where(TrainingPlan.year == year))
    if plan is None:
        return services.create_plan(year, f"{year}年保育人员免费培训", total, quotas or {})
    if quotas:
        services.set_quotas(plan, quotas)
    return plan


def make_cohort(
    plan: TrainingPlan | None = None, course: Course | None = None, **values: Any
) -> Cohort:
    cohort = Cohort(
        plan_id=(plan or make_plan()).id,
        course_id=(course or make_course()).id,
        district_id=values.pop("district_id", None),
        title=values.pop("title", "2026年第一期"),
        mode=values.pop("mode", CohortMode.MIXED),
        starts_on=values.pop("starts_on", date(2026, 3, 1)),
        ends_on=values.pop("ends_on", date(2026, 12, 31)),
        capacity=values.pop("capacity", 50),
        **values,
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def make_enrolment(
    cohort: Cohort, staff: Any, status: EnrolmentStatus = EnrolmentStatus.ENROLLED, **values: Any
) -> Enrolment:
    enrolment = Enrolment(cohort_id=cohort.id, staff_id=staff.id, status=status, **values)
    if status in HOLDS_PLACE:
        cohort.enrolled += 1  # as an approval would have done
    if status == EnrolmentStatus.COMPLETED:
        enrolment.completed_at = utcnow()
    db.session.add(enrolment)
    db.session.flush()
    return enrolment
