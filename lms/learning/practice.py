"""Self-checks: the practice questions at the end of each lesson (the ``practice`` content kind),
checked by the server when a trainee answers, with the explanation at once.

Kept apart from the exam bank: their own table (lms.learning.practice_models), loaded from
``courses/<course>/practice/``; exams draw only from ``questions``. Whether a lesson can be
marked done before its self-check is answered is ``LESSON_REQUIRES_SELF_CHECK`` (default: it
cannot; each question answered once, right or wrong, counts as attempted).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.content import kinds
from lms.content.reader import Reader
from lms.content.specs import Content
from lms.content.sync import apply_values, count, retire_unlisted
from lms.core.errors import DomainError
from lms.db import db, utcnow
from lms.exams import question_types
from lms.exams.content import checked_questions
from lms.learning.models import Enrolment, Lesson
from lms.learning.practice_models import PracticeAnswer, PracticeQuestion


def register_content_kind() -> None:
    """Self-check questions are read by lms.content, checked by their types and loaded here."""
    kinds.register_kind("practice", load_practice, validate_practice, practice_reports)


def validate_practice(reader: Reader, content: Content) -> None:
    """Each self-check question's type accepts it (as for the exam bank); refused ones dropped."""
    for course in content.courses:
        for practice in course.practice:
            practice.questions = checked_questions(reader, practice.questions)


def practice_reports(content: Content) -> list[kinds.Report]:
    """Per course: how many lessons have a self-check, and how many practice questions."""
    reports = []
    for course in content.courses:
        report = kinds.Report(str(_l("Self-checks of %(c)s", c=course.code)))
        pools = {practice.lesson: len(practice.questions) for practice in course.practice}
        with_check = sum(1 for lesson in course.lessons if pools.get(lesson.key))
        report.ok(
            str(
                _l(
                    "%(n)d of %(m)d lessons have a self-check; %(q)d practice questions",
                    n=with_check,
                    m=len(course.lessons),
                    q=sum(pools.values()),
                )
            )
        )
        reports.append(report)
    return reports


def load_practice(content: Content, report: Counter[str]) -> None:
    """Bring the practice questions in line with ``content``; retire the ones it no longer has
    (answers keep pointing at them)."""
    lesson_ids = {key: id_ for key, id_ in db.session.execute(select(Lesson.key, Lesson.id))}
    existing = {row.key: row for row in db.session.scalars(select(PracticeQuestion))}
    listed = set()
    for course in content.courses:
        for practice in course.practice:
            for position, spec in enumerate(practice.questions, start=1):
                listed.add(spec.key)
                values = {
                    "lesson_id": lesson_ids[practice.lesson],
                    "position": position,
                    "type": spec.type,
                    "difficulty": spec.difficulty,
                    "stem": spec.stem,
                    "options": spec.options,
                    "answer_key": spec.answer,
                    "explanation": spec.explanation,
                    "retired_at": None,
                }
                row = existing.get(spec.key)
                if row is None:
                    db.session.add(PracticeQuestion(key=spec.key, **values))
                    count(report, "practice", True, True)
                else:
                    count(report, "practice", False, apply_values(row, values))
    retire_unlisted(existing, listed, report, "practice")
    db.session.flush()


def questions_of(lesson: Lesson) -> list[PracticeQuestion]:
    """The lesson's self-check, in order."""
    return list(
        db.session.scalars(
            select(PracticeQuestion)
            .where(PracticeQuestion.lesson_id == lesson.id, PracticeQuestion.retired_at.is_(None))
            .order_by(PracticeQuestion.position)
        )
    )


def answers_of(enrolment: Enrolment, lesson: Lesson) -> dict[int, PracticeAnswer]:
    """{practice question id: the trainee's latest answer} for the lesson."""
    return {
        answer.question_id: answer
        for answer in db.session.scalars(
            select(PracticeAnswer)
            .join(PracticeQuestion)
            .where(
                PracticeAnswer.enrolment_id == enrolment.id,
                PracticeQuestion.lesson_id == lesson.id,
            )
        )
    }


def unanswered(enrolment: Enrolment, lesson: Lesson) -> int:
    """How many of the lesson's self-check questions the trainee has not answered yet."""
    answered = (
        select(PracticeAnswer.question_id)
        .where(PracticeAnswer.enrolment_id == enrolment.id)
        .scalar_subquery()
    )
    return (
        db.session.scalar(
            select(func.count())
            .select_from(PracticeQuestion)
            .where(
                PracticeQuestion.lesson_id == lesson.id,
                PracticeQuestion.retired_at.is_(None),
                PracticeQuestion.id.not_in(answered),
            )
        )
        or 0
    )


def required() -> bool:
    return bool(current_app.config.get("LESSON_REQUIRES_SELF_CHECK", True))


@dataclass(frozen=True)
class Feedback:
    correct: bool
    #: The right answer (option keys, or true/false) and why: shown once the trainee answered.
    answer_key: Any
    explanation: str
    attempts: int

    def as_json(self) -> dict[str, Any]:
        return {
            "correct": self.correct,
            "answer": self.answer_key,
            "explanation": self.explanation,
            "attempts": self.attempts,
        }


def answer(enrolment: Enrolment, lesson: Lesson, question_id: int, values: list[str]) -> Feedback:
    """Check a trainee's answer to a self-check question and keep it (the latest counts);
    return whether it is right, the right answer and the explanation."""
    question = db.session.get(PracticeQuestion, question_id)
    if question is None or question.lesson_id != lesson.id or question.retired_at is not None:
        raise DomainError(_l("This question is not part of the lesson's self-check"), status=404)
    kind = question_types.get(question.type)
    try:
        response = kind.clean_response(kind.parse_answer(values), len(question.options))
    except (ValueError, TypeError):
        response = None
    if response is None or response == []:
        raise DomainError(_l("Choose an answer first"), status=400)
    correct = kind.score(question.answer_key, response, 1.0, "all_or_nothing") == 1.0
    row = db.session.scalar(
        select(PracticeAnswer).where(
            PracticeAnswer.enrolment_id == enrolment.id,
            PracticeAnswer.question_id == question.id,
        )
    )
    if row is None:
        row = PracticeAnswer(
            enrolment_id=enrolment.id,
            question_id=question.id,
            response=response,
            correct=correct,
            attempts=1,
        )
        db.session.add(row)
    else:
        row.response, row.correct, row.answered_at = response, correct, utcnow()
        row.attempts += 1
    db.session.flush()
    return Feedback(correct, question.answer_key, question.explanation, row.attempts)
