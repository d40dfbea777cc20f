"""Practical tasks: the ``task`` content kind. Tasks are read and checked by lms.content, loaded
here into ``practical_tasks`` (a changed task is updated, a removed one retired), and the draw
reads the pool from the database."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from lms.content import kinds
from lms.content.specs import Content, CriterionSpec, TaskSpec
from lms.content.sync import apply_values, count, retire_unlisted
from lms.db import db
from lms.grading.models import PracticalTask, SkillPlan
from lms.grading.plan_check import skill_reports


def register_content_kind() -> None:
    """Register the loader of practical tasks and skill plans (their checks are in
    lms.content), and what ``lms courses check`` prints about them: whether each level's pool
    can be drawn after its plan, each task's time against its steps."""
    kinds.register_kind("task", load_tasks, report=skill_reports)


def _criterion(criterion: CriterionSpec) -> dict[str, Any]:
    item: dict[str, Any] = {
        "key": criterion.key,
        "text": criterion.text,
        "points": criterion.points,
        "minutes": criterion.minutes,
    }
    if criterion.describe_only:
        item["describe_only"] = True
        item["real_minutes"] = criterion.real_minutes
    return item


def task_values(spec: TaskSpec) -> dict[str, Any]:
    """The columns of a checked task of courses/: what sync writes, and what a version
    published in the browser and the export of the live tasks compare with."""
    return {
        "title": spec.title,
        "levels": sorted(spec.levels),
        "work_area": spec.work_area,
        "duration_minutes": spec.duration_minutes,
        "scenario": spec.scenario,
        "materials": list(spec.materials),
        "rubric": {
            "criteria": [_criterion(c) for c in spec.criteria],
            "critical_errors": [{"key": c.key, "text": c.text} for c in spec.critical_errors],
        },
        "retired_at": None,
    }


def load_tasks(content: Content, report: Counter[str]) -> None:
    """Bring the practical tasks in line with courses/; retire the removed ones (a task listed
    again comes back). A code used by several courses is one task."""
    specs = {task.code: task for course in content.courses for task in course.tasks}
    existing = {task.code: task for task in db.session.scalars(select(PracticalTask))}
    for code, spec in specs.items():
        task = existing.get(code)
        if task is None:
            db.session.add(PracticalTask(code=code, **task_values(spec)))
            count(report, "task", True, True)
        else:
            count(report, "task", False, apply_values(task, task_values(spec)))
    retire_unlisted(existing, specs, report, "task")
    _load_plans(content, report)
    db.session.flush()


def _load_plans(content: Content, report: Counter[str]) -> None:
    """The levels' skill plans, as blueprints.yaml declares them; a removed plan is retired."""
    existing = {plan.level: plan for plan in db.session.scalars(select(SkillPlan))}
    for spec in content.skill_plans:
        values = {"weights": dict(spec.weights), "own_level": spec.own_level, "retired_at": None}
        plan = existing.get(spec.level)
        if plan is None:
            db.session.add(SkillPlan(level=spec.level, **values))
            count(report, "skill_plan", True, True)
        else:
            count(report, "skill_plan", False, apply_values(plan, values))
    listed = {str(spec.level) for spec in content.skill_plans}
    retire_unlisted(
        {str(level): plan for level, plan in existing.items()}, listed, report, "skill_plan"
    )


def skill_plan(level: int) -> SkillPlan | None:
    """The active skill plan of ``level``, if courses/ declares one."""
    return db.session.scalar(
        select(SkillPlan).where(SkillPlan.level == level, SkillPlan.retired_at.is_(None))
    )


def task_pool(level: int) -> list[PracticalTask]:
    """The active practical tasks that assess ``level``, by code."""
    tasks = db.session.scalars(
        select(PracticalTask).where(PracticalTask.retired_at.is_(None)).order_by(PracticalTask.code)
    )
    return [task for task in tasks if level in task.levels]
