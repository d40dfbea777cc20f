"""Practical tasks are synced from courses/ into the database like questions, and skill
sessions draw from the database (no file is read when a session is created or drawn)."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.config import PROJECT_ROOT
from lms.content.courses import load_content
from lms.content.sync import sync_content
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.grading import sessions, tasks
from lms.grading.models import PracticalTask
from tests.factories import make_user
from tests.learning.content_tree import write_tree


def sync(root):
    content, problems = load_content(root)
    assert problems == []
    return sync_content(content)


def test_tasks_are_created_updated_retired_and_restored_with_their_rubric(app, tmp_path):
    root = write_tree(tmp_path / "courses")
    task_file = root / "test-l5" / "tasks" / "hand-washing.yaml"
    assert sync(root)["task.created"] == 1
    task = db.session.scalar(select(PracticalTask).where(PracticalTask.code == "t5-hand-washing"))
    assert task is not None and task.levels == [5] and task.retired_at is None
    assert [c["points"] for c in task.rubric["criteria"]] == [20, 60, 20]
    assert task.rubric["critical_errors"] == [{"key": "no-running-water", "text": "未使用流动水"}]
    assert sync(root)["task.unchanged"] == 1

    text = task_file.read_text(encoding="utf-8")
    task_file.write_text(
        text.replace("points: 20\n  - id: steps", "points: 30\n  - id: steps")
        .replace("points: 60", "points: 50")
        .replace("七步洗手法", "七步洗手"),
        encoding="utf-8",
    )
    assert sync(root)["task.updated"] == 1
    db.session.refresh(task)
    assert task.title == "七步洗手" and [c["points"] for c in task.rubric["criteria"]] == [
        30,
        50,
        20,
    ]

    task_file.unlink()
    assert sync(root)["task.retired"] == 1
    db.session.refresh(task)
    assert task.retired_at is not None
    assert "t5-hand-washing" not in {t.code for t in tasks.task_pool(5)}

    task_file.write_text(text, encoding="utf-8")
    assert sync(root)["task.updated"] == 1
    db.session.refresh(task)
    assert task.retired_at is None and task.title == "七步洗手法"


def test_sessions_draw_from_the_database_without_reading_courses(app, tmp_path, monkeypatch):
    copy = tmp_path / "courses"
    shutil.copytree(PROJECT_ROOT / "courses", copy)
    sync(copy)
    pool = {task.code for task in tasks.task_pool(5)}
    assert len(pool) >= 4
    # The files are gone: the pool, the session and the draw do not need them.
    shutil.rmtree(copy)
    monkeypatch.setitem(app.config, "COURSES_ROOT", str(tmp_path / "nowhere"))
    assert {task.code for task in tasks.task_pool(5)} == pool
    session = sessions.create_session(
        sessions.SessionData(title="库中抽题", level=5, starts_at=utcnow() + timedelta(days=1)),
        make_user(Role.CITY_ADMIN),
    )
    assert session.id is not None


def test_a_drawn_task_keeps_the_rubric_it_was_drawn_with(app):
    from tests.grading.factories import make_skill_session

    session = make_skill_session(candidates=1, publish=False)
    drawn = session.candidates[0].tasks[0]
    before = [dict(item) for item in drawn.criteria]
    task = db.session.scalar(select(PracticalTask).where(PracticalTask.code == drawn.task_code))
    task.rubric = {"criteria": [{"key": "x", "text": "改过", "points": 100}], "critical_errors": []}
    db.session.flush()
    db.session.refresh(drawn)
    assert drawn.criteria == before


@pytest.mark.parametrize("level", [3, 4, 5])
def test_the_pool_of_each_level_matches_the_files(app, level):
    content, problems = load_content(PROJECT_ROOT / "courses")
    assert problems == []
    in_files = {t.code for course in content.courses for t in course.tasks if level in t.levels}
    assert {task.code for task in tasks.task_pool(level)} == in_files
