"""Practical tasks in courses/: every step has a time, the steps fit the task's time unless the
candidate describes a step instead of waiting for it, and each level has a skill plan its pool
can follow (`lms courses check`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from lms.config import PROJECT_ROOT
from lms.content.courses import load_content
from tests.learning.content_tree import add_skill_plan, write_tree

TASK = "test-l5/tasks/hand-washing.yaml"


def problems_of(root: Path) -> list[str]:
    return [str(problem) for problem in load_content(root)[1]]


def edit(root: Path, old: str, new: str) -> None:
    path = root / TASK
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_steps_longer_than_the_task_are_refused_at_the_task_time(app, tmp_path):
    root = write_tree(tmp_path / "courses")
    edit(root, "minutes: 2\n", "minutes: 9\n")  # 1 + 9 + 1 = 11 minutes in a 10-minute task
    (problem,) = problems_of(root)
    assert problem.startswith(f"courses/{TASK}:5: ") and "11" in problem and "10" in problem


def test_a_describe_only_step_needs_its_real_time_and_does_not_count(app, tmp_path):
    root = write_tree(tmp_path / "courses")
    edit(root, "minutes: 2\n", "minutes: 2\n    describe_only: true\n")
    (problem,) = problems_of(root)
    assert problem.startswith(f"courses/{TASK}:")
    edit(root, "describe_only: true\n", "describe_only: true\n    real_minutes: 30\n")
    content, problems = load_content(root)
    assert problems == []
    (task,) = content.courses[0].tasks
    steps = {c.key: c for c in task.criteria}
    assert steps["steps"].describe_only and steps["steps"].real_minutes == 30
    assert task.step_minutes == 4  # the 30 minutes are described, not waited for


def test_a_step_without_a_time_is_refused(app, tmp_path):
    root = write_tree(tmp_path / "courses")
    edit(root, "    minutes: 1\n", "")
    (problem,) = problems_of(root)
    assert re.match(rf"courses/{TASK}:\d+: ", problem)


def test_a_task_lives_in_the_course_of_its_most_elementary_level(app, tmp_path):
    root = write_tree(tmp_path / "courses")
    edit(root, "levels: [5]", "levels: [4, 3]")
    (problem,) = problems_of(root)
    assert problem.startswith(f"courses/{TASK}:3: ")


def run_check(app, root: Path):
    return CliRunner().invoke(app.cli, ["courses", "check", "--root", str(root)])


def test_the_check_fails_a_level_whose_pool_cannot_follow_its_plan(app, tmp_path):
    root = write_tree(tmp_path / "courses")
    result = run_check(app, root)
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.lstrip().startswith("FAIL")]

    # A plan naming a work area the pool lacks; then one the pool can follow.
    add_skill_plan(root, weights="{daily_care: 75, co_parenting: 25}")
    result = run_check(app, root)
    assert result.exit_code == 1 and "co_parenting" in result.output

    root = add_skill_plan(write_tree(tmp_path / "other"))
    result = run_check(app, root)
    assert result.exit_code == 0, result.output
    assert "t5-task-3" in result.output  # each task's time against its steps


@pytest.mark.content
def test_the_shipped_tasks_follow_the_plans(app):
    content, problems = load_content(PROJECT_ROOT / "courses")
    assert [str(p) for p in problems] == []
    plans = {plan.level: plan for plan in content.skill_plans}
    assert set(plans) == {5, 4, 3}
    tasks = {task.code: task for course in content.courses for task in course.tasks}
    for level, plan in plans.items():
        pool = [task for task in tasks.values() if level in task.levels]
        assert {task.work_area for task in pool} >= set(plan.weights)
        assert any(task.home_level == level for task in pool)
    # The level-5 pool covers every skill work area.
    assert {t.work_area for t in tasks.values() if 5 in t.levels} == set(
        content.catalog.skill_areas
    )
    assert tasks["disinfection"].step_minutes <= tasks["disinfection"].duration_minutes
    assert any(c.describe_only and c.real_minutes >= 30 for c in tasks["disinfection"].criteria)
    assert all(t.step_minutes <= t.duration_minutes for t in tasks.values())


#: The classes by age in months (托育机构设置标准, lesson l5 03-regulations-duties).
CLASS_MONTHS = {"乳儿班": (6, 12), "托小班": (12, 24), "托大班": (24, 36)}


@pytest.mark.content
def test_the_shipped_tasks_keep_children_in_the_class_of_their_age(app):
    content, _problems = load_content(PROJECT_ROOT / "courses")
    for task in (task for course in content.courses for task in course.tasks):
        text = " ".join([task.scenario, *(c.text for c in task.criteria)])
        for name, (low, high) in CLASS_MONTHS.items():
            if name not in text:
                continue
            months = [int(n) for n in re.findall(r"(\d+)个月", text)]
            months += [12 * int(n) for n in re.findall(r"(\d+)岁", text) if "岁以下" not in text]
            assert all(low <= m <= high for m in months), (task.code, name, months)
            if name != "乳儿班":
                assert "1岁以下" not in text and "乳儿" not in text, task.code
