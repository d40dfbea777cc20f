"""Practical skill assessment (技能考核): sessions, examiner panels, candidates with the tasks
drawn for them, examiners' marks, and the conflicts of interest examiners declare."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.labels import LabelledEnum, labels
from lms.db import Base, TimestampMixin, str_enum
from lms.org.models import Staff


class SkillSessionStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RESULTS_PUBLISHED = "results_published"

    __labels__ = labels(
        {
            DRAFT: _l("Draft"),
            PUBLISHED: _l("Published"),
            RESULTS_PUBLISHED: _l("Results published"),
        }
    )


class TaskStatus(LabelledEnum):
    MARKING = "marking"
    ARBITRATION = "arbitration"
    FINAL = "final"
    #: Replaced by a re-marking after an appeal; kept for the history.
    SUPERSEDED = "superseded"

    __labels__ = labels(
        {
            MARKING: _l("Being marked"),
            ARBITRATION: _l("Awaiting arbitration"),
            FINAL: _l("Final"),
            SUPERSEDED: _l("Superseded by re-marking"),
        }
    )


class SkillSession(TimestampMixin, Base):
    __tablename__ = "skill_sessions"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("tasks_per_candidate BETWEEN 4 AND 6", name="tasks_per_candidate_range"),
        CheckConstraint("slot_minutes > 0", name="slot_minutes_positive"),
        CheckConstraint("max_spread >= 0", name="max_spread_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    level: Mapped[int]
    starts_at: Mapped[datetime]
    slot_minutes: Mapped[int] = mapped_column(default=60)
    tasks_per_candidate: Mapped[int] = mapped_column(default=4)
    #: How the panel's marks combine into the task's mark; a key of ``rules.COMBINE_RULES``.
    combine_rule: Mapped[str] = mapped_column(String(20), default="mean")
    #: Marks further apart than this (points out of 100) need the chief examiner's arbitration.
    max_spread: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False), default=15)
    status: Mapped[SkillSessionStatus] = mapped_column(
        str_enum(SkillSessionStatus, "skill_session_status", 20),
        default=SkillSessionStatus.DRAFT,
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    panels: Mapped[list[Panel]] = relationship(
        back_populates="session", order_by="Panel.name", cascade="all, delete-orphan"
    )
    candidates: Mapped[list[SkillCandidate]] = relationship(
        back_populates="session",
        order_by="SkillCandidate.admission_number",
        cascade="all, delete-orphan",
    )


class Panel(Base):
    """An examiner panel (考评组) at one station; every member marks every candidate sent to it."""

    __tablename__ = "skill_panels"
    __table_args__ = (UniqueConstraint("session_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("skill_sessions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    chief_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    session: Mapped[SkillSession] = relationship(back_populates="panels")
    chief: Mapped[User] = relationship()
    members: Mapped[list[PanelMember]] = relationship(
        back_populates="panel", cascade="all, delete-orphan"
    )

    @property
    def examiners(self) -> list[User]:
        return [member.examiner for member in self.members]


class PanelMember(Base):
    __tablename__ = "skill_panel_members"
    __table_args__ = (UniqueConstraint("panel_id", "examiner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("skill_panels.id", ondelete="CASCADE"))
    examiner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    panel: Mapped[Panel] = relationship(back_populates="members")
    examiner: Mapped[User] = relationship()


class SkillCandidate(Base):
    __tablename__ = "skill_candidates"
    __table_args__ = (
        UniqueConstraint("session_id", "staff_id"),
        CheckConstraint("skills_score BETWEEN 0 AND 100", name="skills_score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("skill_sessions.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    #: 准考证号: examiners see the candidate by this number only (blind marking).
    admission_number: Mapped[str] = mapped_column(String(20), unique=True)
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("skill_panels.id", ondelete="SET NULL"))
    slot_at: Mapped[datetime | None]
    #: Weighted sum of the final task marks, once every task has one.
    skills_score: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    skills_passed: Mapped[bool | None]

    session: Mapped[SkillSession] = relationship(back_populates="candidates")
    staff: Mapped[Staff] = relationship()
    panel: Mapped[Panel | None] = relationship()
    tasks: Mapped[list[CandidateTask]] = relationship(
        back_populates="candidate",
        order_by="(CandidateTask.position, CandidateTask.round)",
        cascade="all, delete-orphan",
    )

    @property
    def current_tasks(self) -> list[CandidateTask]:
        return [task for task in self.tasks if task.status != TaskStatus.SUPERSEDED]


class CandidateTask(Base):
    """One task drawn for a candidate, with the rubric as it was when drawn; an appeal adds a
    new round marked by another panel and supersedes the old one."""

    __tablename__ = "skill_candidate_tasks"
    __table_args__ = (
        UniqueConstraint("candidate_id", "task_code", "round"),
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
        CheckConstraint("round >= 1", name="round_positive"),
        CheckConstraint("final_score BETWEEN 0 AND 100", name="final_score_range"),
        CheckConstraint("status != 'final' OR final_score IS NOT NULL", name="final_has_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("skill_candidates.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    task_code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    work_area: Mapped[str] = mapped_column(String(40))
    #: Share of the skills score (the candidate's weights sum to 100).
    weight: Mapped[int]
    #: {"criteria": [{key, text, points, minutes[, describe_only, real_minutes]}],
    #:  "critical_errors": [{key, text}], "card": {scenario, duration_minutes, materials}}
    rubric: Mapped[dict[str, Any]] = mapped_column(JSON)
    round: Mapped[int] = mapped_column(Integer, default=1)
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("skill_panels.id", ondelete="SET NULL"))
    status: Mapped[TaskStatus] = mapped_column(
        str_enum(TaskStatus, "skill_task_status", 20), default=TaskStatus.MARKING
    )
    final_score: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    arbitration_reason: Mapped[str] = mapped_column(Text, default="")
    arbitrated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appeal_reason: Mapped[str] = mapped_column(Text, default="")

    candidate: Mapped[SkillCandidate] = relationship(back_populates="tasks")
    panel: Mapped[Panel | None] = relationship()
    marks: Mapped[list[Mark]] = relationship(
        back_populates="task", order_by="Mark.id", cascade="all, delete-orphan"
    )

    @property
    def criteria(self) -> list[dict[str, Any]]:
        return list(self.rubric.get("criteria", []))

    @property
    def critical_errors(self) -> list[dict[str, Any]]:
        return list(self.rubric.get("critical_errors", []))

    @property
    def card(self) -> dict[str, Any]:
        """What the candidate is given: scenario, duration_minutes, materials (empty for tasks
        drawn before cards were kept)."""
        return dict(self.rubric.get("card", {}))

    @property
    def described_steps(self) -> list[dict[str, Any]]:
        """Steps the candidate describes and does not wait for (e.g. a contact time)."""
        return [item for item in self.criteria if item.get("describe_only")]


class Mark(Base):
    """One examiner's marking sheet for one candidate task."""

    __tablename__ = "skill_marks"
    __table_args__ = (
        UniqueConstraint("candidate_task_id", "examiner_id"),
        CheckConstraint("total BETWEEN 0 AND 100", name="total_range"),
        CheckConstraint("submitted_at IS NULL OR total IS NOT NULL", name="submitted_has_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_task_id: Mapped[int] = mapped_column(
        ForeignKey("skill_candidate_tasks.id", ondelete="CASCADE"), index=True
    )
    examiner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: criterion key -> points given
    points: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    #: keys of the critical errors observed (any one fails the task: total 0)
    critical: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    submitted_at: Mapped[datetime | None]
    #: Optimistic lock: a sheet saved from a stale page (another tab) is refused, not merged.
    version: Mapped[int] = mapped_column(default=1)

    task: Mapped[CandidateTask] = relationship(back_populates="marks")
    examiner: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class DeclaredRelation(Base):
    """An examiner's declared relation with a person (family, former colleague…), kept as the
    keyed hash of the ID number they typed: whoever holds that number, now or once registered,
    never reaches them for marking. Whether it names anybody is never told the examiner."""

    __tablename__ = "examiner_relations"
    __table_args__ = (UniqueConstraint("examiner_id", "id_number_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    examiner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The blind index of the ID number (lms.org.services.id_number_hash), as Staff holds it.
    id_number_hash: Mapped[str] = mapped_column(String(64))
    #: The typed ID number masked, to show the examiner what they declared.
    id_number_masked: Mapped[str] = mapped_column(String(18))
    note: Mapped[str] = mapped_column(String(200), default="")


class PracticalTask(TimestampMixin, Base):
    """A practical task of courses/ (loaded by ``lms courses sync``) with its rubric. Removed
    from the files, it is retired, never deleted; tasks already drawn keep the rubric they were
    drawn with (CandidateTask.rubric)."""

    __tablename__ = "practical_tasks"
    __table_args__ = (CheckConstraint("duration_minutes BETWEEN 1 AND 240", name="duration_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The certificate levels the task assesses, e.g. [4, 5].
    levels: Mapped[list[int]] = mapped_column(JSON)
    work_area: Mapped[str] = mapped_column(String(40))
    duration_minutes: Mapped[int]
    scenario: Mapped[str] = mapped_column(Text)
    materials: Mapped[list[str]] = mapped_column(JSON)
    #: {"criteria": [{key, text, points, minutes[, describe_only, real_minutes]}],
    #:  "critical_errors": [{key, text}]}
    rubric: Mapped[dict[str, Any]] = mapped_column(JSON)
    retired_at: Mapped[datetime | None]

    @property
    def home_level(self) -> int:
        """The most elementary level the task assesses (the course it belongs to)."""
        return max(self.levels)


class SkillPlan(TimestampMixin, Base):
    """A level's skill assessment plan (技能考核方案) from courses/blueprints.yaml: the weight of
    each work area in a candidate's tasks, and how many must be of the candidate's own level.
    Loaded by ``lms courses sync``; a plan removed from the files is retired."""

    __tablename__ = "skill_plans"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_digit"),
        CheckConstraint("own_level >= 0", name="own_level_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[int] = mapped_column(unique=True)
    #: work area -> percent of a candidate's tasks (adding up to 100)
    weights: Mapped[dict[str, int]] = mapped_column(JSON)
    own_level: Mapped[int] = mapped_column(default=1)
    retired_at: Mapped[datetime | None]
