"""Registries for the parts of skill marking that vary: how a panel's marks combine, and how
a marking sheet turns into a task mark (the rubric)."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

#: key -> (label, function of the panel's totals)
COMBINE_RULES: dict[str, tuple[Any, Callable[[list[float]], float]]] = {
    "mean": (_l("Mean of the panel's marks"), statistics.fmean),
    "median": (_l("Median of the panel's marks"), statistics.median),
    "trimmed_mean": (
        _l("Mean without the highest and lowest mark (panels of 5 or more)"),
        lambda marks: statistics.fmean(sorted(marks)[1:-1] if len(marks) >= 5 else marks),
    ),
}


def combine(rule: str, totals: list[float]) -> float:
    return round(float(COMBINE_RULES[rule][1](totals)), 2)


def sheet_total(
    criteria: list[dict[str, Any]], points: dict[str, float], critical: list[str]
) -> float:
    """A checklist rubric: the points given per criterion; any critical error fails the task."""
    if critical:
        return 0.0
    return round(sum(float(points.get(item["key"], 0)) for item in criteria), 2)


def equal_weights(count: int) -> list[int]:
    """Whole-number weights summing to 100, as equal as they can be (6 tasks: 17,17,17,17,16,16)."""
    base, extra = divmod(100, count)
    return [base + 1 if index < extra else base for index in range(count)]
