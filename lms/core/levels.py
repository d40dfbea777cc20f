"""Skill levels of the occupation (digit → label), read from courses/catalog.yaml so that the
city corrects labels in one place."""

from __future__ import annotations

from functools import cache

import yaml
from flask import has_request_context

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
    """The official (Chinese) label: certificates, reports to the province, the API."""
    return level_labels().get(digit, str(digit))


#: The levels named in English for the English pages; the Chinese labels stay the official ones.
ENGLISH_LABELS = {
    5: "Level 5 / Junior worker",
    4: "Level 4 / Intermediate worker",
    3: "Level 3 / Senior worker",
    2: "Level 2 / Technician",
    1: "Level 1 / Senior technician",
}


def level_name(digit: int) -> str:
    """The level as the reader's language names it (the pages): official in Chinese."""
    if has_request_context():
        from flask_babel import get_locale

        locale = get_locale()
        if locale is not None and locale.language == "en":
            return ENGLISH_LABELS.get(digit, f"Level {digit}")
    return level_label(digit)
