"""Theory questions as authored content. A draft is checked as ``lms courses check`` checks a
question file (its item written as the file writes it, read back by lms.content, then by its
type in the registry) and by the tells that one item can show. Publishing updates the bank's
row, which adds a question version (lms.exams.question_models): papers already drawn point at
the version they drew and keep showing and scoring it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.authoring import files
from lms.authoring.base import NEW_PREFIX, Authored, Problem
from lms.content.items import questions_of
from lms.content.reader import KEY
from lms.content.specs import CourseSpec, QuestionSpec
from lms.content.sync import apply_values
from lms.content.yaml_lines import LineDict
from lms.core.access import get_visible
from lms.db import db
from lms.exams import question_types, tells
from lms.exams.bank import question_values
from lms.exams.content import checked_questions
from lms.exams.question_models import Question
from lms.learning.practice_models import PracticeQuestion

#: The fields of a question's file item, in the order the files write them.
FIELDS = (
    ("type", _l("Type")),
    ("level", _l("Level")),
    ("work_area", _l("Work area")),
    ("difficulty", _l("Difficulty")),
    ("stem", _l("Stem")),
    ("options", _l("Options")),
    ("answer", _l("Answer key")),
    ("fixed", _l("Keep the options in the written order")),
    ("explanation", _l("Explanation")),
)
_NUMBERED = re.compile(r"^([a-z0-9][a-z0-9-]*?)-(\d+)$")


def item_lines(
    document: dict[str, Any], key: str, defaults: dict[str, Any] | None = None
) -> files.Writer:
    """The question as an item of a question file (``- id: …``); a level or work area equal
    to the file's ``defaults`` is left to the file, as the files do."""
    out = files.Writer()
    labels = dict(FIELDS)
    out.add(f"- id: {files.scalar(key)}", _l("Question"))
    for name in ("type", "level", "work_area", "difficulty", "stem"):
        if defaults is not None and name in defaults and defaults[name] == document[name]:
            continue
        out.add(f"  {name}: {files.scalar(document[name])}", labels[name])
    options = document.get("options") or {}
    if options:
        out.add("  options:", labels["options"])
        for letter, text in options.items():
            out.add(
                f"    {files.scalar(str(letter))}: {files.scalar(text)}",
                _l("Option %(k)s", k=letter),
            )
    out.add(f"  answer: {files.scalar(document['answer'])}", labels["answer"])
    if options and list(document.get("fixed_options") or []) == list(options):
        out.add("  fixed: true", labels["fixed"])
    out.add(f"  explanation: {files.scalar(document['explanation'])}", labels["explanation"])
    return out


def checked(document: dict[str, Any], key: str) -> tuple[QuestionSpec | None, list[Problem]]:
    """The question read back from its file form and checked by its type, or the problems
    (each with the field it is in)."""
    draft_key = key if KEY.match(key) else "draft"
    out = files.Writer()
    out.add("questions:", _l("Question"))
    item = item_lines(document, draft_key)
    for number, line in enumerate(item.lines, start=1):
        out.add(line, item.where[number])
    path = files.ROOT / "draft" / "questions" / "draft.yaml"
    reader = files.TextReader({path.as_posix(): out.text})
    data = reader.load_yaml(path)
    read: list[QuestionSpec] = []
    if isinstance(data, LineDict):
        course = CourseSpec("draft", "", int(document.get("level") or 0), "", 1.0, True)
        read = questions_of(reader, files.catalog(), Path(path), data, course)
    # The tells look at the text as written, whether or not its type accepts its answer.
    found_tells = _tells(read[0], key) if read else []
    specs = checked_questions(reader, read)
    found: list[Problem] = [
        (str(out.label(p.line, _l("Question"))), p.message) for p in reader.problems
    ]
    found += found_tells + _media_problems(document)
    if found or not specs:
        return None, found or [(str(_l("Question")), str(_l("The question cannot be read")))]
    return specs[0], []


def _media_problems(document: dict[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    options = document.get("options") or {}
    if any(letter not in options for letter in document.get("fixed_options") or []):
        found.append((str(_l("Options")), str(_l("a fixed option is not among the options"))))
    for place, entries in (document.get("media") or {}).items():
        if place != "stem" and place not in options:
            found.append(
                (str(_l("Pictures")), str(_l("a picture belongs to option %(k)s", k=place)))
            )
        for entry in entries:
            if not str(entry.get("alt", "")).strip():
                found.append(
                    (str(_l("Pictures")), str(_l("every picture needs its alternative text")))
                )
    return found


def _tells(spec: QuestionSpec, key: str) -> list[Problem]:
    """The tells lms.exams.tells finds in one item: uneven options, a catch-all option, a stem
    (almost) the same as another live question's."""
    found: list[Problem] = []
    where = str(_l("Options"))
    if spec.type in ("single", "multiple"):
        if tells.uneven_lengths(spec):
            found.append(
                (
                    where,
                    str(
                        _l(
                            "the longest option is more than %(f)s× as long as the shortest; "
                            "make the options of comparable length",
                            f=tells.MAX_LENGTH_FACTOR,
                        )
                    ),
                )
            )
        if tells.has_catch_all(spec):
            found.append(
                (
                    where,
                    str(
                        _l(
                            "a catch-all option (以上都对, 都不对…) gives itself away once the "
                            "options are shuffled; reword it, or keep the options in the "
                            "written order"
                        )
                    ),
                )
            )
    text = re.sub(r"\s+", "", spec.stem)
    others = db.session.execute(
        select(Question.key, Question.level, Question.stem).where(
            Question.retired_at.is_(None), Question.key != key
        )
    )
    for other_key, level, stem in others:
        same = re.sub(r"\s+", "", stem) == text
        score = 1.0 if same else tells.similarity(spec.stem, stem) if level == spec.level else 0
        if same or score >= tells.DUPLICATE_SIMILARITY:
            found.append(
                (
                    str(_l("Stem")),
                    str(
                        _l(
                            "the stem is almost the same as question %(k)s's (similarity "
                            "%(s)s): one would answer the other",
                            k=other_key,
                            s=f"{score:.2f}",
                        )
                    ),
                )
            )
            break
    return found


def fresh_key(level: int, work_area: str) -> str:
    """A new question's id, numbered after its level's and work area's (``l5-dc-031``)."""
    keys = list(
        db.session.scalars(
            select(Question.key).where(Question.level == level, Question.work_area == work_area)
        )
    )
    numbered = [m for m in map(_NUMBERED.match, keys) if m]
    prefix = (
        Counter(m.group(1) for m in numbered).most_common(1)[0][0]
        if numbered
        else f"l{level}-{work_area.replace('_', '-')}"
    )
    number = max((int(m.group(2)) for m in numbered if m.group(1) == prefix), default=0) + 1
    taken = set(db.session.scalars(select(Question.key).where(Question.key.like(f"{prefix}-%"))))
    taken |= set(
        db.session.scalars(
            select(PracticeQuestion.key).where(PracticeQuestion.key.like(f"{prefix}-%"))
        )
    )
    while f"{prefix}-{number:03d}" in taken:
        number += 1
    return f"{prefix}-{number:03d}"


class QuestionKind(Authored):
    name = "question"
    plural = "questions"
    label = _l("Question")
    model = Question
    may_create = True

    def find(self, key: str) -> Question | None:
        return db.session.scalar(select(Question).where(Question.key == key))

    def visible(self, item_id: int) -> Question:
        return get_visible(Question, item_id, lambda question: question.retired_at is None)

    def document(self, row: Question) -> dict[str, Any]:
        return {
            "type": row.type,
            "level": row.level,
            "work_area": row.work_area,
            "difficulty": row.difficulty,
            "stem": row.stem,
            "options": dict(row.options or {}),
            "answer": row.answer_key,
            "explanation": row.explanation,
            "fixed_options": list(row.fixed_options or []),
            "media": dict(row.media or {}),
        }

    def blank(self) -> dict[str, Any]:
        return {
            "type": "single",
            "level": 5,
            "work_area": "",
            "difficulty": "medium",
            "stem": "",
            "options": {},
            "answer": "",
            "explanation": "",
            "fixed_options": [],
            "media": {},
        }

    def text(self, document: dict[str, Any]) -> str:
        lines = item_lines(document, "…").lines[1:]
        for place, entries in (document.get("media") or {}).items():
            for entry in entries:
                lines.append(f"  # {place}: [{entry.get('type', '')}] {entry.get('alt', '')}")
        return "\n".join(lines)

    def title(self, document: dict[str, Any]) -> str:
        stem = " ".join(str(document.get("stem") or "").split())
        return stem if len(stem) <= 40 else stem[:39] + "…"

    def problems(self, document: dict[str, Any], key: str, row: Question | None) -> list[Problem]:
        if document.get("type") not in question_types.REGISTRY:
            return [(str(_l("Type")), str(_l("Unknown question type")))]
        return checked(document, key)[1]

    def apply(
        self, document: dict[str, Any], key: str, row: Question | None, author: Any
    ) -> Question:
        spec, found = checked(document, key)
        assert spec is not None, found  # publishing refuses a document with problems first
        values = {
            **question_values(spec),
            "fixed_options": list(document.get("fixed_options") or []),
            "media": dict(document.get("media") or {}),
        }
        if row is None:
            row = Question(
                key=fresh_key(spec.level, spec.work_area) if key.startswith(NEW_PREFIX) else key,
                source="courses",
                created_by_id=getattr(author, "id", None),
                **values,
            )
            db.session.add(row)
        else:
            # The version this makes is the draft's author's (papers cite it).
            row.edited_by_id = getattr(author, "id", None)
            apply_values(row, values)
        db.session.flush()
        return row
