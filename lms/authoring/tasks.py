"""Practical tasks as authored content: the task card and its rubric (criteria with points,
minutes and describe-only steps; critical errors). A draft is checked as ``lms courses check``
checks a task file: written as its file, read back by lms.content. Publishing updates the live
task; candidates' tasks already drawn keep the rubric they were drawn with
(``CandidateTask.rubric``), so a session under way is marked as it was drawn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.authoring import files
from lms.authoring.base import Authored, Problem
from lms.content.specs import TaskSpec
from lms.content.sync import apply_values
from lms.content.tasks import read_task
from lms.core.access import get_visible
from lms.db import db
from lms.grading.models import PracticalTask
from lms.grading.tasks import task_values
from lms.learning.models import Course

LABELS = {
    "code": _l("Code"),
    "title": _l("Title"),
    "levels": _l("Levels assessed"),
    "work_area": _l("Work area"),
    "duration_minutes": _l("Time allowed (minutes)"),
    "scenario": _l("Scenario"),
    "materials": _l("Materials"),
    "criteria": _l("Rubric items"),
    "critical_errors": _l("Critical errors"),
}


def _number(value: Any) -> Any:
    """Whole minutes as the files write them (``1``, not ``1.0``)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def file_lines(document: dict[str, Any], code: str) -> files.Writer:
    """The task as its file ``<course>/tasks/<code>.yaml`` writes it."""
    out = files.Writer()
    out.add(f"code: {files.scalar(code)}", LABELS["code"])
    out.add(f"title: {files.scalar(document['title'])}", LABELS["title"])
    levels = sorted(document.get("levels") or [], reverse=True)
    out.add(f"levels: {files.scalar(levels)}", LABELS["levels"])
    out.add(f"work_area: {files.scalar(document['work_area'])}", LABELS["work_area"])
    out.add(
        f"duration_minutes: {files.scalar(document['duration_minutes'])}",
        LABELS["duration_minutes"],
    )
    out.add(f"scenario: {files.scalar(document['scenario'])}", LABELS["scenario"])
    if document.get("materials"):
        out.add(f"materials: {files.scalar(list(document['materials']))}", LABELS["materials"])
    for name, item_label in (
        ("criteria", _l("Rubric item %(n)d")),
        ("critical_errors", _l("Critical error %(n)d")),
    ):
        out.add(f"{name}:", LABELS[name])
        for number, item in enumerate(document.get(name) or [], start=1):
            label = item_label % {"n": number}
            out.add(f"  - id: {files.scalar(item['id'])}", label)
            out.add(f"    text: {files.scalar(item['text'])}", label)
            if name == "criteria":
                out.add(f"    minutes: {files.scalar(_number(item['minutes']))}", label)
                out.add(f"    points: {files.scalar(item['points'])}", label)
                if item.get("describe_only"):
                    out.add("    describe_only: true", label)
                    out.add(
                        f"    real_minutes: {files.scalar(_number(item['real_minutes']))}", label
                    )
    return out


def home_course(levels: list[int]) -> Course | None:
    """The course a task lives in: the one of the most elementary level it assesses."""
    if not levels:
        return None
    return db.session.scalar(
        select(Course).where(Course.level == max(levels), Course.is_active.is_(True))
    )


def checked(
    document: dict[str, Any], key: str, row: PracticalTask | None
) -> tuple[TaskSpec | None, list[Problem]]:
    """The task read back from its file form, or the problems (each with where it is)."""
    code = row.code if row is not None else str(document.get("code") or "")
    out = file_lines(document, code)
    levels = [level for level in document.get("levels") or [] if isinstance(level, int)]
    course = home_course(levels)
    path = files.ROOT / (course.code if course else "draft") / "tasks" / f"{code or 'draft'}.yaml"
    reader = files.TextReader({path.as_posix(): out.text})
    others = select(PracticalTask.code)
    if row is not None:
        others = others.where(PracticalTask.id != row.id)
    reader.task_codes = {other: str(_l("another task")) for other in db.session.scalars(others)}
    home = row.home_level if row is not None else max(levels, default=0)
    spec = read_task(reader, files.catalog(), Path(path), home)
    found: list[Problem] = [
        (str(out.label(p.line, LABELS["title"])), p.message) for p in reader.problems
    ]
    if row is None and levels and course is None:
        found.append(
            (
                str(LABELS["levels"]),
                str(_l("no course of level %(level)s holds practical tasks", level=max(levels))),
            )
        )
    return (spec, []) if spec is not None and not found else (None, found)


class TaskKind(Authored):
    name = "task"
    plural = "tasks"
    label = _l("Practical task")
    model = PracticalTask
    may_create = True

    def find(self, key: str) -> PracticalTask | None:
        return db.session.scalar(select(PracticalTask).where(PracticalTask.code == key))

    def visible(self, item_id: int) -> PracticalTask:
        return get_visible(PracticalTask, item_id, lambda task: task.retired_at is None)

    def key_of(self, row: PracticalTask) -> str:
        return row.code

    def document(self, row: PracticalTask) -> dict[str, Any]:
        criteria = []
        for item in row.rubric.get("criteria", []):
            criterion = {
                "id": item["key"],
                "text": item["text"],
                "minutes": item.get("minutes", 0),
                "points": item["points"],
            }
            if item.get("describe_only"):
                criterion |= {"describe_only": True, "real_minutes": item["real_minutes"]}
            criteria.append(criterion)
        return {
            "code": row.code,
            "title": row.title,
            "levels": sorted(row.levels),
            "work_area": row.work_area,
            "duration_minutes": row.duration_minutes,
            "scenario": row.scenario,
            "materials": list(row.materials),
            "criteria": criteria,
            "critical_errors": [
                {"id": item["key"], "text": item["text"]}
                for item in row.rubric.get("critical_errors", [])
            ],
        }

    def blank(self) -> dict[str, Any]:
        return {
            "code": "",
            "title": "",
            "levels": [],
            "work_area": "",
            "duration_minutes": 10,
            "scenario": "",
            "materials": [],
            "criteria": [],
            "critical_errors": [],
        }

    def text(self, document: dict[str, Any]) -> str:
        return file_lines(document, str(document.get("code") or "")).text

    def title(self, document: dict[str, Any]) -> str:
        return str(document.get("title") or "")

    def problems(
        self, document: dict[str, Any], key: str, row: PracticalTask | None
    ) -> list[Problem]:
        return checked(document, key, row)[1]

    def apply(
        self, document: dict[str, Any], key: str, row: PracticalTask | None, author: Any
    ) -> PracticalTask:
        spec, found = checked(document, key, row)
        assert spec is not None, found  # publishing refuses a document with problems first
        values = task_values(spec)
        if row is None:
            row = PracticalTask(code=spec.code, **values)
            db.session.add(row)
        else:
            apply_values(row, values)
        db.session.flush()
        return row
