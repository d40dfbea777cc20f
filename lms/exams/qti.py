"""Import of IMS QTI 2.1 choice items (a single item XML, or a zip content package).

Supported: assessmentItem with one choiceInteraction — single answer (3–6 choices), multiple
answers (3–6 choices, at least two correct), or two choices meaning true/false (正确/错误, 对/错,
true/false). Everything else is reported item by item and nothing is imported.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.core import audit
from lms.db import db
from lms.exams import question_types
from lms.exams.models import Question

TRUE_WORDS = {"true", "正确", "对", "是", "√"}
FALSE_WORDS = {"false", "错误", "错", "否", "×"}
MAX_FILES = 2000


@dataclass
class QtiItem:
    identifier: str
    type: str
    stem: str
    options: dict[str, str]
    answer: Any
    explanation: str = ""


@dataclass
class QtiResult:
    items: list[QtiItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element.iter() if _local(child.tag) == name]


def _text(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def parse(filename: str, content: bytes) -> QtiResult:
    """Read every item of an XML file or zip package; collect errors instead of stopping."""
    result = QtiResult()
    if content[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
        except zipfile.BadZipFile:
            result.errors.append(str(_l("%(f)s: the zip file cannot be opened", f=filename)))
            return result
        names = [
            n
            for n in archive.namelist()
            if n.lower().endswith(".xml") and not n.lower().endswith("imsmanifest.xml")
        ][:MAX_FILES]
        if not names:
            result.errors.append(str(_l("%(f)s: the package has no item files", f=filename)))
        for name in sorted(names):
            _parse_document(name, archive.read(name), result)
    else:
        _parse_document(filename, content, result)
    return result


def _parse_document(name: str, content: bytes, result: QtiResult) -> None:
    try:
        root = ElementTree.fromstring(content, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        result.errors.append(str(_l("%(f)s: not a readable XML file (%(e)s)", f=name, e=error)))
        return
    if _local(root.tag) == "assessmentTest":
        result.errors.append(
            str(_l("%(f)s: assessment tests are not supported; import the item files", f=name))
        )
        return
    if _local(root.tag) != "assessmentItem":
        result.errors.append(str(_l("%(f)s: not a QTI assessmentItem", f=name)))
        return
    identifier = root.get("identifier") or name
    label = f"{name} ({identifier})"
    try:
        result.items.append(_parse_item(identifier, root))
    except ValueError as error:
        result.errors.append(f"{label}: {error}")


def _parse_item(identifier: str, root: Element) -> QtiItem:
    interactions = [el for el in root.iter() if _local(el.tag).endswith("Interaction")]
    if len(interactions) != 1:
        raise ValueError(
            _l("exactly one interaction is supported, found %(n)d", n=len(interactions))
        )
    interaction = interactions[0]
    if _local(interaction.tag) != "choiceInteraction":
        raise ValueError(
            _l(
                "%(kind)s is not supported; only choiceInteraction items",
                kind=_local(interaction.tag),
            )
        )
    response_id = interaction.get("responseIdentifier")
    declarations = [
        d for d in _children(root, "responseDeclaration") if d.get("identifier") == response_id
    ]
    if not declarations:
        raise ValueError(_l("no responseDeclaration for %(r)s", r=response_id))
    declaration = declarations[0]
    correct = [_text(v) for v in _children(declaration, "value")]
    choices = [(c.get("identifier"), _text(c)) for c in _children(interaction, "simpleChoice")]
    prompts = _children(interaction, "prompt")
    stem = _text(prompts[0]) if prompts else _stem_outside(root, interaction)
    if not stem:
        raise ValueError(_l("the item has no question text"))
    if not correct:
        raise ValueError(_l("the item has no correct response"))
    feedback = _children(root, "modalFeedback")
    explanation = _text(feedback[0]) if feedback else ""
    letters = {
        choice_id: question_types.OPTION_KEYS[i] for i, (choice_id, _) in enumerate(choices[:6])
    }
    cardinality = declaration.get("cardinality", "single")
    if len(choices) == 2 and cardinality == "single":
        return _true_false(identifier, stem, choices, correct, explanation)
    if not 3 <= len(choices) <= 6:
        raise ValueError(_l("%(n)d choices; 3 to 6 are supported", n=len(choices)))
    options = {letters[choice_id]: text for choice_id, text in choices}
    if any(value not in letters for value in correct):
        raise ValueError(_l("the correct response names a choice that does not exist"))
    if cardinality == "single":
        if len(correct) != 1:
            raise ValueError(_l("a single-answer item needs exactly one correct choice"))
        return QtiItem(identifier, "single", stem, options, letters[correct[0]], explanation)
    if cardinality == "multiple":
        if len(correct) < 2:
            raise ValueError(_l("a multiple-answer item needs at least two correct choices"))
        answer = sorted(letters[value] for value in correct)
        return QtiItem(identifier, "multiple", stem, options, answer, explanation)
    raise ValueError(_l("cardinality %(c)s is not supported", c=cardinality))


def _stem_outside(root: Element, interaction: Element) -> str:
    bodies = _children(root, "itemBody")
    if not bodies:
        return ""
    inner = set(interaction.iter())
    return " ".join(
        " ".join((el.text or "").split())
        for el in bodies[0].iter()
        if el not in inner and (el.text or "").strip()
    )


def _true_false(
    identifier: str, stem: str, choices: list[tuple[Any, str]], correct: list[str], explanation: str
) -> QtiItem:
    words = {choice_id: text.strip().lower() for choice_id, text in choices}
    if not (set(words.values()) & TRUE_WORDS and set(words.values()) & FALSE_WORDS):
        raise ValueError(_l("2 choices; 3 to 6 are supported (or a true/false pair)"))
    answer = words.get(correct[0], "") in TRUE_WORDS
    return QtiItem(identifier, "truefalse", stem, {}, answer, explanation)


def import_items(
    items: list[QtiItem], *, level: int, work_area: str, difficulty: str
) -> tuple[int, int]:
    """Add (or update, by identifier) the parsed items; return (created, updated)."""
    created = updated = 0
    for item in items:
        key = f"qti:{item.identifier}"[:120]
        question = db.session.scalar(select(Question).where(Question.key == key))
        values = {
            "type": item.type,
            "level": level,
            "work_area": work_area,
            "difficulty": difficulty,
            "stem": item.stem,
            "options": item.options,
            "answer_key": item.answer,
            "explanation": item.explanation,
            "retired_at": None,
        }
        if question is None:
            db.session.add(Question(key=key, source="qti", **values))
            created += 1
        else:
            for name, value in values.items():
                setattr(question, name, value)
            updated += 1
    db.session.flush()
    audit.record("bank.qti_imported", created=created, updated=updated)
    return created, updated
