"""Builds small, valid course trees for tests; each test breaks one thing on purpose."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from lms.config import PROJECT_ROOT

PARAGRAPH = (
    "婴幼儿进餐时，保育人员应当营造安静、愉快的氛围，鼓励婴幼儿自主进食，不催促、不强迫。"
    "餐前组织洗手，检查餐具清洁，确认食物温度适宜；进餐中观察咀嚼和吞咽情况，及时发现异常。"
)


def lesson_text(
    key: str,
    module: str = "daily",
    hours: float = 1.0,
    title: str = "进餐照料",
    body: str | None = None,
) -> str:
    body = body if body is not None else "## 要点\n\n" + "\n\n".join([PARAGRAPH] * 8)
    return f"---\nid: {key}\ntitle: {title}\nmodule: {module}\nhours: {hours}\n---\n{body}\n"


def write_tree(root: Path, *, lessons: int = 3, min_hours: float = 2) -> Path:
    """courses/ with one level-5 course, ``lessons`` lessons, a question file and a task."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "courses" / "catalog.yaml", root / "catalog.yaml")
    course = root / "test-l5"
    (course / "lessons").mkdir(parents=True)
    (course / "questions").mkdir()
    (course / "tasks").mkdir()
    (course / "course.yaml").write_text(
        textwrap.dedent(f"""\
        code: test-l5
        title: 测试课程（五级）
        level: 5
        description: 测试用课程。
        modules:
          - key: ethics
            title: 职业道德
            work_area: ethics
          - key: daily
            title: 生活照料
            work_area: daily_care
        completion:
          min_hours: {min_hours}
          require_all_lessons: true
        """),
        encoding="utf-8",
    )
    for number in range(1, lessons + 1):
        module = "ethics" if number == 1 else "daily"
        (course / "lessons" / f"{number:02d}-lesson-{number}.md").write_text(
            lesson_text(f"t5-lesson-{number}", module, title=f"第{number}课"), encoding="utf-8"
        )
    (course / "questions" / "daily.yaml").write_text(
        textwrap.dedent("""\
        level: 5
        work_area: daily_care
        questions:
          - id: t5-q-001
            type: single
            difficulty: easy
            stem: 冲调配方奶的水温一般为？
            options:
              A: 刚烧开的沸水
              B: 约40–60℃温开水
              C: 从冰箱里取出的冷藏凉水
            answer: B
            explanation: 过热会破坏营养，过冷不易溶解。
          - id: t5-q-002
            type: multiple
            difficulty: medium
            stem: 七步洗手法中需要清洁的部位有？
            options:
              A: 掌心
              B: 指缝
              C: 手腕
              D: 手肘
            answer: [A, B, C]
            explanation: 七步包括掌心、手背、指缝、指背、拇指、指尖和手腕。
          - id: t5-q-003
            type: truefalse
            difficulty: hard
            stem: 1岁以内的婴儿可以食用蜂蜜。
            answer: false
            explanation: 蜂蜜可能含肉毒杆菌芽孢，1岁以内不宜食用。
        """),
        encoding="utf-8",
    )
    (course / "tasks" / "hand-washing.yaml").write_text(
        textwrap.dedent("""\
        code: t5-hand-washing
        title: 七步洗手法
        levels: [5]
        work_area: daily_care
        duration_minutes: 10
        scenario: 准备为婴儿喂奶前，演示七步洗手法。
        materials: [流动水, 洗手液, 擦手纸]
        criteria:
          - id: prepare
            text: 取下饰物，卷起衣袖
            minutes: 1
            points: 20
          - id: steps
            text: 七个步骤完整、顺序正确
            minutes: 2
            points: 60
          - id: dry
            text: 用一次性擦手纸擦干
            minutes: 1
            points: 20
        critical_errors:
          - id: no-running-water
            text: 未使用流动水
        """),
        encoding="utf-8",
    )
    return root


def add_skill_plan(root: Path, weights: str = "{daily_care: 100}", extra_tasks: int = 5) -> Path:
    """A level-5 skill plan in blueprints.yaml, and copies of the tree's task (codes
    t5-task-1 …) so that a candidate's 4 to 6 tasks can be drawn after it."""
    blueprints = root / "blueprints.yaml"
    before = blueprints.read_text(encoding="utf-8") if blueprints.exists() else ""
    blueprints.write_text(
        before + f"skills:\n  - level: 5\n    own_level: 1\n    weights: {weights}\n",
        encoding="utf-8",
    )
    task = (root / "test-l5" / "tasks" / "hand-washing.yaml").read_text(encoding="utf-8")
    for number in range(1, extra_tasks + 1):
        (root / "test-l5" / "tasks" / f"task-{number}.yaml").write_text(
            task.replace("code: t5-hand-washing", f"code: t5-task-{number}"), encoding="utf-8"
        )
    return root
