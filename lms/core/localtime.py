"""Changzhi's wall clock: the one reading of the clock, and the time zone every date and time
typed or shown is in.

Two kinds of "now" and nothing else (ruff bans ``date.today()``, ``datetime.now()`` and their
kin everywhere but here, see pyproject.toml):

- ``utcnow()``: an aware UTC moment, what timestamps are stored as and compared with;
- ``today()``: the calendar day in Changzhi, what people mean by "today" (in post today, this
  year's plan, the dashboard's day) whatever the server's own time zone is.

Every time shown to a person, on a page or in a message, goes through ``format_local``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def _clock() -> datetime:
    """The system clock, read in this one place (tests freeze time by replacing it)."""
    return datetime.now(UTC)


def utcnow() -> datetime:
    """Now, as an aware UTC time: what is stored in timestamp columns."""
    return _clock()


def local_day(moment: datetime) -> date:
    """The calendar day in Changzhi at ``moment``."""
    return moment.astimezone(LOCAL_ZONE).date()


def today() -> date:
    """Today's date in Changzhi (not the server's time zone)."""
    return local_day(_clock())


def from_local(wall_time: datetime) -> datetime:
    """A naive wall-clock time typed in Changzhi (a form field), as an aware UTC time."""
    return wall_time.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """An aware time as naive Changzhi wall-clock time (to fill a form field)."""
    return moment.astimezone(LOCAL_ZONE).replace(tzinfo=None)


def format_local(moment: datetime | None, style: str = "medium") -> str:
    """A time as people read it, on every page (the ``datetime`` template filter) and in every
    message: Changzhi wall-clock time, in the reader's language (``style`` as Babel's: short,
    medium, long, or a pattern). Empty for no time."""
    if moment is None:
        return ""
    from flask import has_app_context

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(LOCAL_ZONE)
    if not has_app_context():  # a script without the app: the default language
        from babel.dates import format_datetime as babel_format

        return babel_format(moment, style, locale="zh_CN")
    from flask_babel import format_datetime

    return format_datetime(moment, style, rebase=False)
