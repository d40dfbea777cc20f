"""Skill levels of the occupation (digit → label), read from courses/catalog.yaml so that the
city corrects labels in one place."""

from __future__ import annotations

from functools import cache

import yaml

from lms.config import PROJECT_ROOT

#: Used when the catalog cannot be read (the 2021 standard's labels).
DEFAULT_LABELS = {
    5: "五级/初级工",
    4: "四级/中级工",
    3: "三级/高级工",
    2: "二级/技师",
    1: "一级/高级技师",
}


@cache
def level_labels() -> dict[int, str]:
    try:
        data = yaml.safe_load((PROJECT_ROOT / "courses" / "catalog.yaml").read_text("utf-8"))
        return {int(entry["digit"]): str(entry["label"]) for entry in data["levels"]}
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
        return dict(DEFAULT_LABELS)


def level_label(digit: int) -> str:
    return level_labels().get(digit, str(digit))
