"""Rate-limit counters shared by every process of a deployment.

Flask-Limiter counts in Redis when ``LMS_REDIS_URL`` is set; otherwise in the application's own
database (SQLite or PostgreSQL), never in a process's memory, where each gunicorn worker would
keep its own count and the limits would multiply by the number of workers.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base


class RateLimitCounter(Base):
    """One fixed-window counter: hits of ``key`` until ``expires_at``."""

    __tablename__ = "rate_limits"
    __table_args__ = (CheckConstraint("count >= 0", name="count_not_negative"),)

    #: The limit's key (limit, endpoint, client address or user); hashed when very long.
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: When the window ends, in seconds since the epoch (as the ``limits`` library counts time).
    expires_at: Mapped[float] = mapped_column(Float, index=True)
    count: Mapped[int]
