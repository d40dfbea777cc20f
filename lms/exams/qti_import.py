"""Adding parsed QTI items to the bank, item by item, with a report of what became of each.

An identifier already in the bank is never overwritten silently. It may be another import's
(``qti:<identifier>``) or a question from courses/ with that very key; what happens is the
importer's explicit choice (``on_conflict``):

- ``refuse`` (the default): the item is reported and nothing of it is written;
- ``rename``: the item becomes a new question under a free key (``qti:<identifier>~2`` …),
  reported with that key;
- ``update``: the importer's own earlier import of it gets a new version (papers keep theirs);
  anything else (another author's, a courses/ question, a retired one) is still refused.

Media the items show are stored once (lms/exams/media.py) and the question keeps their ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from lms.core import audit
from lms.db import db
from lms.exams import media as media_store
from lms.exams.models import Question

if TYPE_CHECKING:
    from lms.exams.qti import QtiItem

CONFLICT_CHOICES = ("refuse", "rename", "update")
KEY_LENGTH = 120

# What became of an item.
IMPORTED, RENAMED, UPDATED, UNCHANGED, REFUSED = (
    "imported",
    "renamed",
    "updated",
    "unchanged",
    "refused",
)


@dataclass
class ItemOutcome:
    identifier: str
    status: str
    #: The bank key it was stored under, or why it was refused.
    detail: str = ""
    source: str = ""


@dataclass
class ImportReport:
    created: int = 0
    #: Own questions whose text changed: each got a new version (papers keep theirs).
    updated: int = 0
    unchanged: int = 0
    #: (identifier, reason) of each item refused; nothing of it was written.
    refused: list[tuple[str, str]] = field(default_factory=list)
    #: Every item, in the file's order.
    items: list[ItemOutcome] = field(default_factory=list)

    def add(self, item: QtiItem, status: str, detail: str = "") -> None:
        self.items.append(ItemOutcome(item.identifier, status, detail, item.source))
        if status == REFUSED:
            self.refused.append((item.identifier, detail))


def import_items(
    items: list[QtiItem],
    *,
    level: int,
    work_area: str,
    difficulty: str,
    author: Any,
    on_conflict: str = "refuse",
) -> ImportReport:
    """Add the parsed items as ``author``'s questions; an identifier already in the bank is
    handled as ``on_conflict`` says (see the module's docstring), never overwritten otherwise."""
    if on_conflict not in CONFLICT_CHOICES:
        raise ValueError(on_conflict)
    report = ImportReport()
    seen: set[str] = set()
    for item in items:
        key = f"qti:{item.identifier}"[:KEY_LENGTH]
        if key in seen:
            report.add(item, REFUSED, str(_l("it appears twice in the file")))
            continue
        seen.add(key)
        values = {
            "type": item.type,
            "level": level,
            "work_area": work_area,
            "difficulty": difficulty,
            "stem": item.stem,
            "options": item.options,
            "answer_key": item.answer,
            "explanation": item.explanation,
            "fixed_options": item.fixed,
        }
        clash = _clash(item.identifier, key)
        if clash is None:
            _create(key, values, item, author)
            report.created += 1
            report.add(item, IMPORTED, key)
        elif on_conflict == "rename":
            new_key = _free_key(key) if clash.key == key else key
            _create(new_key, values, item, author)
            report.created += 1
            report.add(item, RENAMED, new_key)
        elif on_conflict == "update" and clash.key == key and not refusal(clash, author):
            values["media"] = _stored_media(item, author)
            if all(getattr(clash, name) == value for name, value in values.items()):
                report.unchanged += 1
                report.add(item, UNCHANGED, key)
            else:
                clash.edited_by_id = author.id
                for name, value in values.items():
                    setattr(clash, name, value)
                report.updated += 1
                report.add(item, UPDATED, key)
        else:
            report.add(item, REFUSED, _clash_reason(clash, author, on_conflict))
    db.session.flush()
    audit.record(
        "bank.qti_imported",
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        renamed=[o.detail for o in report.items if o.status == RENAMED],
        refused=[identifier for identifier, _ in report.refused],
    )
    return report


def _clash(identifier: str, key: str) -> Question | None:
    """The bank's question holding this identifier: an earlier import's, or a courses/
    question whose key is the identifier itself."""
    return db.session.scalar(
        select(Question)
        .where(or_(Question.key == key, Question.key == identifier[:KEY_LENGTH]))
        .order_by(Question.key != key)
        .limit(1)
    )


def _free_key(key: str) -> str:
    taken = set(db.session.scalars(select(Question.key).where(Question.key.like(f"{key[:110]}%"))))
    number = 2
    while f"{key[:110]}~{number}" in taken:
        number += 1
    return f"{key[:110]}~{number}"


def _create(key: str, values: dict[str, Any], item: QtiItem, author: Any) -> None:
    media = _stored_media(item, author)
    db.session.add(Question(key=key, source="qti", created_by_id=author.id, media=media, **values))


def _stored_media(item: QtiItem, author: Any) -> dict[str, list[dict[str, Any]]]:
    stored: dict[str, list[dict[str, Any]]] = {}
    for slot, files in item.media.items():
        for file in files:
            row = media_store.store(file.data, file.content_type, author)
            stored.setdefault(slot, []).append(
                {"id": row.id, "type": file.content_type, "alt": file.alt}
            )
    return stored


def _clash_reason(question: Question, author: Any, on_conflict: str) -> str:
    if question.source == "courses":
        where = _l("a question from courses/ (%(k)s)", k=question.key)
    elif question.source == "qti" and question.created_by_id == getattr(author, "id", None):
        where = _l("your earlier import (%(k)s)", k=question.key)
    else:
        where = _l("another author's question (%(k)s)", k=question.key)
    if on_conflict == "update":
        why = refusal(question, author) or str(_l("it is not an earlier import of this item"))
        return str(_l("the identifier is already in the bank as %(w)s: %(r)s", w=where, r=why))
    return str(
        _l(
            "the identifier is already in the bank as %(w)s; nothing was overwritten. Choose "
            "to import it under a new key, or to update your own earlier import",
            w=where,
        )
    )


def refusal(question: Question, author: Any) -> str:
    """Why ``author`` may not overwrite ``question`` by importing; empty when they may."""
    if question.retired_at is not None:
        return str(_l("the question with this identifier is retired; it is not brought back"))
    if question.source != "qti" or question.created_by_id != author.id:
        return str(_l("the question with this identifier belongs to another author"))
    return ""
