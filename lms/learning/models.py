"""Courses and lessons (loaded from courses/), the yearly free-training plan with district quotas,
cohorts, enrolments, study time and attendance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.labels import LabelledEnum, labels
from lms.db import Base, TimestampMixin, str_enum, utcnow
from lms.org.models import District, Staff


class Course(TimestampMixin, Base):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key from courses/<code>/course.yaml.
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Skill level digit (5 = 五级/初级工 … 1 = 一级/高级技师).
    level: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    min_hours: Mapped[float] = mapped_column(Numeric(6, 2, asdecimal=False))
    require_all_lessons: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position"
    )
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position"
    )

    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level_digit"),)

    @property
    def active_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.retired_at is None]


class Module(Base):
    __tablename__ = "course_modules"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    work_area: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    retired_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship(back_populates="modules")


class Lesson(TimestampMixin, Base):
    __tablename__ = "lessons"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key from the lesson's front matter; progress stays attached to it.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id"))
    title: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Numeric(4, 2, asdecimal=False))
    position: Mapped[int]
    care_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    body_markdown: Mapped[str] = mapped_column(Text)
    #: Rendered from the Markdown at sync time and passed through the HTML allow-list.
    body_html: Mapped[str] = mapped_column(Text)
    #: Set when the lesson disappears from courses/; learners' history stays.
    retired_at: Mapped[datetime | None]
    #: The lesson's video: media ids of the original ("media"), captions and poster, its
    #: title and duration in seconds; {} for a lesson without video.
    video: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    course: Mapped[Course] = relationship(back_populates="lessons")
    module: Mapped[Module] = relationship()


class LessonMedia(Base):
    """A media file a lesson shows (picture, video, captions, poster): who may fetch a file is
    decided through these links (lms.learning.media_access)."""

    __tablename__ = "lesson_media"
    __table_args__ = (UniqueConstraint("lesson_id", "media_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), index=True)
    #: The path the lesson writes (``media/x.svg``).
    path: Mapped[str] = mapped_column(String(200))


class TrainingPlan(TimestampMixin, Base):
    """The free-training programme of one year and its total quota of places."""

    __tablename__ = "training_plans"
    __table_args__ = (CheckConstraint("total_quota >= 0", name="quota_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(200))
    total_quota: Mapped[int]

    district_quotas: Mapped[list[DistrictQuota]] = relationship(back_populates="plan")


class DistrictQuota(Base):
    """A district's share of a plan's places; ``used`` can never pass ``quota`` (a constraint)."""

    __tablename__ = "district_quotas"
    __table_args__ = (
        UniqueConstraint("plan_id", "district_id"),
        CheckConstraint("used >= 0 AND used <= quota", name="within_quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plans.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    quota: Mapped[int]
    used: Mapped[int] = mapped_column(default=0)

    plan: Mapped[TrainingPlan] = relationship(back_populates="district_quotas")
    district: Mapped[District] = relationship()


class CohortMode(LabelledEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    MIXED = "mixed"

    __labels__ = labels({ONLINE: _l("Online"), IN_PERSON: _l("In person"), MIXED: _l("Mixed")})


class Cohort(TimestampMixin, Base):
    """A training class (培训班次) of one course within a plan."""

    __tablename__ = "cohorts"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("enrolled >= 0 AND enrolled <= capacity", name="within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plans.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    #: A district cohort takes only that district's staff; None: open to the whole city.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[CohortMode] = mapped_column(str_enum(CohortMode, "cohort_mode", 20))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    venue: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int]
    enrolled: Mapped[int] = mapped_column(default=0)
    is_open: Mapped[bool] = mapped_column(default=True)

    plan: Mapped[TrainingPlan] = relationship()
    course: Mapped[Course] = relationship()
    district: Mapped[District | None] = relationship()
    sessions: Mapped[list[ClassSession]] = relationship(
        back_populates="cohort", order_by="ClassSession.starts_at"
    )


class EnrolmentStatus(LabelledEnum):
    NOMINATED = "nominated"
    ENROLLED = "enrolled"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"

    __labels__ = labels(
        {
            NOMINATED: _l("Nominated"),
            ENROLLED: _l("Enrolled"),
            REJECTED: _l("Not approved"),
            WITHDRAWN: _l("Withdrawn"),
            COMPLETED: _l("Completed"),
        }
    )


#: Statuses that hold a quota place.
HOLDS_PLACE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)


class Enrolment(TimestampMixin, Base):
    """A person's nomination to a cohort, its approval, and their progress through it."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("cohort_id", "staff_id"),
        CheckConstraint(
            "(status = 'completed') = (completed_at IS NOT NULL)", name="completed_has_time"
        ),
        CheckConstraint("study_seconds >= 0", name="study_seconds_not_negative"),
        Index("ix_enrolments_staff_status", "staff_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[EnrolmentStatus] = mapped_column(
        str_enum(EnrolmentStatus, "enrolment_status", 20), default=EnrolmentStatus.NOMINATED
    )
    #: The district whose quota the place was charged to (the staff's district at approval).
    quota_id: Mapped[int | None] = mapped_column(ForeignKey("district_quotas.id"))
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    nominated_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(String(200), default="")
    #: Server-credited study time across all lessons (see learning.study).
    study_seconds: Mapped[int] = mapped_column(default=0)
    #: Last credited heartbeat, for every lesson of this enrolment at once: two open tabs
    #: cannot earn double time.
    last_study_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    cohort: Mapped[Cohort] = relationship()
    staff: Mapped[Staff] = relationship()
    progress: Mapped[list[LessonProgress]] = relationship(back_populates="enrolment")


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "lesson_id"),
        CheckConstraint("seconds >= 0", name="seconds_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    seconds: Mapped[int] = mapped_column(default=0)
    first_opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    #: The parts of the lesson's video played so far: merged [start, end] seconds, sorted,
    #: within the video's duration (lms.learning.watching).
    video_intervals: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    #: Their total length (unique seconds watched) and where the trainee stopped.
    video_seconds: Mapped[float] = mapped_column(Float, default=0)
    video_position: Mapped[float] = mapped_column(Float, default=0)
    #: Whole seconds of study time credited for playing the video (at most ``video_seconds``);
    #: what was played but not yet credited (the clock bound it) is owed to the next report.
    video_credited: Mapped[int] = mapped_column(default=0)

    enrolment: Mapped[Enrolment] = relationship(back_populates="progress")
    lesson: Mapped[Lesson] = relationship()


class StudyDay(Base):
    """Seconds credited per enrolment and local day, to enforce the daily cap."""

    __tablename__ = "study_days"
    __table_args__ = (UniqueConstraint("enrolment_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    day: Mapped[date]
    seconds: Mapped[int] = mapped_column(default=0)


class ClassSession(Base):
    """An in-person class meeting; trainees check in with its code or QR during the window."""

    __tablename__ = "class_sessions"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="times_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: Six digits shown by the trainer; unique so that a QR code names exactly one session.
    check_in_code: Mapped[str] = mapped_column(String(12), unique=True)

    cohort: Mapped[Cohort] = relationship(back_populates="sessions")

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_sessions.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: "code", "qr" or "manual" (recorded by the trainer).
    method: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[ClassSession] = relationship()
    enrolment: Mapped[Enrolment] = relationship()
