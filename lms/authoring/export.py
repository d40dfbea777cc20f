"""``lms courses export DIR``: the live content in the courses/ layout.

Every file is written as it was last loaded (lms.content.sources), except the lesson files,
which carry the lesson's live title, hours and text: what was published in the browser since.
A lesson nobody changed is written byte for byte as it was read, so exporting a synced tree
gives back the same tree, and importing an export (``lms courses sync --root DIR``) and
exporting again gives the same bytes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from sqlalchemy import select

from lms.content.sources import stored_files
from lms.db import db
from lms.learning.models import Lesson

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_ID = re.compile(r"^id:\s*(\S+)\s*$", re.M)


def export_tree(target: Path) -> list[Path]:
    """Write the live content under ``target`` (created; files there are replaced)."""
    lessons = {lesson.key: lesson for lesson in db.session.scalars(select(Lesson))}
    written = []
    for row in stored_files():
        data = row.data
        parts = row.path.split("/")
        if len(parts) == 3 and parts[1] == "lessons" and parts[2].endswith(".md"):
            data = live_lesson_file(data.decode("utf-8"), lessons).encode("utf-8")
        path = target.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


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
    return f"---\n{front}\n---\n{lesson.body_markdown}"


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
