"""``lms courses export DIR``: the live content in the courses/ layout.

Every file is written as it was last loaded (lms.content.sources), except where content was
published in the browser since: a lesson file carries its lesson's live title, hours and text;
in a question file the items whose live question differs are written again (and questions
written in the browser are added to the file of their course and work area); a task file whose
live task differs is written again (a new task gets its file). What nobody changed is written
byte for byte as it was read, so exporting a synced tree gives back the same tree, and
importing an export (``lms courses sync --root DIR``) and exporting again gives the same
bytes: each changed item is written as lms.authoring.files writes it, which reads back as the
live values. A lesson written in the browser gets its file (lms.authoring.lesson_export)."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from sqlalchemy import select

from lms.authoring import files
from lms.authoring.lesson_export import video_front, video_line, with_new_lessons
from lms.authoring.questions import QuestionKind, item_lines
from lms.authoring.tasks import TaskKind, file_lines
from lms.content.items import questions_of
from lms.content.sources import stored_files
from lms.content.specs import CourseSpec
from lms.content.tasks import read_task
from lms.content.yaml_lines import LineDict
from lms.db import db
from lms.exams.bank import question_values
from lms.exams.content import checked_questions
from lms.exams.question_models import Question
from lms.grading.models import PracticalTask
from lms.grading.tasks import task_values
from lms.learning.models import Course, Lesson

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_ID = re.compile(r"^id:\s*(\S+)\s*$", re.M)


def export_tree(target: Path) -> list[Path]:
    """Write the live content under ``target`` (created; files there are replaced)."""
    lessons = {lesson.key: lesson for lesson in db.session.scalars(select(Lesson))}
    exporter = _Items()
    texts: dict[str, bytes] = {}
    for row in stored_files():
        data = row.data
        parts = row.path.split("/")
        if len(parts) == 3 and parts[1] == "lessons" and parts[2].endswith(".md"):
            data = live_lesson_file(data.decode("utf-8"), lessons).encode("utf-8")
        elif len(parts) == 3 and parts[1] == "questions" and parts[2].endswith(".yaml"):
            data = exporter.question_file(row.path, data.decode("utf-8")).encode("utf-8")
        elif len(parts) == 3 and parts[1] == "tasks" and parts[2].endswith(".yaml"):
            data = exporter.task_file(row.path, data.decode("utf-8")).encode("utf-8")
        texts[row.path] = data
    for added, text in exporter.new_files(texts).items():
        texts[added] = text.encode("utf-8")
    texts = with_new_lessons(texts)
    written = []
    for name, data in texts.items():
        path = target.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


class _Items:
    """The question and task files of the export, with the live questions and tasks."""

    def __init__(self) -> None:
        self.catalog = files.catalog()
        self.levels = {c.code: c.level for c in db.session.scalars(select(Course))}
        self.questions = {
            q.key: q
            for q in db.session.scalars(select(Question).where(Question.source == "courses"))
        }
        self.tasks = {t.code: t for t in db.session.scalars(select(PracticalTask))}
        self.question_files: dict[str, list[str]] = {}  # path -> keys written there
        self.task_codes: set[str] = set()

    def _reader(self, path: str, text: str) -> tuple[files.TextReader, Any]:
        reader = files.TextReader({f"{files.ROOT}/{path}": text})
        return reader, reader.load_yaml(files.ROOT / path)

    def question_file(self, path: str, text: str) -> str:
        """The question file with each item whose live question differs written again."""
        reader, data = self._reader(path, text)
        if not isinstance(data, LineDict) or not isinstance(data.get("questions"), list):
            return text
        course = path.split("/")[0]
        level = self.levels.get(course, data.get("level", 0))
        spec = CourseSpec(course, "", level, "", 1.0, True)
        read = questions_of(reader, self.catalog, files.ROOT / path, data, spec)
        items = checked_questions(reader, read)
        self.question_files[path] = [item.key for item in read]
        defaults = {"level": data.get("level", level), "work_area": data.get("work_area")}
        starts = [item.line for item in data["questions"] if isinstance(item, LineDict)]
        lines = text.split("\n")
        replaced: dict[int, list[str]] = {}
        for item in items:
            live = self.questions.get(item.key)
            if live is None or all(
                getattr(live, name) == value for name, value in question_values(item).items()
            ):
                continue
            document = QuestionKind().document(live)
            replaced[item.line] = item_lines(document, item.key, defaults).lines
        if not replaced:
            return text
        for start in sorted(replaced, reverse=True):
            following = [line for line in starts if line > start]
            end = (following[0] - 1) if following else len(lines)
            while end > start and not lines[end - 1].strip():
                end -= 1  # the blank lines between items stay
            lines[start - 1 : end] = replaced[start]
        return "\n".join(lines)

    def task_file(self, path: str, text: str) -> str:
        """The task file, written again when its live task differs."""
        reader, _data = self._reader(path, text)
        course_level = self.levels.get(path.split("/")[0], 0)
        spec = read_task(reader, self.catalog, files.ROOT / path, course_level)
        if spec is None:
            return text
        self.task_codes.add(spec.code)
        live = self.tasks.get(spec.code)
        if live is None or all(
            getattr(live, name) == value
            for name, value in task_values(spec).items()
            if name != "retired_at"
        ):
            return text
        return file_lines(TaskKind().document(live), spec.code).text

    def new_files(self, texts: dict[str, bytes]) -> dict[str, str]:
        """Questions and tasks written in the browser that no file holds yet: each question
        added to its course's file of its work area, each task in a file of its own."""
        changed: dict[str, str] = {}
        listed = {key for keys in self.question_files.values() for key in keys}
        by_level = {level: code for code, level in sorted(self.levels.items())}
        for key, question in sorted(self.questions.items()):
            course = by_level.get(question.level)
            if key in listed or course is None:
                continue
            name = f"{course}/questions/{question.work_area.replace('_', '-')}.yaml"
            if name not in changed:
                existing = texts.get(name)
                changed[name] = (
                    existing.decode("utf-8")
                    if existing is not None
                    else f"level: {question.level}\nwork_area: {question.work_area}\nquestions:\n"
                )
            defaults = _defaults(changed[name])
            item = item_lines(QuestionKind().document(question), key, defaults).lines
            text = changed[name]
            separator = "" if text.endswith("questions:\n") else "\n"
            changed[name] = text.rstrip("\n") + "\n" + separator + "\n".join(item) + "\n"
        for code, task in sorted(self.tasks.items()):
            course = by_level.get(task.home_level)
            if code in self.task_codes or course is None or task.retired_at is not None:
                continue
            name = str(PurePosixPath(course) / "tasks" / f"{code}.yaml")
            changed[name] = file_lines(TaskKind().document(task), code).text
        return changed


def _defaults(text: str) -> dict[str, Any]:
    head = yaml.safe_load(text.split("\nquestions:", 1)[0]) or {}
    return {"level": head.get("level"), "work_area": head.get("work_area")}


def live_lesson_file(text: str, lessons: dict[str, Lesson]) -> str:
    """The lesson file ``text`` with its lesson's live title, hours and body."""
    match = _FRONT_MATTER.match(text)
    key = _ID.search(match.group(1)) if match else None
    lesson = lessons.get(key.group(1).strip("'\"")) if key else None
    if match is None or lesson is None:
        return text
    front = match.group(1)
    front = _set_line(front, "title", lesson.title)
    front = _set_line(front, "hours", lesson.hours)
    front = _set_video(front, lesson)
    return f"---\n{front}\n---\n{lesson.body_markdown}"


def _set_video(front: str, lesson: Lesson) -> str:
    """The front matter with the lesson's video when it is another file than the one written
    (a video uploaded in the browser); as written otherwise."""
    video = video_front(lesson)
    if video is None:
        return front
    found = re.search(r"^video:[ \t]*(.*)$", front, re.M)
    written = _loads(found.group(1)) if found else None
    if isinstance(written, dict) and all(
        written.get(name) == video.get(name) for name in ("src", "captions")
    ):
        return front
    if found is None:
        return front + "\n" + video_line(video)
    return front[: found.start()] + video_line(video) + front[found.end() :]


def _set_line(front: str, name: str, value: object) -> str:
    """Replace ``name:`` in the front matter when its value differs from ``value``."""
    pattern = re.compile(rf"^{name}:[ \t]*(.*)$", re.M)
    found = pattern.search(front)
    if found is None:
        return front
    if _loads(found.group(1)) == value:
        return front
    if isinstance(value, float):
        written = f"{value:g}"
    else:
        written = str(value)
        if _loads(written) != written:
            written = json.dumps(written, ensure_ascii=False)
    return front[: found.start()] + f"{name}: {written}" + front[found.end() :]


def _loads(text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None
