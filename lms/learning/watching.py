"""Honest credit for watching a lesson's video.

The player reports the parts of the video it actually played (intervals of video time) and
its playback rate every ``WATCH_REPORT_SECONDS`` and when the page is left. The server keeps,
per trainee and lesson, the union of what was played (merged intervals within the video's
duration) and credits only *new unique* seconds, and never more than the wall-clock time since
the enrolment's previous credited event (the study clock heartbeats share, on any lesson):

- skipping ahead plays nothing, so earns nothing; seeking back replays known seconds: nothing;
- two tabs report the same seconds (nothing twice) and share one clock (no double time);
- a report whose played seconds exceed the wall-clock time since the previous report times
  ``WATCH_MAX_RATE``, or made at a faster rate, is not credited (nor counted as covered);
- the daily cap holds (``study.credit`` is the one place study time is added).

The lesson counts as done when ``LESSON_VIDEO_MIN_FRACTION`` of the video is covered and the
reading rule of ``study.complete_lesson`` holds. Where the trainee stopped is kept to resume."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from lms.core.errors import DomainError
from lms.core.params import BadParameter
from lms.db import utcnow
from lms.learning import study
from lms.learning.models import Lesson, LessonProgress

#: Reports carry at most this many intervals (a player reporting every 15 s has one or two).
MAX_INTERVALS = 50
#: Seconds of slack for clocks and rounding between the player and the server.
SLACK = 1.0


@dataclass(frozen=True)
class WatchResult:
    credited: int
    new_seconds: float
    watched_seconds: float
    duration: float
    refused: str  # "", "rate" or "too_long"

    @property
    def percent(self) -> int:
        return int(100 * self.watched_seconds / self.duration) if self.duration else 0


def video_fraction() -> float:
    return float(current_app.config.get("LESSON_VIDEO_MIN_FRACTION", 0.9))


def merge(intervals: Iterable[Iterable[float]]) -> list[list[float]]:
    """Sorted, non-overlapping intervals covering the same seconds (touching ones joined)."""
    result: list[list[float]] = []
    for start, end in sorted((float(a), float(b)) for a, b in intervals):
        if end <= start:
            continue
        if result and start <= result[-1][1] + 0.05:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [[round(a, 2), round(b, 2)] for a, b in result]


def length(intervals: Iterable[Iterable[float]]) -> float:
    return sum(end - start for start, end in intervals)


def parse_played(raw: object, duration: float) -> list[list[float]]:
    """The reported intervals, clipped to the video; BadParameter for anything malformed."""
    if not isinstance(raw, list) or len(raw) > MAX_INTERVALS:
        raise BadParameter(_l("played: a list of [start, end] pairs"))
    played = []
    for pair in raw:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(x, int | float) and math.isfinite(x) for x in pair)
        ):
            raise BadParameter(_l("played: a list of [start, end] pairs"))
        start, end = max(0.0, float(pair[0])), min(duration, float(pair[1]))
        if end > start:
            played.append([start, end])
    return merge(played)


def report(
    enrolment_id: int,
    lesson: Lesson,
    played: list[list[float]],
    position: float,
    rate: float,
    now: datetime | None = None,
) -> WatchResult:
    """Record what the player says it played since its previous report; credit what is new."""
    duration = float((lesson.video or {}).get("duration") or 0)
    if not duration:
        raise DomainError(_l("This lesson has no video"))
    now, rules = now or utcnow(), study.StudyRules.from_config()
    enrolment = study.locked_enrolment(enrolment_id, lesson)
    progress = study.lesson_progress(enrolment, lesson)
    gap = study.clock_gap(enrolment, now, rules)
    max_rate = float(current_app.config.get("WATCH_MAX_RATE", 2.0))
    refused = ""
    if rate > max_rate + 0.01:
        refused, played = "rate", []
    elif length(played) > gap * max_rate + SLACK:
        refused, played = "too_long", []
    before = progress.video_intervals or []
    merged = merge([*before, *played])
    new = length(merged) - length(before)
    progress.video_intervals = merged
    progress.video_seconds = round(length(merged), 2)
    if math.isfinite(position):
        progress.video_position = round(min(max(position, 0.0), duration), 2)
    # Whole seconds played and not yet credited, within the wall-clock gap: what the clock
    # held back (request timing, a faster rate) stays owed for the next report.
    owed = math.floor(progress.video_seconds) - progress.video_credited
    credited = study.credit(enrolment, progress, min(owed, gap), now, rules)
    progress.video_credited += credited
    if owed > credited and gap > credited:
        # The clock bound the credit to whole seconds: its fraction stays on the clock.
        enrolment.last_study_at = now - timedelta(seconds=min(gap - credited, 1.0))
    return WatchResult(credited, round(new, 2), progress.video_seconds, duration, refused)


def check_video_covered(lesson: Lesson, progress: LessonProgress) -> None:
    """Refuse to mark the lesson done while too little of its video was played."""
    duration = float((lesson.video or {}).get("duration") or 0)
    if not duration or progress.video_seconds >= video_fraction() * duration - 0.5:
        return
    raise DomainError(
        _l(
            "Watch at least %(p)d%% of the lesson's video before marking it done (so far %(s)d%%)",
            p=round(100 * video_fraction()),
            s=int(100 * progress.video_seconds / duration),
        )
    )
