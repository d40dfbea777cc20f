"""Lessons as authored content: title, study hours and Markdown text. The lesson row is
updated in place when a version is published, so its id, and every trainee's progress on it,
stays the same across versions. A video uploaded in the editor (any common format: one phones
cannot play is transcoded in the background) becomes the lesson's when the draft is published.

A new lesson is written in the browser too: its draft also says its course, module, place in
the course and slug (its id and file name in courses/, made from the title when not given);
it gets its row, and its id, when a second expert publishes it."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.authoring import lesson_media
from lms.authoring.base import Authored, Problem
from lms.content.lesson_check import lesson_problems, media_problem
from lms.content.sources import find_media
from lms.content.specs import LESSON_HOURS
from lms.core.access import get_visible
from lms.db import db
from lms.learning.models import Course, Lesson, Module

HOURS = LESSON_HOURS
#: A slug as courses/ file names and ids write it.
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


def slug_from(title: str, module: str) -> str:
    """A safe slug for a new lesson: the Latin letters and digits of its title (``HIV 防护`` →
    ``hiv``), or its module's key when the title has none (a Chinese title)."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    slug = "-".join(words)[:50].strip("-")
    return slug or module.replace("_", "-").lower() or "lesson"


def fresh_key(course: Course, slug: str) -> str:
    """The new lesson's id: ``l<level>-<slug>``, numbered when another lesson has it."""
    base = f"l{course.level}-{slug}"
    taken = set(db.session.scalars(select(Lesson.key).where(Lesson.key.like(f"{base}%"))))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def course_of(document: dict[str, Any], row: Lesson | None) -> Course | None:
    if row is not None:
        return row.course
    return db.session.scalar(select(Course).where(Course.code == document.get("course")))


class LessonKind(Authored):
    name = "lesson"
    plural = "lessons"
    label = _l("Lesson")
    model = Lesson
    may_create = True

    def find(self, key: str) -> Lesson | None:
        return db.session.scalar(select(Lesson).where(Lesson.key == key))

    def visible(self, item_id: int) -> Lesson:
        return get_visible(Lesson, item_id, lambda lesson: lesson.retired_at is None)

    def document(self, row: Lesson) -> dict[str, Any]:
        return {"title": row.title, "hours": float(row.hours), "body": row.body_markdown}

    def blank_in(self, course: Course) -> dict[str, Any]:
        """A new lesson at the end of ``course``, in its last module."""
        modules = [module for module in course.modules if module.retired_at is None]
        return {
            "course": course.code,
            "module": modules[-1].key if modules else "",
            "position": len(course.active_lessons) + 1,
            "slug": "",
            "title": "",
            "hours": HOURS[0],
            "body": "",
        }

    def text(self, document: dict[str, Any]) -> str:
        place = "".join(
            f"{name}: {document[name]}\n"
            for name in ("course", "module", "position", "slug")
            if name in document
        )
        video = document.get("video") or {}
        if video:
            place += f"video: {video.get('src')} ({video.get('captions')}) {video.get('title')}\n"
        return (
            f"{place}title: {document['title']}\nhours: {document['hours']:g}\n---\n"
            f"{document['body']}"
        )

    def title(self, document: dict[str, Any]) -> str:
        return str(document["title"])

    def problems(self, document: dict[str, Any], key: str, row: Lesson | None) -> list[Problem]:
        found: list[Problem] = []
        course = course_of(document, row)
        if course is None:
            return [(0, str(_l("The course of this lesson no longer exists")))]
        if row is None:
            found += self._place_problems(document, course)
        if not str(document.get("title", "")).strip():
            found.append((0, str(_l("%(key)s is required", key="title"))))
        hours = document.get("hours")
        if not isinstance(hours, int | float) or not HOURS[0] <= hours <= HOURS[1]:
            found.append((0, str(_l("hours must be a number from 0.5 to 6"))))
        code = course.code
        found += lesson_problems(document["body"], lambda ref, kind: find_media(code, ref, kind))
        video = document.get("video") or {}
        for name, kind in (("src", "video"), ("captions", "captions")) if video else ():
            problem = media_problem(
                str(video.get(name) or ""), kind, lambda r, k: find_media(code, r, k)
            )
            if problem:
                found.append((str(_l("Video")), problem))
        return found

    def _place_problems(self, document: dict[str, Any], course: Course) -> list[Problem]:
        found: list[Problem] = []
        if self._module(course, document.get("module")) is None:
            found.append((str(_l("Module")), str(_l("Choose a module of this course"))))
        position = document.get("position")
        if not isinstance(position, int) or not 1 <= position <= len(course.active_lessons) + 1:
            found.append(
                (
                    str(_l("Place in the course")),
                    str(_l("a number from 1 to %(n)d", n=len(course.active_lessons) + 1)),
                )
            )
        slug = str(document.get("slug") or "")
        if slug and not SLUG.match(slug):
            found.append(
                (
                    str(_l("Slug")),
                    str(_l("use a-z, 0-9 and - (at most 60), or leave it empty")),
                )
            )
        return found

    @staticmethod
    def _module(course: Course, key: Any) -> Module | None:
        return next(
            (m for m in course.modules if m.key == key and m.retired_at is None),
            None,
        )

    def apply(self, document: dict[str, Any], key: str, row: Lesson | None, author: Any) -> Lesson:
        if row is None:
            row = self._create(document)
        row.title = document["title"].strip()
        row.hours = document["hours"]
        row.body_markdown = document["body"]
        row.body_html = lesson_media.render(row.course, document["body"], store=True)
        lesson_media.link_pictures(row, document["body"])
        if document.get("video"):
            lesson_media.publish_video(row, document["video"])
        return row

    def _create(self, document: dict[str, Any]) -> Lesson:
        """The new lesson's row at its place in its course (the lessons after it move down)."""
        course = course_of(document, None)
        assert course is not None  # publishing refuses a document with problems first
        module = self._module(course, document["module"])
        assert module is not None
        position = int(document["position"])
        for other in course.active_lessons:
            if other.position >= position:
                other.position += 1
        slug = document.get("slug") or slug_from(document["title"], module.key)
        row = Lesson(
            key=fresh_key(course, slug),
            course_id=course.id,
            module_id=module.id,
            title=document["title"].strip(),
            hours=document["hours"],
            position=position,
            care_domains=[],
            body_markdown=document["body"],
            body_html="",
            video={},
        )
        db.session.add(row)
        db.session.flush()
        db.session.refresh(course, ["lessons"])
        return row
