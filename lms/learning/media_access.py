"""Who may fetch a lesson's media file: the one rule the media route calls.

- a trainee: when the file (or the video it was made from: poster, rendition) is shown by a
  current lesson of a course they are enrolled in (approved or completed);
- the city administrator and course experts (who write lessons): every lesson file, and files
  uploaded but not yet in a lesson;
- nobody else. Question media follow the exam rules instead (lms/exams/media.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from lms.content.models import MediaFile
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import HOLDS_PLACE, Cohort, Enrolment, Lesson, LessonMedia


def author_roles() -> set[Role]:
    """The roles that write lessons (the course expert role when it exists)."""
    roles = {Role.CITY_ADMIN}
    expert = getattr(Role, "COURSE_EXPERT", None)
    if expert is not None:
        roles.add(expert)
    return roles


def may_fetch(user: Any, row: MediaFile) -> bool:
    if user.role in author_roles():
        return True
    if user.role != Role.TRAINEE or user.staff_id is None:
        return False
    ids = [row.id] if row.parent_id is None else [row.id, row.parent_id]
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    LessonMedia.media_id.in_(ids),
                    Lesson.id == LessonMedia.lesson_id,
                    Lesson.retired_at.is_(None),
                    Cohort.course_id == Lesson.course_id,
                    Enrolment.cohort_id == Cohort.id,
                    Enrolment.staff_id == user.staff_id,
                    Enrolment.status.in_(HOLDS_PLACE),
                )
            )
        )
    )
