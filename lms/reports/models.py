"""A revision counter per kind of data, so computed figures know when they are stale, and the
log of what each revision of the rates' data changed."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base


class DataRevision(Base):
    """Bumped in the same transaction as any write to the tables a figure depends on."""

    __tablename__ = "data_revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)


class FigureChange(Base):
    """What one revision of the ``rates`` data changed: the counts of one institution, the list
    of institutions (names, districts, which are active), or everything. Every revision has at
    least one row, so a reader can tell a complete log from one already pruned."""

    __tablename__ = "figure_changes"
    __table_args__ = (
        Index("ix_figure_changes_revision", "revision"),
        CheckConstraint(
            "(what = 'institution') = (institution_id IS NOT NULL)",
            name="institution_named",
        ),
        CheckConstraint("what IN ('institution', 'places', 'all')", name="what_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int]
    what: Mapped[str] = mapped_column(String(12))
    # No foreign key: the log outlives a deleted institution.
    institution_id: Mapped[int | None]
