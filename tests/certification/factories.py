"""A candidate who passed a level, theory and skills, with both results published."""

from __future__ import annotations

import io
from datetime import timedelta
from functools import cache
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import select

from lms.certification import photos
from lms.certification.models import HolderPhoto
from lms.core.crypto import cipher
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.exams import attempts, sessions
from lms.exams.models import Attempt, Candidate
from lms.grading import sessions as skill_sessions
from lms.grading.models import SkillCandidate
from tests.exams.factories import correct_display_answer, make_session, stock_bank
from tests.factories import make_user
from tests.grading.factories import make_skill_session, mark_all


def pass_theory(staff: Any, level: int = 5) -> None:
    stock_bank(level, per_type=8)
    exam = make_session(candidates=0, publish=False)
    admin = make_user(Role.CITY_ADMIN)
    sessions.add_candidates(exam, [staff])
    sessions.publish(exam, admin)
    candidate = db.session.scalar(select(Candidate).where(Candidate.session_id == exam.id))
    attempt = attempts.start(candidate)
    for item in attempt.items:
        attempts.save_answer(attempt, item.position, correct_display_answer(item), seq=1)
    attempts.submit(attempt)
    sessions.close(exam, now=exam.closes_at + timedelta(seconds=1))
    sessions.publish_results(exam)
    assert db.session.get(Attempt, attempt.id).passed


def portrait(
    size: tuple[int, int] = (590, 826),
    background: tuple[int, int, int] = (250, 250, 250),
    kind: str = "PNG",
    jacket: tuple[int, int, int] = (60, 70, 110),
) -> bytes:
    """A real picture that passes the photo checks by default: a light background and a
    darker figure in the middle, 5:7."""
    image = Image.new("RGB", size, background)
    width, height = size
    ImageDraw.Draw(image).ellipse(
        (width * 0.32, height * 0.2, width * 0.68, height * 0.55), fill=(200, 150, 120)
    )
    image.paste(jacket, (width // 5, int(height * 0.6), 4 * width // 5, height))
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


@cache
def _photo_jpeg() -> bytes:
    return photos.normalise(portrait())


def give_photo(staff: Any) -> None:
    """Store an accepted photo for the person (checked once, then reused)."""
    db.session.add(
        HolderPhoto(
            staff_id=staff.id,
            jpeg_encrypted=cipher().encrypt_bytes(_photo_jpeg(), photos.PURPOSE),
            uploaded_at=utcnow(),
        )
    )
    db.session.flush()


def make_passed_candidate(skills: float = 90, *, photo: bool = True) -> SkillCandidate:
    session = make_skill_session(candidates=1)
    candidate = session.candidates[0]
    for task in candidate.tasks:
        mark_all(task, {examiner: skills for examiner in task.panel.examiners})
    skill_sessions.publish_results(session, make_user(Role.CITY_ADMIN))
    pass_theory(candidate.staff)
    if photo:
        give_photo(candidate.staff)
    return candidate
