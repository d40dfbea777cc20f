"""The lesson files of ``lms courses export`` for lessons written in the browser: a new lesson
gets its file ``NN-<slug>.md`` in its course's ``lessons/`` folder, named so that the files'
order is the course's order. When its number would sort it in the wrong place, the course's
lesson files are numbered again 01, 02, … in the course's order (their slugs kept); a course
without a new lesson keeps its files' names, so an unchanged tree exports byte for byte."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from lms.authoring import files
from lms.db import db
from lms.learning.models import Course, Lesson, LessonMedia

_FILE = re.compile(r"^(?P<course>[^/]+)/lessons/(?P<nn>\d{2})-(?P<slug>[a-z0-9][a-z0-9-]*)\.md$")
_ID = re.compile(r"^id:\s*(\S+)\s*$", re.M)


def lesson_file(lesson: Lesson) -> str:
    """A new lesson's file as courses/ writes lessons (front matter, then the Markdown)."""
    front = [
        f"id: {lesson.key}",
        f"title: {files.scalar(lesson.title)}",
        f"module: {lesson.module.key}",
        f"hours: {float(lesson.hours):g}",
    ]
    if lesson.care_domains:
        front.append(f"care_domains: {files.scalar(list(lesson.care_domains))}")
    video = video_front(lesson)
    if video:
        front.append(video_line(video))
    return "---\n" + "\n".join(front) + "\n---\n" + lesson.body_markdown


def video_front(lesson: Lesson) -> dict[str, str] | None:
    """The lesson's video as its front matter writes it (the files' paths), or None."""
    video = lesson.video or {}
    if not video.get("media"):
        return None
    rows = db.session.execute(
        select(LessonMedia.media_id, LessonMedia.path).where(LessonMedia.lesson_id == lesson.id)
    )
    paths = {media_id: path for media_id, path in rows}
    if video["media"] not in paths:
        return None
    front = {"src": paths[video["media"]]}
    for name in ("captions", "poster"):
        if video.get(name) in paths:
            front[name] = paths[video[name]]
    if video.get("title"):
        front["title"] = str(video["title"])
    return front


def video_line(video: dict[str, str]) -> str:
    """``video: {src: …, captions: …, title: …}`` (the title quoted: it may hold any text)."""
    parts = [f"{name}: {value}" for name, value in video.items() if name != "title"]
    if "title" in video:
        parts.append(f"title: {json.dumps(video['title'], ensure_ascii=False)}")
    return "video: {" + ", ".join(parts) + "}"


def slug_of(lesson: Lesson) -> str:
    prefix = f"l{lesson.course.level}-"
    return lesson.key.removeprefix(prefix) if lesson.key != prefix else lesson.key


def with_new_lessons(texts: dict[str, bytes]) -> dict[str, bytes]:
    """``texts`` (path → bytes of the export) with the lessons no file holds yet added."""
    by_key: dict[str, str] = {}
    for path, data in texts.items():
        if _FILE.match(path):
            found = _ID.search(data.decode("utf-8").split("\n---\n", 1)[0])
            if found:
                by_key[found.group(1).strip("'\"")] = path
    out = dict(texts)
    for course in db.session.scalars(select(Course).where(Course.is_active.is_(True))):
        lessons = course.active_lessons
        if all(lesson.key in by_key for lesson in lessons):
            continue
        names = [
            by_key.get(lesson.key)
            or f"{course.code}/lessons/{lesson.position:02d}-{slug_of(lesson)}.md"
            for lesson in lessons
        ]
        if names != sorted(names) or len(set(names)) != len(names):
            names = [
                f"{course.code}/lessons/{number:02d}-{_slug(by_key.get(lesson.key), lesson)}.md"
                for number, lesson in enumerate(lessons, start=1)
            ]
        for lesson, name in zip(lessons, names, strict=True):
            old = by_key.get(lesson.key)
            data = out.pop(old) if old else lesson_file(lesson).encode("utf-8")
            out[name] = data
    return out


def _slug(path: str | None, lesson: Lesson) -> str:
    match = _FILE.match(path) if path else None
    return match.group("slug") if match else slug_of(lesson)
