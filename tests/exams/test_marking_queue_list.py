"""The examiners' queue of short answers: narrowed to one session, a page at a time; the skills
marking page shows the first few and links to all of them."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from lms.core.roles import Role
from lms.db import db
from lms.exams import attempts, sessions
from lms.exams.models import Attempt, Candidate
from lms.exams.views import MARKING_PAGE_SIZE
from lms.grading.views import SHORT_ANSWERS_SHOWN
from tests.exams.factories import (
    correct_display_answer,
    make_blueprint,
    make_question,
    make_session,
    stock_bank,
)
from tests.factories import make_user


def handed_in(title: str, candidates: int):
    """A closed session whose ``candidates`` each handed in one short answer to mark."""
    session = make_session(
        make_blueprint(cells=[("single", 2, 20), ("short", 1, 60)]),
        candidates=candidates,
        window=timedelta(minutes=30),
        title=title,
    )
    for attempt in db.session.scalars(
        select(Attempt).join(Candidate).where(Candidate.session_id == session.id)
    ):
        attempts.start(attempt.candidate)
        for item in attempt.items:
            short = item.question.type == "short"
            value = "要点齐全的回答" if short else correct_display_answer(item)
            attempts.save_answer(attempt, item.position, value, seq=1)
        attempts.submit(attempt)
    sessions.close(session, now=session.closes_at + timedelta(seconds=1))
    return session


def admissions(html: str) -> list[str]:
    return re.findall(r'<span class="mono">(\d+)</span> · ', html)


def test_short_answers_are_narrowed_to_a_session_and_paged(client) -> None:
    stock_bank()
    make_question("short")
    spring = handed_in("春季理论考试", 30)
    autumn = handed_in("秋季理论考试", MARKING_PAGE_SIZE - 30 + 2)
    client.login_as(make_user(Role.EXAMINER))

    first = client.get("/exams/marking").text
    assert len(admissions(first)) == MARKING_PAGE_SIZE and 'rel="next"' in first
    second = admissions(client.get("/exams/marking?page=2").text)
    assert len(second) == 2
    assert not set(second) & set(admissions(first))
    autumn_only = admissions(client.get(f"/exams/marking?session={autumn.id}").text)
    autumn_numbers = db.session.scalars(
        select(Candidate.admission_number).where(Candidate.session_id == autumn.id)
    ).all()
    assert sorted(autumn_only) == sorted(autumn_numbers)
    assert f'<option value="{spring.id}">春季理论考试（30）' in first

    skills_page = client.get("/skills/marking").text
    assert skills_page.count("/exams/marking/") == SHORT_ANSWERS_SHOWN
    assert 'data-testid="all-short-answers"' in skills_page
