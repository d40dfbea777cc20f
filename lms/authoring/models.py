"""Versions of content edited in the browser: each edit of a lesson is a draft, reviewed by a
second expert and published; every version stays, for the history, its diffs and rollback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.labels import LabelledEnum, labels
from lms.db import Base, TimestampMixin, str_enum


class VersionStatus(LabelledEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    #: A published version a later one replaced.
    SUPERSEDED = "superseded"
    #: A draft given up (a newer one was published from the same base).
    DISCARDED = "discarded"

    __labels__ = labels(
        {
            DRAFT: _l("Draft"),
            IN_REVIEW: _l("Waiting for review"),
            PUBLISHED: _l("Published"),
            SUPERSEDED: _l("Earlier version"),
            DISCARDED: _l("Discarded"),
        }
    )


#: A version still being worked on: at most one per piece of content.
OPEN = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


class ContentVersion(TimestampMixin, Base):
    __tablename__ = "content_versions"
    __table_args__ = (
        UniqueConstraint("kind", "key", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(
            "status NOT IN ('published', 'superseded') OR published_at IS NOT NULL",
            name="published_has_time",
        ),
        Index("ix_content_versions_kind_key_status", "kind", "key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What is edited ("lesson"); the content's own table holds the live text.
    kind: Mapped[str] = mapped_column(String(20))
    #: The content's stable key (a lesson's id in courses/): trainees' progress is keyed by the
    #: lesson row, which publishing updates in place, never by a version.
    key: Mapped[str] = mapped_column(String(120))
    number: Mapped[int]
    status: Mapped[VersionStatus] = mapped_column(
        str_enum(VersionStatus, "content_version_status", 20)
    )
    #: The editable fields (a lesson: title, hours, body).
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The version this one was started from (the live one, or an old one when rolling back).
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("content_versions.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Everyone who saved this version: none of them may review it.
    editors: Mapped[list[int]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    #: Optimistic lock: a save from a page showing an older state of the draft is refused with
    #: a diff, never written over the newer text (as the marking sheet does).
    lock_version: Mapped[int] = mapped_column(default=1)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    based_on: Mapped[ContentVersion | None] = relationship(remote_side=[id])

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 (SQLAlchemy reads it once)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN
