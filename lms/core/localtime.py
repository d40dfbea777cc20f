"""Changzhi's wall clock: the one reading of the clock, and the time zone every date and time
typed or shown is in.

Two kinds of "now" and nothing else (ruff bans ``date.today()``, ``datetime.now()`` and their
kin everywhere but here, see pyproject.toml):

- ``utcnow()``: an aware UTC moment, what timestamps are stored as and compared with;
- ``today()``: the calendar day in Changzhi, what people mean by "today" (in post today, this
  year's plan, the dashboard's day) whatever the server's own time zone is.

Every time shown to a person, on a page or in a message, goes through ``format_local``; the
Changzhi day of a moment is ``local_day`` in Python and ``local_date_sql`` in SQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")

#: Changzhi's offset from UTC. Asia/Shanghai has kept UTC+8 without daylight saving since 1991,
#: so in SQL a fixed offset gives the same day as ``local_day`` for any time this system stores.
LOCAL_OFFSET_HOURS = 8
assert LOCAL_ZONE.utcoffset(datetime(2000, 1, 1)) == timedelta(hours=LOCAL_OFFSET_HOURS)


def _clock() -> datetime:
    """The system clock, read in this one place (tests freeze time by replacing it)."""
    return datetime.now(UTC)


def utcnow() -> datetime:
    """Now, as an aware UTC time: what is stored in timestamp columns."""
    return _clock()


def local_day(moment: datetime) -> date:
    """The calendar day in Changzhi at ``moment``."""
    return moment.astimezone(LOCAL_ZONE).date()


class local_date_sql(FunctionElement[date]):
    """SQL: the calendar day in Changzhi of a UTC timestamp (a column of ``UTCDateTime``, stored
    as naive UTC on every backend, or a value bound with that type): ``local_day`` in SQL."""

    type = Date()
    name = "local_date"
    inherit_cache = True


@compiles(local_date_sql)
def _local_date_default(element: local_date_sql, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(({moment}) + INTERVAL '{LOCAL_OFFSET_HOURS}' HOUR AS DATE)"


@compiles(local_date_sql, "postgresql")
def _local_date_postgresql(element: local_date_sql, compiler: SQLCompiler, **kw: Any) -> str:
    # timestamp WITHOUT time zone (naive UTC): adding the offset is exact; timezone() would
    # read the value as already local.
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(({moment}) + INTERVAL '{LOCAL_OFFSET_HOURS} hours' AS DATE)"


@compiles(local_date_sql, "sqlite")
def _local_date_sqlite(element: local_date_sql, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC text: date() with a modifier is the local day.
    moment = compiler.process(element.clauses, **kw)
    return f"date({moment}, '+{LOCAL_OFFSET_HOURS} hours')"


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
