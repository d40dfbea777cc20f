"""The question bank's rows: questions and the versions every edit of one adds (papers point at
the version they drew). lms.exams.models re-exports everything here, so
``from lms.exams.models import Question`` keeps working."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Connection,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from lms.db import Base, TimestampMixin, db, utcnow

__all__ = ["Question", "QuestionMedia", "QuestionVersion", "current_version_ids"]


class Question(TimestampMixin, Base):
    """A theory question. Its type (lms.exams.question_types) decides how it is shown and scored."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_digit"),
        Index("ix_questions_pool", "level", "type", "work_area", "difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key: the content id for questions from courses/, "qti:<identifier>" for imports.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    level: Mapped[int]
    work_area: Mapped[str] = mapped_column(String(40))
    difficulty: Mapped[str] = mapped_column(String(10))
    stem: Mapped[str] = mapped_column(Text)
    #: {"A": "…", "B": "…"} for option types, {} otherwise.
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: Never sent to a browser before results are published.
    answer_key: Mapped[Any] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    #: Option keys that keep their place when a paper shuffles the options (QTI fixed="true",
    #: or every option of an item that must not be shuffled); the others move around them.
    fixed_options: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Pictures, sounds and videos shown with the stem ("stem") or an option (its key): lists
    #: of {"id": QuestionMedia id, "type": content type, "alt": text}.
    media: Mapped[dict[str, list[dict[str, Any]]]] = mapped_column(JSON, default=dict)
    #: "courses" (synced from courses/), "qti" (imported) or "manual" (written in the bank).
    source: Mapped[str] = mapped_column(String(10))
    retired_at: Mapped[datetime | None]
    #: Who wrote (or first imported) it; None for courses/ content and older rows. Only its
    #: author may change an imported question by importing it again.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number", viewonly=True
    )

    #: The fields a version keeps; changing any of them makes a new version.
    CONTENT = (
        "type",
        "level",
        "work_area",
        "difficulty",
        "stem",
        "options",
        "answer_key",
        "explanation",
        "fixed_options",
        "media",
    )

    #: Who is editing it now (not stored): the author of the version an edit makes.
    edited_by_id = None

    def content(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.CONTENT}


class QuestionVersion(Base):
    """What a question said at one time. The question row is the bank's current text; papers
    point at the version they drew, so later edits never change a paper already drawn.

    Written by lms.exams.versioning whenever a question's content is inserted or changed."""

    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int]
    type: Mapped[str] = mapped_column(String(20))
    level: Mapped[int]
    work_area: Mapped[str] = mapped_column(String(40))
    difficulty: Mapped[str] = mapped_column(String(10))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    answer_key: Mapped[Any] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    fixed_options: Mapped[list[str]] = mapped_column(JSON, default=list)
    media: Mapped[dict[str, list[dict[str, Any]]]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[Question] = relationship(back_populates="versions")


class QuestionMedia(Base):
    """A picture, sound or video a question shows (imported with a QTI item), stored once per
    content. Checked by its bytes when imported (lms/exams/media.py) and served only to those
    who may see a question showing it. The bytes live in the media store (lms/core/storage.py,
    key: ``sha256``), as lesson media do; the row holds what they are."""

    __tablename__ = "question_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    #: Only rows imported before the bytes moved to the media store (migration 0024); read when
    #: the store has no file ``sha256``. New rows leave it empty.
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# Versions ------------------------------------------------------------------------------------
# Every write of a question's content, by whatever path (courses sync, QTI import, the bank's
# form, a script), adds a version here, in the same flush: one home for "edits make a new
# version", which no edit path can forget.


def _latest_version(connection: Connection, question_id: int) -> Any:
    table: Any = QuestionVersion.__table__
    return (
        connection.execute(
            select(table)
            .where(table.c.question_id == question_id)
            .order_by(table.c.number.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )


def _add_version(connection: Connection, question: Question, number: int, author: Any) -> None:
    connection.execute(
        insert(QuestionVersion).values(
            question_id=question.id,
            number=number,
            created_by_id=author,
            created_at=utcnow(),
            **question.content(),
        )
    )


@event.listens_for(Question, "after_insert")
def _first_version(_mapper: Mapper[Any], connection: Connection, question: Question) -> None:
    _add_version(connection, question, 1, question.created_by_id)


@event.listens_for(Question, "after_update")
def _next_version(_mapper: Mapper[Any], connection: Connection, question: Question) -> None:
    latest = _latest_version(connection, question.id)
    content = question.content()
    if latest is not None and all(latest[name] == value for name, value in content.items()):
        return  # retired, restored or touched: the text is the same version
    number = 1 if latest is None else latest["number"] + 1
    _add_version(connection, question, number, question.edited_by_id)


def current_version_ids(question_ids: Any) -> dict[int, int]:
    """{question id: id of its newest version} (what a paper drawn now would show)."""
    newest = (
        select(QuestionVersion.question_id, func.max(QuestionVersion.number).label("number"))
        .where(QuestionVersion.question_id.in_(list(question_ids)))
        .group_by(QuestionVersion.question_id)
        .subquery()
    )
    rows = db.session.execute(
        select(QuestionVersion.question_id, QuestionVersion.id).join(
            newest,
            (newest.c.question_id == QuestionVersion.question_id)
            & (newest.c.number == QuestionVersion.number),
        )
    ).all()
    return {question_id: version_id for question_id, version_id in rows}
