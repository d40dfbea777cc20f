"""Self-check questions at the end of a lesson and trainees' answers to them.

A table of their own, apart from the exam bank (``questions``): no paper draw, blueprint count or
bank check reads this table, so a practice question can never reach an exam."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, TimestampMixin, utcnow
from lms.learning.models import Lesson


class PracticeQuestion(TimestampMixin, Base):
    __tablename__ = "practice_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key from courses/<course>/practice/<lesson>.yaml (``<lesson id>-p01``).
    key: Mapped[str] = mapped_column(String(120), unique=True)
    #: The lesson (stable across its versions) whose self-check this question belongs to.
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    position: Mapped[int]
    #: single, multiple or truefalse (lms.exams.question_types checks and scores them).
    type: Mapped[str] = mapped_column(String(20))
    difficulty: Mapped[str] = mapped_column(String(10))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: Sent to the browser only in the answer to a trainee's attempt.
    answer_key: Mapped[Any] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    retired_at: Mapped[datetime | None]

    lesson: Mapped[Lesson] = relationship()


class PracticeAnswer(Base):
    """A trainee's latest answer to a self-check question (in one enrolment)."""

    __tablename__ = "practice_answers"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "question_id"),
        CheckConstraint("attempts >= 1", name="attempts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("practice_questions.id"), index=True)
    #: The answer as given: option keys (sorted) or true/false.
    response: Mapped[Any] = mapped_column(JSON)
    correct: Mapped[bool]
    attempts: Mapped[int] = mapped_column(default=1)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[PracticeQuestion] = relationship()
