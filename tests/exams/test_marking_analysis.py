import random
from datetime import timedelta

from sqlalchemy import select

from lms.core.roles import Role
from lms.db import db
from lms.exams import analysis, attempts, sessions
from lms.exams.models import Attempt, Response
from tests.exams.factories import (
    correct_display_answer,
    make_blueprint,
    make_question,
    make_session,
    stock_bank,
)
from tests.factories import make_user


def test_examiner_marks_short_answers_blind_and_the_score_follows(client):
    stock_bank()
    make_question("short")
    session = make_session(
        make_blueprint(cells=[("single", 2, 20), ("short", 1, 60)]),
        candidates=1,
        window=timedelta(minutes=30),
    )
    attempt = db.session.scalar(select(Attempt))
    attempts.start(attempt.candidate)
    for item in attempt.items:
        value = "要点齐全的回答" if item.question.type == "short" else correct_display_answer(item)
        attempts.save_answer(attempt, item.position, value, seq=1)
    attempts.submit(attempt)
    assert attempt.score is None
    sessions.close(session, now=session.closes_at + timedelta(seconds=1))
    examiner = make_user(Role.EXAMINER)
    client.login_as(examiner)
    queue = client.get("/exams/marking").get_data(as_text=True)
    assert attempt.candidate.admission_number in queue
    assert attempt.candidate.staff.name not in queue
    response = db.session.scalar(select(Response).where(Response.score.is_(None)))
    page = client.get(f"/exams/marking/{response.id}").get_data(as_text=True)
    assert attempt.candidate.staff.name not in page and "要点齐全的回答" in page
    assert client.post(f"/exams/marking/{response.id}", data={"score": "61"}).status_code == 200
    assert (
        client.post(
            f"/exams/marking/{response.id}", data={"score": "45", "comment": "缺少一个要点"}
        ).status_code
        == 302
    )
    db.session.refresh(attempt)
    assert attempt.score == 85 and attempt.passed is True
    sessions.publish_results(session)
    # Published results lock the marks: the answer is no longer in anyone's marking queue.
    assert client.post(f"/exams/marking/{response.id}", data={"score": "50"}).status_code == 404
    db.session.refresh(response)
    assert response.score == 45


def test_item_analysis_flags_easy_hard_and_negatively_discriminating_items(app):
    stock_bank(per_type=0)
    easy = make_question("truefalse", stem="人人都会的题")
    hard = make_question("truefalse", stem="没人会的题")
    inverse = make_question("truefalse", stem="反向区分的题")
    normal = [make_question("truefalse", stem=f"普通题{n}") for n in range(5)]
    blueprint = make_blueprint(cells=[("truefalse", 8, 12.5)])
    session = make_session(blueprint, candidates=30, window=timedelta(minutes=30))
    rng = random.Random(4)
    for number, attempt in enumerate(db.session.scalars(select(Attempt).order_by(Attempt.id))):
        ability = number / 29
        attempts.start(attempt.candidate)
        for item in attempt.items:
            question = item.question
            if question.id == easy.id:
                right = True
            elif question.id == hard.id:
                right = False
            elif question.id == inverse.id:
                right = ability < 0.5
            else:
                right = rng.random() < ability
            attempts.save_answer(
                attempt,
                item.position,
                question.answer_key if right else not question.answer_key,
                seq=1,
            )
        attempts.submit(attempt)
    sessions.close(session, now=session.closes_at + timedelta(seconds=1))
    stats = {s.question.id: s for s in analysis.item_analysis(session)}
    assert (
        stats[easy.id].difficulty == 1.0 and "too easy" in " ".join(stats[easy.id].flags)
    ) or stats[easy.id].flags
    assert stats[hard.id].difficulty == 0.0 and stats[hard.id].flags
    assert stats[inverse.id].discrimination < 0 and stats[inverse.id].flags
    assert all(stats[q.id].discrimination > 0 for q in normal)
    assert all(not stats[q.id].flags for q in normal if 0.2 <= stats[q.id].difficulty <= 0.9)
