"""A new question type is one class: registered, it is drawn, shown, answered through the
paper's plain form (the type reads its own form values), scored and validated in courses/,
with no change to any view."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lms.core.roles import Role
from lms.db import db
from lms.exams import question_types
from lms.exams.models import Attempt, AttemptStatus, Question
from tests.exams.factories import correct_display_answer, make_blueprint, make_session, stock_bank
from tests.factories import make_user


class Count(question_types.QuestionType):
    """How many: a whole number typed in a box (a type that exists only in this test)."""

    key = "count"
    label = "Count"
    has_options = False

    @property
    def template(self) -> str:
        return "exams/types/short.html"  # a text box named q<position>

    def validate(self, spec: dict[str, Any]) -> list[Any]:
        problems = super().validate(spec)
        answer = spec.get("answer")
        if isinstance(answer, bool) or not isinstance(answer, int):
            problems.append("the answer must be a whole number")
        return problems

    def parse_answer(self, form_values: list[str]) -> Any:
        text = form_values[0].strip() if form_values else ""
        return int(text) if text.isdigit() else (text or None)

    def clean_response(self, value: Any, option_count: int) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("a whole number")
        return value

    def score(self, key: Any, response: Any, points: float, rule: str) -> float | None:
        return points if response == key else 0.0


@pytest.fixture
def count_type(app, monkeypatch):
    monkeypatch.setitem(question_types.REGISTRY, Count.key, Count())


def test_a_registered_type_is_answered_through_the_paper_form_and_scored(client, count_type):
    stock_bank(per_type=8)
    for number in range(4):
        db.session.add(
            Question(
                key=f"count-{number}",
                type="count",
                level=5,
                work_area="daily_care",
                difficulty="medium",
                stem=f"每日至少洗手几次？（{number}）",
                options={},
                answer_key=7,
                explanation="解析",
                source="manual",
            )
        )
    db.session.flush()
    blueprint = make_blueprint(cells=[("single", 4, 10), ("count", 2, 30)])
    make_session(blueprint, candidates=1)
    attempt = db.session.scalars(select(Attempt)).one()
    client.login_as(make_user(Role.TRAINEE, staff=attempt.candidate.staff))
    client.post(f"/exams/my/{attempt.candidate_id}/start")
    page = client.get(f"/exams/my/attempts/{attempt.id}").get_data(as_text=True)
    counted = [item for item in attempt.items if item.version.type == "count"]
    assert len(counted) == 2 and all(item.version.stem in page for item in counted)

    form = {
        f"q{item.position}": " 7 " if item.version.type == "count" else correct_display_answer(item)
        for item in attempt.items
    }
    client.post(f"/exams/my/attempts/{attempt.id}/save", data={**form, "finish": "1"})
    db.session.refresh(attempt)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 100


def test_the_built_in_types_read_their_own_form_values():
    assert question_types.TrueFalse().parse_answer(["false"]) is False
    assert question_types.TrueFalse().parse_answer(["true"]) is True
    assert question_types.MultipleChoice().parse_answer(["A", "C"]) == ["A", "C"]
    assert question_types.SingleChoice().parse_answer(["B"]) == ["B"]
    assert question_types.ShortAnswer().parse_answer(["要点"]) == "要点"
    assert all(kind().parse_answer([]) is None for kind in (Count, question_types.TrueFalse))


def test_courses_files_accept_the_new_type_once_registered(app, tmp_path, monkeypatch):
    from lms.content.courses import load_content
    from tests.learning.content_tree import write_tree

    root = write_tree(tmp_path / "courses")
    questions = next((root / "test-l5" / "questions").glob("*.yaml"))
    extra = (
        "\n  - id: t5-count\n    type: count\n    difficulty: easy\n"
        "    stem: 每日至少洗手几次？\n    answer: 7\n    explanation: 解析\n"
    )
    questions.write_text(questions.read_text(encoding="utf-8") + extra, encoding="utf-8")
    line = questions.read_text(encoding="utf-8").splitlines().index("    type: count") + 1
    problems = [str(p) for p in load_content(root)[1]]
    assert problems == [
        f"courses/{questions.relative_to(root)}:{line}: "
        "type 须为以下之一：single, multiple, truefalse, short"
    ]
    monkeypatch.setitem(question_types.REGISTRY, Count.key, Count())
    content, problems = load_content(root)
    assert problems == []
    assert {q.key: q.answer for q in content.questions}["t5-count"] == 7
