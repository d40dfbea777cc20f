"""Practical tasks: the ``task`` content kind. Tasks are read and checked by lms.content, loaded
here into ``practical_tasks`` (a changed task is updated, a removed one retired), and the draw
reads the pool from the database."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from lms.content import kinds
from lms.content.specs import Content, TaskSpec
from lms.content.sync import apply_values, count, retire_unlisted
from lms.db import db
from lms.grading.models import PracticalTask


def register_content_kind() -> None:
    """Register the loader of practical tasks (their checks are all in lms.content)."""
    kinds.register_kind("task", load_tasks)


def _values(spec: TaskSpec) -> dict[str, Any]:
    return {
        "title": spec.title,
        "levels": sorted(spec.levels),
        "work_area": spec.work_area,
        "duration_minutes": spec.duration_minutes,
        "scenario": spec.scenario,
        "materials": list(spec.materials),
        "rubric": {
            "criteria": [{"key": c.key, "text": c.text, "points": c.points} for c in spec.criteria],
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
            db.session.add(PracticalTask(code=code, **_values(spec)))
            count(report, "task", True, True)
        else:
            count(report, "task", False, apply_values(task, _values(spec)))
    retire_unlisted(existing, specs, report, "task")
    db.session.flush()


def task_pool(level: int) -> list[PracticalTask]:
    """The active practical tasks that assess ``level``, by code."""
    tasks = db.session.scalars(
        select(PracticalTask).where(PracticalTask.retired_at.is_(None)).order_by(PracticalTask.code)
    )
    return [task for task in tasks if level in task.levels]
