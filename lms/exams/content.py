"""The exams' content kinds: theory questions and paper blueprints in courses/ are read by
lms.content, checked against the question types here and loaded into the bank."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.content import kinds
from lms.content.reader import Reader
from lms.content.specs import Content, QuestionSpec
from lms.exams import bank, question_types
from lms.exams.bank_report import depth_reports, tells_reports
from lms.exams.draw import shortfalls


def register_content_kinds() -> None:
    """Register the ``question`` and ``blueprint`` kinds' validators, loaders and the reports
    ``lms courses check`` prints (the items' tells, each blueprint cell's depth)."""
    kinds.register_kind("question", bank.load_questions, validate_questions, tells_reports)
    kinds.register_kind("blueprint", bank.load_blueprints, validate_blueprints, depth_reports)


def _unknown_type() -> str:
    return str(_l("type must be one of %(types)s", types=", ".join(question_types.REGISTRY)))


def validate_questions(reader: Reader, content: Content) -> None:
    """Each question's type is registered and its type accepts it; the answer key is stored
    in the type's form. Refused questions are dropped."""
    for course in content.courses:
        course.questions = checked_questions(reader, course.questions)


def checked_questions(reader: Reader, specs: list[QuestionSpec]) -> list[QuestionSpec]:
    """The questions their type accepts, with the answer key in the type's form; problems
    reported for the others (exam questions and lessons' self-check questions alike)."""
    kept = []
    for spec in specs:
        kind = question_types.REGISTRY.get(spec.type)
        if kind is None:
            reader.problem(spec.path, spec.type_line, _unknown_type())
            continue
        problems = kind.validate(spec.raw)
        if not isinstance(spec.raw.get("fixed", False), bool):
            problems = [*problems, _l("fixed is true or false")]
        for message in problems:
            reader.problem(spec.path, spec.answer_line, message)
        if not problems:
            spec.answer = kind.answer_key(spec.raw)
            kept.append(spec)
    return kept


def validate_blueprints(reader: Reader, content: Content) -> None:
    """Every cell names a registered type, and (when all else is right) each blueprint can be
    drawn from the questions in courses/."""
    for blueprint in content.blueprints:
        for cell in blueprint.cells:
            if cell.question_type not in question_types.REGISTRY:
                reader.problem(blueprint.path, cell.line, _unknown_type())
    if reader.problems:
        return
    pool = [(q.key, q.level, q.type, q.work_area, q.difficulty) for q in content.questions]
    for blueprint in content.blueprints:
        for shortage in shortfalls(blueprint.level, blueprint.cells, pool):
            reader.problem(blueprint.path, blueprint.line, shortage)
