"""Changzhi's wall clock: the time zone every date and time typed or shown is in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def local_day(moment: datetime) -> date:
    """The calendar day in Changzhi at ``moment``."""
    return moment.astimezone(LOCAL_ZONE).date()


def today() -> date:
    """Today's date in Changzhi (not the server's time zone)."""
    return local_day(datetime.now(UTC))


def from_local(wall_time: datetime) -> datetime:
    """A naive wall-clock time typed in Changzhi (a form field), as an aware UTC time."""
    return wall_time.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """An aware time as naive Changzhi wall-clock time (to fill a form field)."""
    return moment.astimezone(LOCAL_ZONE).replace(tzinfo=None)
