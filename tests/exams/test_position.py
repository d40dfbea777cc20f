"""The paper remembers the question the candidate stands on, on the server: a reload, or the
paper opened on another phone, goes back there (the browser journey is
tests/e2e/test_exam_position.py)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from lms.core.roles import Role
from lms.db import db, utcnow
from lms.exams import attempts
from lms.exams.models import Attempt
from tests.exams.factories import make_session, stock_bank
from tests.factories import make_user


def started_attempt(client):
    stock_bank(per_type=8)
    make_session(candidates=1)
    attempt = db.session.scalars(select(Attempt)).one()
    client.login_as(make_user(Role.TRAINEE, staff=attempt.candidate.staff))
    client.post(f"/exams/my/{attempt.candidate_id}/start")
    return attempt


def opening_position(client, attempt) -> int:
    page = client.get(f"/exams/my/attempts/{attempt.id}").get_data(as_text=True)
    return int(re.search(r'data-current="(\d+)"', page).group(1))


def test_the_paper_opens_where_the_candidate_last_stood(client):
    attempt = started_attempt(client)
    assert opening_position(client, attempt) == 1  # a new paper starts at the first question
    answer = client.post(f"/exams/my/attempts/{attempt.id}/position", json={"position": 6})
    assert answer.status_code == 200 and answer.get_json() == {"position": 6}
    db.session.refresh(attempt)
    assert attempt.current_position == 6
    assert opening_position(client, attempt) == 6  # a reload, or another device


def test_positions_off_the_paper_or_malformed_are_refused_and_nothing_changes(client):
    attempt = started_attempt(client)
    client.post(f"/exams/my/attempts/{attempt.id}/position", json={"position": 3})
    for body in ({"position": len(attempt.items) + 1}, {"position": 0}, {"position": "x"}, {}):
        answer = client.post(f"/exams/my/attempts/{attempt.id}/position", json=body)
        assert answer.status_code == 400, body
        assert answer.get_json()["error"]["message"]
    db.session.refresh(attempt)
    assert attempt.current_position == 3


def test_another_trainee_cannot_move_the_attempt(client):
    attempt = started_attempt(client)
    client.login_as(make_user(Role.TRAINEE))
    answer = client.post(f"/exams/my/attempts/{attempt.id}/position", json={"position": 2})
    assert answer.status_code == 403
    db.session.refresh(attempt)
    assert attempt.current_position is None


def test_a_handed_in_or_timed_out_paper_keeps_no_position(client, freeze_clock):
    attempt = started_attempt(client)
    freeze_clock(attempt.deadline_at + timedelta(seconds=1))
    answer = client.post(f"/exams/my/attempts/{attempt.id}/position", json={"position": 2})
    assert answer.status_code == 409
    db.session.refresh(attempt)
    assert attempt.status.value == "submitted" and attempt.current_position is None
    assert utcnow() > attempt.deadline_at
    refused = client.post(f"/exams/my/attempts/{attempt.id}/position", json={"position": 2})
    assert refused.status_code == 409
    assert attempts.remaining_seconds(attempt) == 0


def test_a_body_that_is_not_a_json_object_is_a_bad_request_not_a_server_error(client):
    attempt = started_attempt(client)
    for body in ([6], "6", 6, None):
        for path in ("position", "answer"):
            answer = client.post(f"/exams/my/attempts/{attempt.id}/{path}", json=body)
            assert answer.status_code == 400, (path, body)
