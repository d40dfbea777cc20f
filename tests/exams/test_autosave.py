"""The autosave path (``POST /exams/autosave`` with the attempt's token): each guarantee of the
session-cookie path holds without the session — only the candidate's own attempt, only before the
server's deadline, a stale save never overwrites a newer one, nothing acknowledged that is not
committed, a sign-out stops the token, no cross-site request can use it."""

import re
import threading
import time
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from lms.accounts import services as accounts
from lms.core.roles import Role
from lms.db import db, utcnow, write_intent
from lms.exams import attempts, autosave
from lms.exams.models import Attempt, AttemptStatus, Response
from tests.exams.factories import correct_display_answer, make_session, stock_bank
from tests.factories import make_user

PATH = autosave.PATH


def sitting(client, **kwargs):
    """A started attempt, its candidate signed in, and the token from the paper page."""
    stock_bank(per_type=8)
    make_session(candidates=kwargs.pop("candidates", 2), **kwargs)
    attempt = db.session.scalars(select(Attempt).order_by(Attempt.id)).first()
    user = make_user(Role.TRAINEE, staff=attempt.candidate.staff)
    client.login_as(user)
    assert client.post(f"/exams/my/{attempt.candidate_id}/start").status_code == 302
    page = client.get(f"/exams/my/attempts/{attempt.id}").get_data(as_text=True)
    token = re.search(r'data-autosave-token="([^"]+)"', page).group(1)
    assert f'data-autosave-url="{PATH}"' in page
    return attempt, user, token


def save(client, token, position, value, seq, **headers):
    return client.post(
        PATH,
        json={"position": position, "value": value, "seq": seq},
        headers={"X-Exam-Token": token, **headers},
    )


def stored(attempt, position):
    db.session.expire_all()
    return db.session.scalar(
        select(Response).where(Response.attempt_id == attempt.id, Response.position == position)
    )


def single(attempt):
    return next(i for i in attempt.items if i.version.type == "single")


def test_a_save_is_stored_and_answered_with_the_time_left_and_the_security_headers(client):
    attempt, _user, token = sitting(client)
    item = single(attempt)
    response = save(client, token, item.position, ["B"], 5)
    assert response.status_code == 200
    body = response.get_json()
    assert body["saved"] is True and 0 < body["remaining_seconds"] <= 3600
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert (stored(attempt, item.position).value, stored(attempt, item.position).seq) == (["B"], 5)


def test_a_stale_save_never_overwrites_a_newer_one_and_a_replay_changes_nothing(client):
    attempt, _user, token = sitting(client)
    item = single(attempt)
    assert save(client, token, item.position, ["C"], 300).get_json()["saved"] is True
    assert save(client, token, item.position, ["B"], 200).get_json()["saved"] is False
    assert save(client, token, item.position, ["C"], 300).get_json()["saved"] is False
    assert (stored(attempt, item.position).value, stored(attempt, item.position).seq) == (
        ["C"],
        300,
    )
    assert save(client, token, item.position, ["D"], 301).get_json()["saved"] is True
    assert stored(attempt, item.position).value == ["D"]


def test_only_the_candidates_own_attempt(client):
    attempt, _user, _token = sitting(client)
    other = db.session.scalars(select(Attempt).where(Attempt.id != attempt.id)).first()
    intruder = make_user(Role.TRAINEE, staff=other.candidate.staff)
    db.session.commit()
    # A validly signed token naming the other candidate's account with this attempt.
    forged_pairing = autosave.issue_token(client.application, attempt.id, intruder)
    response = save(client, forged_pairing, single(attempt).position, ["A"], 1)
    assert response.status_code == 401
    assert stored(attempt, single(attempt).position) is None
    # A token edited by hand (another attempt's id) is not signed.
    payload, signature = _token_parts(autosave.issue_token(client.application, other.id, intruder))
    assert save(client, payload + "." + signature[:-2] + "xx", 1, ["A"], 1).status_code == 401
    assert save(client, "", 1, ["A"], 1).status_code == 401


def _token_parts(token):
    payload, _, signature = token.rpartition(".")
    return payload, signature


def test_after_the_server_deadline_nothing_is_stored_and_the_paper_is_handed_in(client):
    attempt, _user, token = sitting(client)
    item = single(attempt)
    assert save(client, token, item.position, correct_display_answer(item), 1).status_code == 200
    # The clock ran out (the deadline moved into the past: the client's time counts for nothing).
    past = utcnow() - timedelta(seconds=1)
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(started_at=past - timedelta(hours=1), deadline_at=past)
    )
    db.session.commit()
    response = save(client, token, item.position, ["A"], 2)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "time_up"
    assert stored(attempt, item.position).seq == 1
    db.session.expire_all()
    handed_in = db.session.get(Attempt, attempt.id)
    assert handed_in.status == AttemptStatus.SUBMITTED and handed_in.auto_submitted
    assert handed_in.score == item.points
    again = save(client, token, item.position, ["A"], 3)
    assert again.status_code == 409 and stored(attempt, item.position).seq == 1


def test_a_handed_in_paper_takes_no_more_answers(client):
    attempt, _user, token = sitting(client)
    client.post(f"/exams/my/attempts/{attempt.id}/submit")
    response = save(client, token, single(attempt).position, ["A"], 1)
    assert response.status_code == 409
    assert stored(attempt, single(attempt).position) is None


def test_a_sign_out_or_a_password_change_stops_the_token(client):
    attempt, user, token = sitting(client)
    item = single(attempt)
    assert save(client, token, item.position, ["A"], 1).status_code == 200
    assert client.post("/logout").status_code in (302, 303)
    response = save(client, token, item.position, ["B"], 2)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "signed_out"
    assert stored(attempt, item.position).value == ["A"]
    # Signed in again: the page gives a new token; a password reset elsewhere stops it too.
    db.session.refresh(user)
    client.login_as(user)
    page = client.get(f"/exams/my/attempts/{attempt.id}").get_data(as_text=True)
    fresh = re.search(r'data-autosave-token="([^"]+)"', page).group(1)
    assert fresh != token
    assert save(client, fresh, item.position, ["B"], 2).status_code == 200
    accounts.end_sessions(db.session.get(type(user), user.id))
    db.session.commit()
    assert save(client, fresh, item.position, ["C"], 3).status_code == 401
    assert stored(attempt, item.position).value == ["B"]


def test_a_deactivated_account_cannot_save(client):
    attempt, user, token = sitting(client)
    db.session.get(type(user), user.id).is_active = False
    db.session.commit()
    assert save(client, token, single(attempt).position, ["A"], 1).status_code == 401


def test_cross_site_requests_cannot_save(client):
    """The token is read from a header only: the session cookie (which a cross-site form
    would carry) saves nothing, a token in a cookie neither, and a form post is refused."""
    attempt, _user, token = sitting(client)
    item = single(attempt)
    cookie_only = client.post(PATH, json={"position": item.position, "value": ["A"], "seq": 1})
    assert cookie_only.status_code == 401
    client.set_cookie("X-Exam-Token", token)
    assert (
        client.post(PATH, json={"position": item.position, "value": ["A"], "seq": 1}).status_code
        == 401
    )
    form = client.post(
        PATH,
        data=f'{{"position": {item.position}, "value": ["A"], "seq": 1}}',
        content_type="text/plain",
        headers={"X-Exam-Token": token},
    )
    assert form.status_code == 400
    assert client.get(PATH, headers={"X-Exam-Token": token}).status_code == 405
    assert stored(attempt, item.position) is None


@pytest.mark.parametrize(
    "body",
    [
        {"position": "x", "value": ["A"], "seq": 1},
        {"position": 1, "value": ["A"], "seq": 1.5},
        {"position": 1, "value": ["A"], "seq": 2**63},
        {"position": 0, "value": ["A"], "seq": 1},
        {"position": 1, "value": ["A\x00"], "seq": 1},
        [1, 2],
    ],
)
def test_malformed_requests_are_refused(client, body):
    _attempt, _user, token = sitting(client)
    response = client.post(PATH, json=body, headers={"X-Exam-Token": token})
    assert response.status_code == 400


def test_answers_that_do_not_fit_the_question_are_refused(client):
    attempt, _user, token = sitting(client)
    item = single(attempt)
    for bad in (["Z"], ["A", "B"], "A", None, True):
        assert save(client, token, item.position, bad, 1).status_code == 400
    response = save(client, token, 999, ["A"], 1)
    assert response.status_code == 400 and "999" in response.get_json()["error"]["message"]
    assert stored(attempt, item.position) is None


def test_a_whole_paper_saved_by_token_scores_full_marks(client):
    attempt, _user, token = sitting(client)
    for item in attempt.items:
        assert (
            save(client, token, item.position, correct_display_answer(item), 1).status_code == 200
        )
    client.post(f"/exams/my/attempts/{attempt.id}/submit")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 100


# Committed, from other connections -------------------------------------------------------------


def test_an_acknowledged_answer_is_committed(client, committed):
    """Read back from a connection of its own the moment the answer is acknowledged."""
    attempt, _user, token = sitting(client)
    item = single(attempt)
    db.session.commit()
    assert save(client, token, item.position, ["D"], 7).get_json()["saved"] is True
    write_intent.set(False)  # a reader of its own: it needs no write lock
    with db.engine.connect() as other:
        value = other.execute(
            text("SELECT seq FROM exam_responses WHERE attempt_id = :a AND position = :p"),
            {"a": attempt.id, "p": item.position},
        ).scalar_one()
    assert value == 7


def test_a_save_racing_the_hand_in_is_scored_or_refused_never_lost(app, client, committed):
    """PostgreSQL: the hand-in holds the attempt row; a save arriving meanwhile waits, then
    finds the paper submitted (409) — it can never land after the paper was scored."""
    if db.dialect_name != "postgresql":
        pytest.skip("SQLite serialises writers: a save cannot interleave with a hand-in")
    attempt, _user, token = sitting(client)
    item = single(attempt)
    attempt_id, position = attempt.id, item.position
    correct = correct_display_answer(item)
    db.session.commit()
    db.session.remove()
    outcome = {}

    def late_save() -> None:  # another server thread: no application context of the test's
        outcome["response"] = save(FlaskClient(app), token, position, correct, 9)

    handing_in = db.session.get(Attempt, attempt_id)
    handing_in.status = AttemptStatus.SUBMITTED
    handing_in.submitted_at = utcnow()
    db.session.flush()  # the hand-in's UPDATE holds the row
    saver = threading.Thread(target=late_save)
    saver.start()
    time.sleep(0.5)
    assert saver.is_alive(), "the save did not wait for the hand-in"
    attempts.score_attempt(handing_in)
    db.session.commit()
    saver.join(10)
    assert outcome["response"].status_code == 409
    db.session.expire_all()
    assert stored(db.session.get(Attempt, attempt_id), position) is None
    assert db.session.get(Attempt, attempt_id).score == 0
