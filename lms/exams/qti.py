"""Reading IMS QTI 2.1 items (a single item XML, or a zip content package) so that nothing is
imported wrongly in silence: an item is taken whole, or refused with the reason.

Taken: an assessmentItem with one choiceInteraction — one answer (3–6 choices), several answers
(3–6 choices, at least two correct), or two choices meaning true/false (正确/错误, 对/错,
true/false, correct/incorrect…). The stem is everything the candidate reads: the text of the
item body around the interaction (a reading passage, an instruction) and the prompt. Pictures,
sounds and videos in the stem or an option (img, object, audio, video) come with it when they
are in the package and are files the bank can show (lms/exams/media.py); options marked
fixed="true", or every option of an interaction with shuffle="false", keep their place on
every paper; modalFeedback and feedbackInline become the explanation, each labelled with the
option it answers.

Refused, naming the reason: adaptive items; template items (templateDeclaration,
templateProcessing, printedVariable); any other interaction (textEntry, extendedText, order,
match, associate, hotspot, gapMatch, graphic…, slider, upload, drawing, media, custom…);
anything the bank cannot show faithfully (MathML, tables, feedback blocks, HTML or other
objects, media missing from the package or pointing outside it, SVG pictures)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from flask_babel import lazy_gettext as _l

from lms.exams import question_types
from lms.exams.qti_body import (
    Collected,
    Files,
    QtiMedia,
    Refused,
    _children,
    _local,
    _text,
)
from lms.exams.qti_body import feedback as feedback_of
from lms.exams.qti_body import stem as stem_of
from lms.exams.qti_import import ImportReport, import_items, refusal
from lms.exams.qti_package import (
    CHUNK,
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_FILES,
    MAX_TOTAL_BYTES,
    UnsafePackage,
    _read_within,
    read_upload,
)

__all__ = [
    "CHUNK",
    "MAX_ENTRIES",
    "MAX_ENTRY_BYTES",
    "MAX_FILES",
    "MAX_TOTAL_BYTES",
    "ImportReport",
    "QtiItem",
    "QtiMedia",
    "QtiResult",
    "UnsafePackage",
    "_read_within",
    "import_items",
    "parse",
    "refusal",
]

TRUE_WORDS = {"true", "正确", "对", "是", "√", "correct", "right", "yes"}
FALSE_WORDS = {"false", "错误", "错", "否", "×", "incorrect", "wrong", "no"}
#: Elements of an item body the bank cannot show; an item holding one is refused.
UNSHOWABLE = {
    "math": "MathML",
    "table": "table",
    "feedbackBlock": "feedbackBlock",
    "templateBlock": "templateBlock",
    "templateInline": "templateInline",
    "printedVariable": "printedVariable",
    "include": "xi:include",
    "infoControl": "infoControl",
    "assessmentStimulusRef": "assessmentStimulusRef",
}
TEMPLATE_PARTS = ("templateDeclaration", "templateProcessing")


@dataclass
class QtiItem:
    identifier: str
    type: str
    stem: str
    options: dict[str, str]
    answer: Any
    explanation: str = ""
    #: Option keys that keep their place when a paper shuffles the options.
    fixed: list[str] = field(default_factory=list)
    #: "stem" or an option key → its media, in document order.
    media: dict[str, list[QtiMedia]] = field(default_factory=dict)
    #: The file it came from, for the report.
    source: str = ""


@dataclass
class QtiResult:
    items: list[QtiItem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse(filename: str, content: bytes) -> QtiResult:
    """Read every item of an XML file or zip package; collect errors instead of stopping.

    A zip is checked before anything in it is parsed (lms/exams/qti_package.py): a package that
    would expand beyond the limits is refused whole, with the reason."""
    result = QtiResult()
    try:
        upload = read_upload(filename, content)
    except UnsafePackage as refused:
        result.errors.append(str(refused))
        return result
    if upload.package and not upload.documents:
        result.errors.append(str(_l("%(f)s: the package has no item files", f=filename)))
    for name, data in upload.documents:
        _parse_document(name, data, upload.files if upload.package else None, result)
    return result


def _parse_document(
    name: str, content: bytes, files: dict[str, bytes] | None, result: QtiResult
) -> None:
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
    try:
        item = _parse_item(identifier, root, Files(files, posixpath.dirname(name)))
    except (Refused, ValueError) as error:
        result.errors.append(f"{name} ({identifier}): {error}")
        return
    item.source = name
    result.items.append(item)


def _refuse_what_cannot_be_shown(root: Element) -> None:
    problems = []
    if root.get("adaptive", "false").strip().lower() == "true":
        problems.append(_l('adaptive items (adaptive="true") change as the candidate answers'))
    templates = sorted({_local(e.tag) for e in root.iter() if _local(e.tag) in TEMPLATE_PARTS})
    if templates:
        problems.append(
            _l(
                "template items (%(parts)s) give each candidate other values",
                parts=", ".join(templates),
            )
        )
    kinds = sorted({_local(e.tag) for e in root.iter() if _local(e.tag).endswith("Interaction")})
    unsupported = [kind for kind in kinds if kind != "choiceInteraction"]
    if unsupported:
        problems.append(
            _l(
                "%(kinds)s cannot be imported; only choice items (choiceInteraction) can",
                kinds=", ".join(unsupported),
            )
        )
    shown = sorted({UNSHOWABLE[_local(e.tag)] for e in root.iter() if _local(e.tag) in UNSHOWABLE})
    shown = [name for name in shown if name != "printedVariable" or not templates]
    if shown:
        problems.append(
            _l("the item holds %(what)s, which the bank cannot show", what=", ".join(shown))
        )
    if problems:
        raise Refused("; ".join(str(problem) for problem in problems))


def _parse_item(identifier: str, root: Element, files: Files) -> QtiItem:
    _refuse_what_cannot_be_shown(root)
    interactions = _children(root, "choiceInteraction")
    if len(interactions) != 1:
        raise Refused(_l("exactly one interaction is supported, found %(n)d", n=len(interactions)))
    interaction = interactions[0]
    response_id = interaction.get("responseIdentifier")
    declarations = [
        d for d in _children(root, "responseDeclaration") if d.get("identifier") == response_id
    ]
    if not declarations:
        raise Refused(_l("no responseDeclaration for %(r)s", r=response_id))
    declaration = declarations[0]
    correct = [_text(v) for v in _children(declaration, "value")]
    choices = _children(interaction, "simpleChoice")
    ids = [choice.get("identifier") or "" for choice in choices]
    bodies = _children(root, "itemBody")
    if not bodies:
        raise Refused(_l("the item has no question text"))
    collected = Collected(files)
    stem = stem_of(bodies[0], interaction, collected)
    texts = {
        choice_id: collected.text(choice, f"choice:{choice_id}")
        for choice_id, choice in zip(ids, choices, strict=True)
    }
    if not stem and not collected.media.get("stem"):
        raise Refused(_l("the item has no question text"))
    if not correct:
        raise Refused(_l("the item has no correct response"))
    letters = {choice_id: question_types.OPTION_KEYS[i] for i, choice_id in enumerate(ids[:6])}
    feedback = feedback_of(root, choices, letters)
    cardinality = declaration.get("cardinality", "single")
    if len(choices) == 2 and cardinality == "single":
        return _true_false(identifier, stem, texts, correct, feedback, collected)
    if not 3 <= len(choices) <= 6:
        raise Refused(_l("%(n)d choices; 3 to 6 are supported", n=len(choices)))
    if any(value not in letters for value in correct):
        raise Refused(_l("the correct response names a choice that does not exist"))
    options = {}
    for choice_id, text in texts.items():
        pictures = collected.media.pop(f"choice:{choice_id}", [])
        if pictures:
            collected.media[letters[choice_id]] = pictures
        if not text and not pictures:
            raise Refused(_l("choice %(c)s has no text", c=choice_id))
        options[letters[choice_id]] = text or " / ".join(p.alt or p.name for p in pictures)
    shuffled = interaction.get("shuffle", "false").strip().lower() == "true"
    fixed = [
        letters[choice_id]
        for choice_id, choice in zip(ids, choices, strict=True)
        if not shuffled or choice.get("fixed", "false").strip().lower() == "true"
    ]
    explanation = feedback(lambda choice_id: letters[choice_id])
    values = (stem, options)
    if cardinality == "single":
        if len(correct) != 1:
            raise Refused(_l("a single-answer item needs exactly one correct choice"))
        answer: Any = letters[correct[0]]
        kind = "single"
    elif cardinality == "multiple":
        if len(correct) < 2:
            raise Refused(_l("a multiple-answer item needs at least two correct choices"))
        answer, kind = sorted(letters[value] for value in correct), "multiple"
    else:
        raise Refused(_l("cardinality %(c)s is not supported", c=cardinality))
    return QtiItem(
        identifier, kind, *values, answer, explanation, fixed=fixed, media=collected.media
    )


def _true_false(
    identifier: str,
    stem: str,
    texts: dict[str, str],
    correct: list[str],
    feedback: Any,
    collected: Collected,
) -> QtiItem:
    words = {choice_id: text.strip().strip("。.!！").lower() for choice_id, text in texts.items()}
    true_ids = [c for c, word in words.items() if word in TRUE_WORDS]
    false_ids = [c for c, word in words.items() if word in FALSE_WORDS]
    if len(true_ids) != 1 or len(false_ids) != 1:
        raise Refused(_l("2 choices; 3 to 6 are supported (or a true/false pair)"))
    if any(slot != "stem" for slot in collected.media):
        raise Refused(_l("a true/false item cannot show pictures in its choices"))
    if len(correct) != 1 or correct[0] not in words:
        raise Refused(_l("the correct response names a choice that does not exist"))
    names = {true_ids[0]: str(_l("True")), false_ids[0]: str(_l("False"))}
    explanation = feedback(lambda choice_id: names[choice_id])
    answer = correct[0] == true_ids[0]
    return QtiItem(identifier, "truefalse", stem, {}, answer, explanation, media=collected.media)
