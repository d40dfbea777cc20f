"""Lessons as authored content: title, study hours and Markdown text. The lesson row is
updated in place when a version is published, so its id, and every trainee's progress on it,
stays the same across versions."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.authoring import lesson_media
from lms.authoring.base import Authored, Problem
from lms.content.lesson_check import lesson_problems
from lms.content.sources import find_media
from lms.content.specs import LESSON_HOURS
from lms.core.access import get_visible
from lms.db import db
from lms.learning.models import Lesson

HOURS = LESSON_HOURS


class LessonKind(Authored):
    name = "lesson"
    plural = "lessons"
    label = _l("Lesson")
    model = Lesson

    def find(self, key: str) -> Lesson | None:
        return db.session.scalar(select(Lesson).where(Lesson.key == key))

    def visible(self, item_id: int) -> Lesson:
        return get_visible(Lesson, item_id, lambda lesson: lesson.retired_at is None)

    def document(self, row: Lesson) -> dict[str, Any]:
        return {"title": row.title, "hours": float(row.hours), "body": row.body_markdown}

    def text(self, document: dict[str, Any]) -> str:
        return f"title: {document['title']}\nhours: {document['hours']:g}\n---\n{document['body']}"

    def title(self, document: dict[str, Any]) -> str:
        return str(document["title"])

    def problems(self, document: dict[str, Any], key: str, row: Lesson | None) -> list[Problem]:
        assert row is not None  # a lesson is written in courses/ first
        found: list[Problem] = []
        if not str(document.get("title", "")).strip():
            found.append((0, str(_l("%(key)s is required", key="title"))))
        hours = document.get("hours")
        if not isinstance(hours, int | float) or not HOURS[0] <= hours <= HOURS[1]:
            found.append((0, str(_l("hours must be a number from 0.5 to 6"))))
        course = row.course.code
        found += lesson_problems(document["body"], lambda ref, kind: find_media(course, ref, kind))
        return found

    def apply(self, document: dict[str, Any], key: str, row: Lesson | None, author: Any) -> Lesson:
        assert row is not None
        row.title = document["title"].strip()
        row.hours = document["hours"]
        row.body_markdown = document["body"]
        row.body_html = lesson_media.render(row, document["body"], store=True)
        lesson_media.link_pictures(row, document["body"])
        return row
