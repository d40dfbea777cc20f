"""``lms courses export``: the live content in the courses/ layout, round-tripping exactly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from lms.authoring import services
from lms.authoring.export import export_tree
from lms.config import PROJECT_ROOT
from lms.content.courses import load_content
from lms.content.sync import sync_content
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import Lesson
from tests.authoring.helpers import NEW_TASK
from tests.factories import make_user
from tests.learning.content_tree import PARAGRAPH

COURSES = PROJECT_ROOT / "courses"


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts)
    }


def sync(root: Path) -> None:
    content, problems = load_content(root)
    assert problems == []
    sync_content(content)


def lms(*args: str, database: Path) -> str:
    env = {**os.environ, "LMS_DATABASE_URL": f"sqlite:///{database}"}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lms:create_app", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_export_of_the_shipped_courses_equals_the_repository_and_round_trips(app, tmp_path):
    sync(COURSES)
    first = tmp_path / "first"
    export_tree(first)
    assert tree(first) == tree(COURSES)  # unchanged content: byte for byte the repository's

    # A lesson written in the browser, third in level 5, with an uploaded picture, gets its
    # file (sorted into its place) and its picture in the course folder.
    new = _new_lesson(tmp_path)
    first = tmp_path / "with-new-lesson"
    export_tree(first)
    added = sorted(set(tree(first)) - set(tree(COURSES)))
    assert len(added) == 4 and added[0] == "baoyushi-l5/lessons/03-daily-care.md"
    assert all(name.startswith("baoyushi-l5/media/upload-") for name in added[1:])
    text = tree(first)[added[0]].decode("utf-8")
    assert text.startswith(f"---\nid: {new.key}\n")
    assert ".webm, captions: media/upload-" in text and 'title: "抚触: 演示"}' in text
    assert {k: v for k, v in tree(first).items() if k not in added} == tree(COURSES)
    content, problems = load_content(first)
    assert problems == []
    level5 = next(c for c in content.courses if c.code == "baoyushi-l5")
    assert [lesson.key for lesson in level5.lessons][2] == new.key

    # Import the export into an empty database and export again: the same bytes.
    database = tmp_path / "empty.sqlite3"
    lms("db", "upgrade", database=database)
    lms("courses", "sync", "--root", str(first), database=database)
    second = tmp_path / "second"
    assert "exported" in lms("courses", "export", str(second), database=database)
    assert tree(second) == tree(first)


def _new_lesson(tmp_path: Path) -> Lesson:
    """A new lesson of level 5 (Chinese title, placed third, with a picture and a VP9 WebM
    video with captions), published."""
    from lms.authoring import kinds, lesson_media
    from lms.learning.models import Course
    from tests.authoring.test_video_upload import CAPTIONS, make_video
    from tests.learning.test_lesson_media import png

    course = db.session.scalar(select(Course).where(Course.code == "baoyushi-l5"))
    alice, bob = make_user(Role.COURSE_EXPERT), make_user(Role.COURSE_EXPERT)
    kind = kinds.get("lesson")
    draft = services.start_new(kind, alice, kind.blank_in(course))
    ref = lesson_media.upload_picture(course, None, png(), "touch.png", "抚触手法", alice)
    body = "## 婴儿抚触\n\n" + "\n\n".join([PARAGRAPH] * 9) + f"\n\n![抚触手法]({ref})\n"
    src, _ = lesson_media.upload(course, make_video(tmp_path, "webm"), "a.webm", "video", alice)
    captions, _ = lesson_media.upload(course, CAPTIONS.encode(), "a.vtt", "captions", alice)
    document = {**draft.document, "module": "daily_care", "position": 3}
    document |= {"title": "婴儿抚触：要点", "hours": 0.5, "body": body}
    document["video"] = {"src": src, "captions": captions, "title": "抚触: 演示"}
    services.save_draft(draft, alice, document, draft.lock_version)
    services.submit(draft, alice)
    return services.publish(draft, bob)


def test_a_lesson_published_in_the_browser_is_exported_in_its_file(app, tmp_path):
    sync(COURSES)
    lesson = db.session.scalar(select(Lesson).order_by(Lesson.id).limit(1))
    alice, bob = make_user(Role.COURSE_EXPERT), make_user(Role.COURSE_EXPERT)
    draft = services.start_draft(lesson, alice)
    body = "## 修改后的小节\n\n" + "\n\n".join([PARAGRAPH] * 9) + "\n"
    services.save_draft(
        draft,
        alice,
        {"title": "修改后的标题: 第一课", "hours": 2.0, "body": body},
        draft.lock_version,
    )
    services.submit(draft, alice)
    services.publish(draft, bob)
    target = tmp_path / "out"
    export_tree(target)
    before, after = tree(COURSES), tree(target)
    changed = [name for name in before if before[name] != after[name]]
    assert len(changed) == 1 and changed[0].endswith(".md")
    text = after[changed[0]].decode("utf-8")
    assert 'title: "修改后的标题: 第一课"\n' in text and "hours: 2\n" in text
    assert text.endswith("\n---\n" + body)
    # The exported tree is valid content that loads the edited lesson back.
    content, problems = load_content(target)
    assert problems == []
    edited = next(x for c in content.courses for x in c.lessons if x.key == lesson.key)
    assert (edited.title, edited.hours, edited.body) == ("修改后的标题: 第一课", 2.0, body)


def publish(kind_name: str, document: dict, row=None) -> object:
    """Publish ``document`` as a new item of ``kind_name`` (or an edit of ``row``), written by
    one expert and reviewed by another."""
    from lms.authoring import kinds

    alice, bob = make_user(Role.COURSE_EXPERT), make_user(Role.COURSE_EXPERT)
    kind = kinds.get(kind_name)
    draft = services.start_draft(row, alice) if row is not None else services.start_new(kind, alice)
    services.save_draft(draft, alice, document, draft.lock_version)
    services.submit(draft, alice)
    return services.publish(draft, bob)


def test_questions_and_tasks_published_in_the_browser_are_exported_and_round_trip(app, tmp_path):
    from lms.authoring import kinds
    from lms.exams.models import Question
    from lms.grading.models import PracticalTask

    sync(COURSES)
    question = db.session.scalar(select(Question).where(Question.key == "l5-dc-002"))
    edited = kinds.get("question").document(question)
    edited |= {
        "stem": "婴儿的第一种辅食: 宜选择（　）。",
        "options": {**edited["options"], "D": "鲜榨果汁"},
    }
    publish("question", edited, question)
    added = publish(
        "question",
        {
            **kinds.get("question").blank(),
            "type": "truefalse",
            "level": 4,
            "work_area": "ethics",
            "stem": "保育人员可以在家长群里转发其他孩子的体检报告。",
            "answer": False,
            "explanation": "体检报告属于隐私。\n只能在工作需要的范围内使用。",
        },
    )
    task = db.session.scalar(select(PracticalTask).where(PracticalTask.code == "hand-washing"))
    document = kinds.get("task").document(task)
    document["criteria"][0]["text"] = "操作前摘下饰物：戒指、手链"
    document["materials"] = [*document["materials"], "指甲刀"]
    publish("task", document, task)
    publish("task", {**NEW_TASK, "materials": []})

    first = tmp_path / "first"
    export_tree(first)
    before, after = tree(COURSES), tree(first)
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == [
        "baoyushi-l4/questions/ethics.yaml",
        "baoyushi-l5/questions/daily-care.yaml",
        "baoyushi-l5/tasks/hand-washing.yaml",
    ]
    assert sorted(set(after) - set(before)) == ["baoyushi-l5/tasks/bottle-feeding.yaml"]
    # Only the edited item of a question file is written again; its neighbours keep their bytes.
    old_lines = before["baoyushi-l5/questions/daily-care.yaml"].decode().splitlines()
    new_lines = after["baoyushi-l5/questions/daily-care.yaml"].decode().splitlines()
    assert len(old_lines) == len(new_lines)
    assert [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b] == [
        old_lines.index("- id: l5-dc-002") + 3,  # the stem
        old_lines.index("- id: l5-dc-002") + 8,  # option D
    ]
    assert (
        f"- id: {added.key}\n  type: truefalse\n"
        in after["baoyushi-l4/questions/ethics.yaml"].decode()
    )

    content, problems = load_content(first)
    assert problems == []
    loaded = {q.key: q for q in content.questions}
    assert loaded[added.key].explanation == "体检报告属于隐私。\n只能在工作需要的范围内使用。"
    assert loaded["l5-dc-002"].stem == "婴儿的第一种辅食: 宜选择（　）。"

    # Import the export into an empty database and export again: the same bytes.
    database = tmp_path / "empty.sqlite3"
    lms("db", "upgrade", database=database)
    lms("courses", "sync", "--root", str(first), database=database)
    second = tmp_path / "second"
    lms("courses", "export", str(second), database=database)
    assert tree(second) == tree(first)
