"""Self-checks (issue 20 item 3): practice questions at the end of a lesson, a pool kept apart
from the exam bank, checked by the server with the explanation, counted in lesson progress."""

from __future__ import annotations

import shutil
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.content.courses import load_content
from lms.content.sync import sync_content
from lms.core.errors import DomainError
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.exams.bank_report import depth_reports
from lms.exams.models import Question
from lms.learning import practice, study
from lms.learning.models import Course, Lesson
from lms.learning.practice_models import PracticeAnswer, PracticeQuestion
from tests.factories import make_staff, make_user
from tests.learning.content_tree import write_tree
from tests.learning.factories import make_cohort, make_enrolment

FIXTURES = Path(__file__).parent / "practice_fixtures"


def tree(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "courses", lessons=3)
    (root / "test-l5" / "practice").mkdir()
    for name in ("02-lesson-2.yaml", "03-lesson-3.yaml"):
        shutil.copy(FIXTURES / name, root / "test-l5" / "practice" / name)
    return root


def synced(root: Path):
    content, problems = load_content(root)
    assert problems == []
    return content, sync_content(content)


def trainee_in(course: Course):
    staff = make_staff()
    enrolment = make_enrolment(make_cohort(course=course), staff)
    return make_user(Role.TRAINEE, staff=staff), enrolment


def lesson(key: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.key == key))


def test_practice_questions_load_into_their_own_pool_never_the_exam_bank(app, tmp_path):
    content, report = synced(tree(tmp_path))
    assert report["practice.created"] == 6
    assert db.session.scalar(select(func.count()).select_from(PracticeQuestion)) == 6
    # The exam bank, the pool every draw and blueprint count reads, holds the exam items only.
    assert set(db.session.scalars(select(Question.key))) == {"t5-q-001", "t5-q-002", "t5-q-003"}
    assert {q.key for q in content.questions} == {"t5-q-001", "t5-q-002", "t5-q-003"}
    # A bank check (depth of the blueprint cells) counts no practice question either.
    printed = "\n".join(line for r in depth_reports(content) for _, line in r.entries)
    assert "p01" not in printed
    # Same type, work area and difficulty as exam items: still never drawn.
    single = db.session.scalar(
        select(PracticeQuestion)
        .where(PracticeQuestion.type == "single")
        .order_by(PracticeQuestion.id)
        .limit(1)
    )
    assert single.lesson.key == "t5-lesson-2" and single.answer_key == "B"
    again = sync_content(content)
    assert again["practice.unchanged"] == 6


def test_a_removed_practice_question_is_retired_and_answers_keep_pointing_at_it(app, tmp_path):
    root = tree(tmp_path)
    synced(root)
    _user, enrolment = trainee_in(db.session.scalar(select(Course)))
    practice.answer(enrolment, lesson("t5-lesson-3"), _id("t5-lesson-3-p03"), ["A"])
    (root / "test-l5" / "practice" / "03-lesson-3.yaml").unlink()
    _content, report = synced(root)
    assert report["practice.retired"] == 3
    assert practice.questions_of(lesson("t5-lesson-3")) == []
    assert db.session.scalar(select(func.count()).select_from(PracticeAnswer)) == 1


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (lambda s: s.replace("lesson: t5-lesson-2", "lesson: t5-lesson-3"), 3),
        (lambda s: s.replace("answer: B", "answer: E"), 13),
        (lambda s: s.replace("type: truefalse", "type: short"), 27),
        (lambda s: s.split("  - id: t5-lesson-2-p02")[0], 4),
    ],
    ids=["wrong-lesson", "bad-key", "short-answer", "too-few"],
)
def test_a_broken_practice_file_is_refused_with_its_line(app, tmp_path, change, line):
    root = tree(tmp_path)
    path = root / "test-l5" / "practice" / "02-lesson-2.yaml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    _content, problems = load_content(root)
    assert [(p.path, p.line) for p in problems] == [
        ("courses/test-l5/practice/02-lesson-2.yaml", line)
    ]


def test_a_practice_file_without_a_lesson_file_is_refused(app, tmp_path):
    root = tree(tmp_path)
    (root / "test-l5" / "practice" / "09-nothing.yaml").write_text(
        textwrap.dedent("lesson: t5-lesson-9\nquestions: []\n"), encoding="utf-8"
    )
    _content, problems = load_content(root)
    assert [(p.path, p.line) for p in problems] == [("courses/test-l5/practice/09-nothing.yaml", 1)]
    assert "09-nothing.yaml" in problems[0].message


def _id(key: str) -> int:
    return db.session.scalar(select(PracticeQuestion.id).where(PracticeQuestion.key == key))


def test_the_page_holds_no_answer_until_the_trainee_answers(app, client, tmp_path):
    synced(tree(tmp_path))
    user, enrolment = trainee_in(db.session.scalar(select(Course)))
    client.login_as(user)
    second = lesson("t5-lesson-2")
    page_url = f"/learn/{enrolment.id}/lessons/{second.id}"
    page = client.get(page_url).get_data(as_text=True)
    assert "婴幼儿进餐时，保育人员应当怎样做？" in page
    assert "进餐时不催促、不强迫" not in page  # the explanation comes with the feedback only
    assert "js/self_check.js" in page

    url = f"{page_url}/self-check/{_id('t5-lesson-2-p01')}"
    json = {"Accept": "application/json"}
    wrong = client.post(url, data={f"answer-{_id('t5-lesson-2-p01')}": "A"}, headers=json)
    assert wrong.status_code == 200
    assert wrong.json["correct"] is False and wrong.json["answer"] == "B"
    assert "不催促" in wrong.json["explanation"]
    right = client.post(url, data={f"answer-{_id('t5-lesson-2-p01')}": "B"}, headers=json)
    assert right.json == {**right.json, "correct": True, "attempts": 2}

    many = f"{page_url}/self-check/{_id('t5-lesson-2-p02')}"
    half = client.post(many, data={f"answer-{_id('t5-lesson-2-p02')}": ["A", "B"]}, headers=json)
    assert half.json["correct"] is False and half.json["answer"] == ["A", "B", "C"]

    # Without JavaScript: back to the lesson, where the feedback now shows.
    plain = client.post(
        f"{page_url}/self-check/{_id('t5-lesson-2-p03')}",
        data={f"answer-{_id('t5-lesson-2-p03')}": "true"},
    )
    assert plain.status_code == 302 and plain.headers["Location"].endswith("#self-check")
    page = client.get(page_url).get_data(as_text=True)
    assert "观察咀嚼和吞咽，才能及时发现呛噎等异常。" in page


def test_answers_are_checked_by_the_server(app, client, tmp_path):
    synced(tree(tmp_path))
    user, enrolment = trainee_in(db.session.scalar(select(Course)))
    client.login_as(user)
    second, third = lesson("t5-lesson-2"), lesson("t5-lesson-3")
    base = f"/learn/{enrolment.id}/lessons/{second.id}/self-check"
    json = {"Accept": "application/json"}
    question = _id("t5-lesson-2-p01")
    empty = client.post(f"{base}/{question}", headers=json)
    assert empty.status_code == 400 and "answer" not in empty.json
    two = client.post(f"{base}/{question}", data={f"answer-{question}": ["A", "B"]}, headers=json)
    assert two.status_code == 400
    # A question of another lesson through this lesson's address: not found.
    other = _id("t5-lesson-3-p01")
    assert client.post(f"{base}/{other}", headers=json).status_code == 404
    assert third.id != second.id
    # Another trainee's enrolment.
    _other_user, other_enrolment = trainee_in(db.session.scalar(select(Course)))
    stranger = client.post(
        f"/learn/{other_enrolment.id}/lessons/{second.id}/self-check/{question}",
        data={f"answer-{question}": "B"},
        headers=json,
    )
    assert stranger.status_code in (403, 404)
    assert db.session.scalar(select(func.count()).select_from(PracticeAnswer)) == 0


def test_a_post_without_the_csrf_token_is_refused(app, client, csrf_enabled, tmp_path):
    synced(tree(tmp_path))
    user, enrolment = trainee_in(db.session.scalar(select(Course)))
    client.login_as(user)
    question = _id("t5-lesson-2-p01")
    response = client.post(
        f"/learn/{enrolment.id}/lessons/{lesson('t5-lesson-2').id}/self-check/{question}",
        data={f"answer-{question}": "B"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(PracticeAnswer)) == 0


def _spend_time(enrolment, target: Lesson) -> None:
    start = utcnow() - timedelta(hours=1)
    for n in range(50):
        study.heartbeat(enrolment.id, target, start + timedelta(seconds=30 * n))


def test_a_lesson_is_done_only_once_its_self_check_is_answered(app, tmp_path):
    synced(tree(tmp_path))
    _user, enrolment = trainee_in(db.session.scalar(select(Course)))
    second = lesson("t5-lesson-2")
    _spend_time(enrolment, second)
    with pytest.raises(DomainError, match="自测"):
        study.complete_lesson(enrolment, second)
    practice.answer(enrolment, second, _id("t5-lesson-2-p01"), ["A"])  # wrong still counts
    practice.answer(enrolment, second, _id("t5-lesson-2-p02"), ["A", "B", "C"])
    with pytest.raises(DomainError, match="自测"):
        study.complete_lesson(enrolment, second)
    practice.answer(enrolment, second, _id("t5-lesson-2-p03"), ["false"])
    assert study.complete_lesson(enrolment, second).completed_at is not None
    # A lesson without a self-check needs only its time.
    first = lesson("t5-lesson-1")
    _spend_time(enrolment, first)
    assert study.complete_lesson(enrolment, first).completed_at is not None


def test_the_self_check_requirement_can_be_switched_off(app, tmp_path, monkeypatch):
    synced(tree(tmp_path))
    monkeypatch.setitem(app.config, "LESSON_REQUIRES_SELF_CHECK", False)
    _user, enrolment = trainee_in(db.session.scalar(select(Course)))
    second = lesson("t5-lesson-2")
    _spend_time(enrolment, second)
    assert study.complete_lesson(enrolment, second).completed_at is not None
