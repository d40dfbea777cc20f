"""A background job and its progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.labels import LabelledEnum, labels
from lms.db import Base, TimestampMixin, str_enum


class JobStatus(LabelledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"

    __labels__ = labels(
        {
            QUEUED: _l("Queued"),
            RUNNING: _l("Running"),
            FINISHED: _l("Finished"),
            FAILED: _l("Failed"),
        }
    )


class Job(TimestampMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # One queued or running job per kind: a second request joins the first instead.
        UniqueConstraint("kind", "active"),
        CheckConstraint("active IS NULL OR active = 1", name="active_true_or_null"),
        CheckConstraint(
            "(active IS NULL) = (status IN ('finished', 'failed'))", name="active_while_open"
        ),
        CheckConstraint("done >= 0 AND total >= 0", name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status", 10), default=JobStatus.QUEUED
    )
    #: 1 while queued or running, NULL afterwards (NULLs do not collide in the unique key).
    active: Mapped[int | None] = mapped_column(default=1)
    #: What the job is doing now, e.g. "issuing" or "rendering" (the kind's own words).
    stage: Mapped[str] = mapped_column(String(30), default="")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    #: The kind's summary when finished (counts, ids), shown on the job's page.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    #: Touched whenever work is done; a running job whose heartbeat stops was interrupted.
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: How many times the job was picked up again after an interruption.
    resumed: Mapped[int] = mapped_column(default=0)
