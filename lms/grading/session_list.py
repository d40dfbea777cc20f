"""The list of skill assessment sessions: search, filters (status, level), sorting. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from lms.grading.models import SkillSession, SkillSessionStatus

#: The list's sort orders (lms.core.pagination.sorted_by); each ends on the id.
ORDERS: dict[str, tuple[Any, ...]] = {
    "starts": (SkillSession.starts_at, SkillSession.id),
    "title": (SkillSession.title, SkillSession.id),
    "level": (SkillSession.level, SkillSession.starts_at, SkillSession.id),
    "status": (SkillSession.status, SkillSession.starts_at, SkillSession.id),
}
DEFAULT_ORDER = "-starts"


@dataclass(frozen=True)
class Wanted:
    """What the list is narrowed to; empty: every session."""

    text: str = ""
    status: str = ""
    level: int | None = None

    def any(self) -> bool:
        return bool(self.text or self.status or self.level)


def matching(wanted: Wanted) -> Select[Any]:
    """The skill sessions ``wanted`` keeps (unsorted)."""
    statement = select(SkillSession)
    if wanted.text:
        statement = statement.where(SkillSession.title.contains(wanted.text, autoescape=True))
    if wanted.status in {status.value for status in SkillSessionStatus}:
        statement = statement.where(SkillSession.status == wanted.status)
    if wanted.level:
        statement = statement.where(SkillSession.level == wanted.level)
    return statement
