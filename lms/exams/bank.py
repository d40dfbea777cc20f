"""The question bank: loading questions and blueprints from courses/, writing questions in the
bank, retiring and restoring them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.content.specs import Content, QuestionSpec
from lms.content.sync import retire_unlisted
from lms.core import audit
from lms.core.errors import DomainError
from lms.db import db, utcnow
from lms.exams import question_types
from lms.exams.models import Blueprint, BlueprintCell, MultipleChoiceRule, Question


def load_questions(content: Content, report: Counter[str]) -> None:
    """Bring the bank's course questions in line with courses/; retire the removed ones.

    A changed question gets a new version (papers already drawn keep theirs). A retired
    question stays retired and unchanged even if courses/ lists it: only a city admin's
    restore in the bank brings it back."""
    existing = {
        question.key: question
        for question in db.session.scalars(select(Question).where(Question.source == "courses"))
    }
    listed = set()
    for spec in content.questions:
        listed.add(spec.key)
        values = question_values(spec)
        question = existing.get(spec.key)
        if question is None:
            db.session.add(Question(key=spec.key, source="courses", **values))
            report["question.created"] += 1
        elif question.retired_at is not None:
            report["question.kept_retired"] += 1
        elif any(getattr(question, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(question, name, value)
            report["question.updated"] += 1
        else:
            report["question.unchanged"] += 1
    retire_unlisted(existing, listed, report, "question")
    db.session.flush()


def question_values(spec: QuestionSpec) -> dict[str, Any]:
    """The bank's columns for a checked question of courses/: what sync writes, and what a
    version published in the browser and the export of the live bank compare with."""
    return {
        "type": spec.type,
        "level": spec.level,
        "work_area": spec.work_area,
        "difficulty": spec.difficulty,
        "stem": spec.stem,
        "options": spec.options,
        "answer_key": spec.answer,
        "explanation": spec.explanation,
        # `fixed: true`: the options keep the order they are written in (e.g. a last
        # option 以上都对, which shuffling would give away).
        "fixed_options": list(spec.options) if spec.raw.get("fixed") is True else [],
    }


def load_blueprints(content: Content, report: Counter[str]) -> None:
    """Blueprints from courses/blueprints.yaml replace their earlier version (by key)."""
    existing = {bp.key: bp for bp in db.session.scalars(select(Blueprint))}
    for spec in content.blueprints:
        blueprint = existing.get(spec.key)
        cells = [
            (c.question_type, c.work_area, c.difficulty, c.count, float(c.points))
            for c in spec.cells
        ]
        values = {
            "title": spec.title,
            "level": spec.level,
            "duration_minutes": spec.duration_minutes,
            "pass_score": spec.pass_score,
            "multiple_choice_rule": MultipleChoiceRule(spec.multiple_choice_rule),
            "source": "courses",
            "is_active": True,
        }
        if blueprint is None:
            blueprint = Blueprint(key=spec.key, **values)
            db.session.add(blueprint)
            report["blueprint.created"] += 1
        else:
            current = [
                (c.question_type, c.work_area, c.difficulty, c.count, float(c.points))
                for c in blueprint.cells
            ]
            if current == cells and all(getattr(blueprint, k) == v for k, v in values.items()):
                report["blueprint.unchanged"] += 1
                continue
            for name, value in values.items():
                setattr(blueprint, name, value)
            blueprint.cells.clear()
            db.session.flush()
            report["blueprint.updated"] += 1
        for position, (kind, area, difficulty, count, points) in enumerate(cells, start=1):
            blueprint.cells.append(
                BlueprintCell(
                    position=position,
                    question_type=kind,
                    work_area=area,
                    difficulty=difficulty,
                    count=count,
                    points=points,
                )
            )
    db.session.flush()


# Questions written in the bank -----------------------------------------------------------------


@dataclass
class QuestionData:
    type: str
    level: int
    work_area: str
    difficulty: str
    stem: str
    options_text: str
    answer_text: str
    explanation: str


def _spec_from(data: QuestionData) -> dict[str, Any]:
    kind = question_types.get(data.type)
    lines = [line.strip() for line in data.options_text.splitlines() if line.strip()]
    options = {question_types.OPTION_KEYS[i]: text for i, text in enumerate(lines[:6])}
    spec: dict[str, Any] = {"options": options if kind.has_options else None}
    spec["answer"] = kind.parse_answer_text(data.answer_text)
    problems = kind.validate(spec)
    if not data.stem.strip():
        problems.append(_l("stem is required"))
    if problems:
        raise DomainError("；".join(str(problem) for problem in problems))
    spec["answer"] = kind.answer_key(spec)
    return spec


def create_question(data: QuestionData, author: Any = None) -> Question:
    """Write a new question in the bank (any registered type); its version 1 is ``author``'s."""
    if data.type not in question_types.REGISTRY:
        raise DomainError(_l("Unknown question type"))
    spec = _spec_from(data)
    question = Question(
        key=f"bank:{utcnow():%Y%m%d%H%M%S%f}",
        type=data.type,
        level=data.level,
        work_area=data.work_area,
        difficulty=data.difficulty,
        stem=data.stem.strip(),
        options=spec["options"] or {},
        answer_key=spec["answer"],
        explanation=data.explanation.strip(),
        source="manual",
        created_by_id=getattr(author, "id", None),
    )
    db.session.add(question)
    db.session.flush()
    audit.record("bank.question_created", question, type=data.type)
    return question


def set_retired(question: Question, retired: bool) -> None:
    question.retired_at = utcnow() if retired else None
    audit.record("bank.question_retired" if retired else "bank.question_restored", question)
