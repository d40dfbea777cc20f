"""Blueprints, exam sessions with rooms and invigilators, candidates, and the attempts they
make: the drawn paper and the saved responses. The question bank's rows live in
lms.exams.question_models and are re-exported here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.labels import LabelledEnum, labels
from lms.db import Base, TimestampMixin, str_enum, utcnow
from lms.exams.question_models import (
    Question,
    QuestionMedia,
    QuestionVersion,
    current_version_ids,
)
from lms.org.models import Staff

__all__ = [
    "Attempt",
    "AttemptStatus",
    "Blueprint",
    "BlueprintCell",
    "Candidate",
    "ExamRoom",
    "ExamSession",
    "Invigilation",
    "MultipleChoiceRule",
    "PaperItem",
    "Question",
    "QuestionMedia",
    "QuestionVersion",
    "Response",
    "SessionStatus",
    "current_version_ids",
]


class MultipleChoiceRule(LabelledEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    HALF_FOR_SUBSET = "half_for_subset"
    PROPORTIONAL = "proportional"

    __labels__ = labels(
        {
            ALL_OR_NOTHING: _l("All correct options, nothing else"),
            HALF_FOR_SUBSET: _l("Half the points for some correct options and no wrong one"),
            PROPORTIONAL: _l("Points in proportion to correct options if no wrong one"),
        }
    )


class Blueprint(TimestampMixin, Base):
    """What a theory paper of a level contains: counts and points per type × area × difficulty."""

    __tablename__ = "blueprints"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_digit"),
        CheckConstraint("pass_score > 0 AND pass_score <= 100", name="pass_score_range"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[int]
    duration_minutes: Mapped[int] = mapped_column(default=90)
    pass_score: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False), default=60)
    multiple_choice_rule: Mapped[MultipleChoiceRule] = mapped_column(
        str_enum(MultipleChoiceRule, "multiple_choice_rule", 20),
        default=MultipleChoiceRule.ALL_OR_NOTHING,
    )
    source: Mapped[str] = mapped_column(String(10), default="manual")
    is_active: Mapped[bool] = mapped_column(default=True)

    cells: Mapped[list[BlueprintCell]] = relationship(
        back_populates="blueprint", cascade="all, delete-orphan", order_by="BlueprintCell.position"
    )

    @property
    def total_points(self) -> float:
        return round(sum(cell.count * cell.points for cell in self.cells), 2)

    @property
    def question_count(self) -> int:
        return sum(cell.count for cell in self.cells)


class BlueprintCell(Base):
    """``count`` questions worth ``points`` each; an empty work area or difficulty means any."""

    __tablename__ = "blueprint_cells"
    __table_args__ = (
        CheckConstraint("count > 0", name="count_positive"),
        CheckConstraint("points > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("blueprints.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_type: Mapped[str] = mapped_column(String(20))
    work_area: Mapped[str | None] = mapped_column(String(40))
    difficulty: Mapped[str | None] = mapped_column(String(10))
    count: Mapped[int]
    points: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False))

    blueprint: Mapped[Blueprint] = relationship(back_populates="cells")


class SessionStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    RESULTS_PUBLISHED = "results_published"

    __labels__ = labels(
        {
            DRAFT: _l("Draft"),
            PUBLISHED: _l("Published"),
            CLOSED: _l("Closed"),
            RESULTS_PUBLISHED: _l("Results published"),
        }
    )


class ExamSession(TimestampMixin, Base):
    """A theory exam sitting (考试场次): a window, a duration, rooms and candidates."""

    __tablename__ = "exam_sessions"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window_ordered"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint(
            "(status = 'results_published') = (results_published_at IS NOT NULL)",
            name="results_have_time",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[int]
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("blueprints.id"))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    #: Only this district's trainees may be candidates; None: the whole city.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, "exam_session_status", 20), default=SessionStatus.DRAFT
    )
    published_at: Mapped[datetime | None]
    results_published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    blueprint: Mapped[Blueprint] = relationship()
    rooms: Mapped[list[ExamRoom]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="ExamRoom.id"
    )


class ExamRoom(Base):
    __tablename__ = "exam_rooms"
    __table_args__ = (
        UniqueConstraint("session_id", "name"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    capacity: Mapped[int]

    session: Mapped[ExamSession] = relationship(back_populates="rooms")
    invigilators: Mapped[list[Invigilation]] = relationship(
        back_populates="room", cascade="all, delete-orphan"
    )


class Invigilation(Base):
    __tablename__ = "invigilations"
    __table_args__ = (UniqueConstraint("room_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("exam_rooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    room: Mapped[ExamRoom] = relationship(back_populates="invigilators")
    user: Mapped[User] = relationship()


class Candidate(Base):
    """A trainee admitted to a session, with their admission number (准考证号) and seat."""

    __tablename__ = "exam_candidates"
    __table_args__ = (UniqueConstraint("session_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("exam_rooms.id", ondelete="SET NULL"))
    seat: Mapped[int | None]
    admission_number: Mapped[str] = mapped_column(String(20), unique=True)

    session: Mapped[ExamSession] = relationship()
    staff: Mapped[Staff] = relationship()
    room: Mapped[ExamRoom | None] = relationship()


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Attempt(Base):
    """A candidate's sitting of the paper. One per candidate: a unique constraint, so a second
    start (another tab, another device, a retried request) resumes the same attempt."""

    __tablename__ = "exam_attempts"
    __table_args__ = (
        UniqueConstraint("candidate_id"),
        CheckConstraint("deadline_at > started_at", name="deadline_after_start"),
        CheckConstraint(
            "(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("exam_candidates.id", ondelete="CASCADE"))
    #: Seed of the paper draw, kept so the draw can be reproduced and audited.
    seed: Mapped[int]
    started_at: Mapped[datetime | None]
    #: The server's deadline; the browser only displays the time left until it.
    deadline_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    auto_submitted: Mapped[bool] = mapped_column(default=False)
    status: Mapped[AttemptStatus] = mapped_column(
        str_enum(AttemptStatus, "attempt_status", 20), default=AttemptStatus.IN_PROGRESS
    )
    #: Objective score; short answers are added when marked. None until fully scored.
    score: Mapped[float | None] = mapped_column(Numeric(6, 2, asdecimal=False))
    passed: Mapped[bool | None]
    #: {work area: [earned, available]} once scored.
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The paper position the candidate last stood on: a reload or another device opens there.
    current_position: Mapped[int | None]

    candidate: Mapped[Candidate] = relationship()
    items: Mapped[list[PaperItem]] = relationship(
        back_populates="attempt", order_by="PaperItem.position", cascade="all, delete-orphan"
    )


class PaperItem(Base):
    """One question of a drawn paper, with the order its options are shown in."""

    __tablename__ = "paper_items"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        UniqueConstraint("attempt_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    #: The version drawn: what the candidate sees and is scored by. Only an audited regrade
    #: (lms.exams.regrade) moves it to a newer version.
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    #: Original option keys in display order: display "A" is option_order[0], and so on.
    option_order: Mapped[list[str]] = mapped_column(JSON, default=list)
    points: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False))

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()
    version: Mapped[QuestionVersion] = relationship()


class Response(Base):
    """A candidate's saved answer to one paper position, as shown (display letters)."""

    __tablename__ = "exam_responses"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    value: Mapped[Any] = mapped_column(JSON)
    #: The client's ordering number for this save; a save with a lower one is stale and ignored.
    seq: Mapped[int] = mapped_column(BigInteger)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Points awarded; None while waiting for an examiner (short answers).
    score: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime | None]
    marker_comment: Mapped[str] = mapped_column(Text, default="")
