"""A revision counter per kind of data, so computed figures know when they are stale."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base


class DataRevision(Base):
    """Bumped in the same transaction as any write to the tables a figure depends on."""

    __tablename__ = "data_revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)
