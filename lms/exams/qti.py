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

from lms.core import archives, audit
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
    """Read every item of an XML file or zip package; collect errors instead of stopping.

    A zip is checked before anything in it is parsed (see ``_package_files``): a package that
    would expand beyond the limits is refused whole, with the reason."""
    result = QtiResult()
    if content[:2] == b"PK" or filename.lower().endswith(".zip"):
        try:
            files = _package_files(filename, content)
        except UnsafePackage as refusal:
            result.errors.append(str(refusal))
            return result
        if not files:
            result.errors.append(str(_l("%(f)s: the package has no item files", f=filename)))
        for name, data in files:
            _parse_document(name, data, result)
    elif len(content) > MAX_ENTRY_BYTES:
        result.errors.append(str(_too_big(filename)))
    else:
        _parse_document(filename, content, result)
    return result


# Checking a package before it is opened ---------------------------------------------------------
# A 199 KB zip once expanded to 782 MB. Nothing in a package is trusted: the directory's sizes
# are checked first, then every file is read in chunks and reading stops past the limit, since
# the sizes a zip declares can lie.

#: QTI item files are a few KB; these leave room for long items and large packages.
MAX_ENTRIES = MAX_FILES
MAX_ENTRY_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 40 * 1024 * 1024
#: XML compresses about 10:1; a file of more than 64 KB compressed beyond this is a bomb.
MAX_RATIO = 100
RATIO_FLOOR = 64 * 1024
CHUNK = 64 * 1024


class UnsafePackage(Exception):
    """The package is refused whole; the message says why (in the user's language)."""


def _too_big(name: str) -> Any:
    return _l(
        "%(f)s: a file expands to more than %(mb)d MB; the package is refused",
        f=name,
        mb=MAX_ENTRY_BYTES // (1024 * 1024),
    )


LIMITS = archives.Limits(
    max_entries=MAX_ENTRIES,
    max_entry_bytes=MAX_ENTRY_BYTES,
    max_total_bytes=MAX_TOTAL_BYTES,
    max_ratio=MAX_RATIO,
    ratio_floor=RATIO_FLOOR,
    refuse_nested=True,
)


def _package_files(filename: str, content: bytes) -> list[tuple[str, bytes]]:
    """The item files of a zip package, each read within the limits; raises UnsafePackage."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UnsafePackage(_l("%(f)s: the zip file cannot be opened", f=filename)) from None
    try:
        entries = archives.checked_entries(archive, LIMITS)
    except archives.ArchiveRefused as refusal:
        raise UnsafePackage(_refusal_message(filename, refusal)) from None
    wanted = [
        info
        for info in entries
        if info.filename.lower().endswith(".xml")
        and not info.filename.lower().endswith("imsmanifest.xml")
    ]
    files = []
    read_total = 0
    for info in sorted(wanted, key=lambda i: i.filename):
        data = _read_within(archive, info, filename, MAX_TOTAL_BYTES - read_total)
        read_total += len(data)
        files.append((info.filename, data))
    return files


def _refusal_message(filename: str, refusal: archives.ArchiveRefused) -> Any:
    name = refusal.name
    if refusal.reason == archives.TOO_MANY_ENTRIES:
        return _l(
            "%(f)s: the package holds %(n)d files; at most %(max)d are accepted",
            f=filename,
            n=refusal.count,
            max=MAX_ENTRIES,
        )
    if refusal.reason == archives.UNSAFE_NAME:
        return _l("%(f)s: the file name %(n)s points outside the package", f=filename, n=name)
    if refusal.reason == archives.NESTED_ARCHIVE:
        return _l("%(f)s: archives inside the package are not accepted (%(n)s)", f=filename, n=name)
    if refusal.reason == archives.ENTRY_TOO_BIG:
        return _too_big(name)
    if refusal.reason == archives.TOO_COMPRESSED:
        return _l(
            "%(f)s: %(n)s is compressed more than %(r)d to 1, as a zip bomb is; "
            "the package is refused",
            f=filename,
            n=name,
            r=MAX_RATIO,
        )
    if refusal.reason == archives.TOTAL_TOO_BIG:
        return _total_too_big(filename)
    return _l("%(f)s: %(n)s cannot be read from the zip file", f=filename, n=name)


def _total_too_big(filename: str) -> Any:
    return _l(
        "%(f)s: the package expands to more than %(mb)d MB; it is refused",
        f=filename,
        mb=MAX_TOTAL_BYTES // (1024 * 1024),
    )


def _read_within(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, left: int
) -> bytes:
    """One file's bytes, read in chunks; stops as soon as it passes a limit, whatever the
    directory claimed."""
    try:
        return archives.read_capped(
            archive, info, MAX_ENTRY_BYTES, CHUNK, total_left=left, refuse_nested=True
        )
    except archives.ArchiveRefused as refusal:
        raise UnsafePackage(_refusal_message(filename, refusal)) from None


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


@dataclass
class ImportReport:
    created: int = 0
    #: Own questions whose text changed: each got a new version (papers keep theirs).
    updated: int = 0
    unchanged: int = 0
    #: (identifier, reason) of each item refused; nothing of it was written.
    refused: list[tuple[str, str]] = field(default_factory=list)


def import_items(
    items: list[QtiItem], *, level: int, work_area: str, difficulty: str, author: Any
) -> ImportReport:
    """Add the parsed items as ``author``'s questions. An identifier already in the bank is
    updated (as a new version) only if it is ``author``'s own imported question and in use;
    another author's or a retired question is refused and reported, never touched."""
    report = ImportReport()
    seen: set[str] = set()
    for item in items:
        key = f"qti:{item.identifier}"[:120]
        if key in seen:
            report.refused.append((item.identifier, str(_l("it appears twice in the file"))))
            continue
        seen.add(key)
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
        }
        if question is None:
            db.session.add(Question(key=key, source="qti", created_by_id=author.id, **values))
            report.created += 1
            continue
        reason = refusal(question, author)
        if reason:
            report.refused.append((item.identifier, reason))
        elif question.content() == values:
            report.unchanged += 1
        else:
            question.edited_by_id = author.id
            for name, value in values.items():
                setattr(question, name, value)
            report.updated += 1
    db.session.flush()
    audit.record(
        "bank.qti_imported",
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        refused=[identifier for identifier, _ in report.refused],
    )
    return report


def refusal(question: Question, author: Any) -> str:
    """Why ``author`` may not overwrite ``question`` by importing; empty when they may."""
    if question.retired_at is not None:
        return str(_l("the question with this identifier is retired; it is not brought back"))
    if question.source != "qti" or question.created_by_id != author.id:
        return str(_l("the question with this identifier belongs to another author"))
    return ""
