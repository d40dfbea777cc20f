from pathlib import Path

import pytest
from click.testing import CliRunner

from lms.config import PROJECT_ROOT
from lms.content.courses import load_content
from lms.content.specs import MIN_LESSON_CHARS
from lms.learning.markdown import render
from tests.learning.content_tree import add_skill_plan, lesson_text, write_tree


def problems_of(root: Path) -> list[str]:
    return [str(problem) for problem in load_content(root)[1]]


def test_a_valid_tree_loads_completely(app, tmp_path):
    content, problems = load_content(write_tree(tmp_path / "courses"))
    assert problems == []
    (course,) = content.courses
    assert (len(course.lessons), len(course.questions), len(course.tasks)) == (3, 3, 1)
    assert course.questions[1].answer == ["A", "B", "C"]
    assert sum(c.points for c in course.tasks[0].criteria) == 100


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "test-l5/questions/daily.yaml",
            "    answer: B\n",
            "    answer: E\n",
            "courses/test-l5/questions/daily.yaml:12: ",
        ),
        (
            "test-l5/questions/daily.yaml",
            "    answer: [A, B, C]",
            "    answer: [A]",
            "courses/test-l5/questions/daily.yaml:23: ",
        ),
        (
            "test-l5/questions/daily.yaml",
            "    explanation: 蜂蜜",
            "    remark: 蜂蜜",
            "courses/test-l5/questions/daily.yaml:25: ",
        ),
        (
            "test-l5/questions/daily.yaml",
            "    difficulty: hard",
            "    difficulty: extreme",
            "courses/test-l5/questions/daily.yaml:27: ",
        ),
        (
            "test-l5/questions/daily.yaml",
            "  - id: t5-q-002\n",
            "  - id: t5-q-002\n  - : [\n",
            "courses/test-l5/questions/daily.yaml:15: ",
        ),
        (
            "test-l5/tasks/hand-washing.yaml",
            "    points: 60",
            "    points: 50",
            "courses/test-l5/tasks/hand-washing.yaml:8: ",
        ),
        (
            "test-l5/tasks/hand-washing.yaml",
            "work_area: daily_care",
            "work_area: cooking",
            "courses/test-l5/tasks/hand-washing.yaml:4: ",
        ),
        (
            "test-l5/course.yaml",
            "    work_area: daily_care",
            "    work_area: gardening",
            "courses/test-l5/course.yaml:11: ",
        ),
        (
            "test-l5/lessons/02-lesson-2.md",
            "module: daily",
            "module: nowhere",
            "courses/test-l5/lessons/02-lesson-2.md:4: ",
        ),
        (
            "test-l5/lessons/03-lesson-3.md",
            "hours: 1.0",
            "hours: 12",
            "courses/test-l5/lessons/03-lesson-3.md:5: ",
        ),
    ],
)
def test_a_broken_file_is_reported_with_file_and_line(app, tmp_path, file, old, new, expected):
    root = write_tree(tmp_path / "courses")
    replace_in(root / file, old, new)
    problems = problems_of(root)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_duplicate_ids_short_lessons_and_raw_html_are_reported(app, tmp_path):
    root = write_tree(tmp_path / "courses")
    lessons = root / "test-l5" / "lessons"
    (lessons / "04-copy.md").write_text(lesson_text("t5-lesson-1"), encoding="utf-8")
    (lessons / "05-short.md").write_text(lesson_text("t5-short", body="太短了。"), encoding="utf-8")
    (lessons / "06-html.md").write_text(
        lesson_text("t5-html", body=lesson_text("x").split("---\n")[2] + "\n<script>x</script>\n"),
        encoding="utf-8",
    )
    problems = problems_of(root)
    assert any(
        p.startswith("courses/test-l5/lessons/04-copy.md:2: ") and "01-lesson-1.md" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("courses/test-l5/lessons/05-short.md:7: ") and str(MIN_LESSON_CHARS) in p
        for p in problems
    ), problems
    assert any(p.startswith("courses/test-l5/lessons/06-html.md:") for p in problems), problems


def test_min_hours_beyond_the_lessons_is_refused(app, tmp_path):
    root = write_tree(tmp_path / "courses", lessons=2, min_hours=50)
    assert any("courses/test-l5/course.yaml:" in p for p in problems_of(root))


def test_cli_check_fails_with_file_line_messages_and_passes_when_fixed(app, tmp_path):
    root = add_skill_plan(write_tree(tmp_path / "courses"))
    runner = CliRunner()
    good = runner.invoke(app.cli, ["courses", "check", "--root", str(root)])
    assert good.exit_code == 0, good.output
    replace_in(root / "test-l5/tasks/hand-washing.yaml", "points: 20", "points: 25")
    bad = runner.invoke(app.cli, ["courses", "check", "--root", str(root)])
    assert bad.exit_code == 1
    assert "courses/test-l5/tasks/hand-washing.yaml:" in bad.stderr


def test_lesson_markdown_is_sanitised():
    html = render(
        "## 标题\n\n<script>alert(1)</script>\n\n[链接](javascript:alert(1)) **重点**\n\n"
        "| 项目 | 要求 |\n|---|---|\n| 水温 | 40℃ |\n"
    )
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert "href" not in html and "<a" not in html
    assert "<h2>标题</h2>" in html and "<strong>重点</strong>" in html and "<table>" in html


def test_the_shipped_curriculum_passes_the_check(app):
    content, problems = load_content(PROJECT_ROOT / "courses")
    assert [str(p) for p in problems] == []
    lessons = [lesson for course in content.courses for lesson in course.lessons]
    questions = [q for course in content.courses for q in course.questions]
    tasks = [task for course in content.courses for task in course.tasks]
    assert {course.level for course in content.courses} == {5, 4, 3}
    assert len(lessons) >= 36
    assert len(questions) >= 300
    assert len(tasks) >= 10
    assert {q.type for q in questions} == {"single", "multiple", "truefalse"}
    assert {q.difficulty for q in questions} == {"easy", "medium", "hard"}
    work_areas = {q.work_area for q in questions}
    assert work_areas == {
        "ethics",
        "basics",
        "environment",
        "daily_care",
        "early_learning",
        "safety_health",
        "co_parenting",
    }
