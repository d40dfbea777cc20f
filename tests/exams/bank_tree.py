"""Small question banks in a temporary courses/ tree, for the bank's depth and tells checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.learning.content_tree import add_skill_plan, write_tree


def single(key: str, options: list[str], answer: str = "A", **values: Any) -> dict[str, Any]:
    return {
        "id": key,
        "type": "single",
        "difficulty": "medium",
        "stem": f"关于婴幼儿照料的第{key}题，下列做法正确的是？",
        "options": dict(zip("ABCDEF", options, strict=False)),
        "answer": answer,
        "explanation": "依据托育机构保育指导大纲。",
        **values,
    }


def truefalse(key: str, answer: bool = True, difficulty: str = "medium", **values: Any) -> dict:
    return {
        "id": key,
        "type": "truefalse",
        "difficulty": difficulty,
        "stem": f"判断第{key}题所述做法是否正确：{key}号情形下应先洗手再接触婴儿。",
        "answer": answer,
        "explanation": "依据托育机构保育指导大纲。",
        **values,
    }


def bank_tree(
    root: Path, questions: list[dict[str, Any]], cells: list[dict[str, Any]], level: int = 5
) -> Path:
    """courses/ whose one course holds ``questions`` (level 5, daily care unless an item says
    otherwise) and whose one blueprint has ``cells`` (the points are made to add up to 100)."""
    write_tree(root)
    path = root / "test-l5" / "questions" / "daily.yaml"
    path.write_text(
        yaml.safe_dump(
            {"level": level, "work_area": "daily_care", "questions": questions},
            allow_unicode=True,
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    total = sum(cell["count"] for cell in cells)
    blueprint = {
        "key": "theory-test",
        "title": "测试试卷",
        "level": level,
        "cells": [{**cell, "points": 100 / total} for cell in cells],
    }
    (root / "blueprints.yaml").write_text(
        yaml.safe_dump({"blueprints": [blueprint]}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return add_skill_plan(root)
