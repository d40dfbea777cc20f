"""The list of theory exam sessions an administrator runs: search, filters (status, the sittings
whose window is over and that wait to be closed, level, district) and sorting. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from lms.core.access import Scope
from lms.exams import queries
from lms.exams.models import ExamSession, SessionStatus

#: The list's sort orders (lms.core.pagination.sorted_by); each ends on the id.
ORDERS: dict[str, tuple[Any, ...]] = {
    "opens": (ExamSession.opens_at, ExamSession.id),
    "title": (ExamSession.title, ExamSession.id),
    "level": (ExamSession.level, ExamSession.opens_at, ExamSession.id),
    "status": (ExamSession.status, ExamSession.opens_at, ExamSession.id),
}
DEFAULT_ORDER = "-opens"
#: ``status=to_close``: published, the window over, not closed yet (what the homes count).
TO_CLOSE = "to_close"


@dataclass(frozen=True)
class Wanted:
    """What the list is narrowed to; empty: every session in the user's scope."""

    text: str = ""
    status: str = ""
    level: int | None = None
    district_id: int | None = None

    def any(self) -> bool:
        return bool(self.text or self.status or self.level or self.district_id)


def statuses() -> list[tuple[str, Any]]:
    """The status filter's choices: each status, and the sittings to close."""
    found: list[tuple[str, Any]] = [(status.value, status.label) for status in SessionStatus]
    return [*found[:2], (TO_CLOSE, _l("Window over, to close")), *found[2:]]


def matching(scope: Scope, wanted: Wanted, now: datetime) -> Select[Any]:
    """The sessions ``scope`` administers that ``wanted`` keeps (unsorted)."""
    statement = queries.sessions(scope)
    if wanted.text:
        statement = statement.where(ExamSession.title.contains(wanted.text, autoescape=True))
    if wanted.status == TO_CLOSE:
        statement = statement.where(
            ExamSession.status == SessionStatus.PUBLISHED, ExamSession.closes_at <= now
        )
    elif wanted.status in {status.value for status in SessionStatus}:
        statement = statement.where(ExamSession.status == wanted.status)
    if wanted.level:
        statement = statement.where(ExamSession.level == wanted.level)
    if wanted.district_id:
        statement = statement.where(ExamSession.district_id == wanted.district_id)
    return statement
