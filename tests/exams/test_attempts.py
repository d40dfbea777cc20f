import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.core.errors import DomainError
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.exams import attempts, question_types
from lms.exams.attempts import TimeUp
from lms.exams.models import Attempt, AttemptStatus, Response
from tests.exams.factories import correct_display_answer, make_session, stock_bank
from tests.factories import make_user


def first_attempt(**kwargs):
    stock_bank(per_type=8)
    session = make_session(candidates=kwargs.pop("candidates", 2), **kwargs)
    attempt = db.session.scalars(select(Attempt).order_by(Attempt.id)).first()
    return session, attempt


def test_start_sets_the_deadline_and_a_second_start_resumes(app):
    session, attempt = first_attempt()
    now = utcnow()
    started = attempts.start(attempt.candidate, now=now)
    assert started.id == attempt.id
    assert started.deadline_at == now + timedelta(minutes=session.duration_minutes)
    later = now + timedelta(minutes=25)
    again = attempts.start(attempt.candidate, now=later)
    assert again.id == attempt.id and again.started_at == now
    assert attempts.remaining_seconds(again, later) == 35 * 60


def test_the_deadline_never_passes_the_window(app):
    session, attempt = first_attempt(window=timedelta(minutes=30))
    now = utcnow()
    started = attempts.start(attempt.candidate, now=now)
    assert started.deadline_at == session.closes_at


def test_start_outside_the_window_is_refused(app):
    _session, attempt = first_attempt(opens_in=timedelta(hours=1))
    with pytest.raises(DomainError):
        attempts.start(attempt.candidate)


def test_the_database_allows_one_attempt_per_candidate(app):
    _session, attempt = first_attempt()
    db.session.add(Attempt(candidate_id=attempt.candidate_id, seed=1))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_saves_are_idempotent_and_a_stale_save_cannot_overwrite_a_newer_one(app):
    _session, attempt = first_attempt()
    attempts.start(attempt.candidate)
    item = next(i for i in attempt.items if i.question.type == "single")
    assert attempts.save_answer(attempt, item.position, ["A"], seq=100).saved
    assert not attempts.save_answer(attempt, item.position, ["A"], seq=100).saved  # replay
    assert attempts.save_answer(attempt, item.position, ["C"], seq=300).saved
    assert not attempts.save_answer(attempt, item.position, ["B"], seq=200).saved  # late, older
    stored = db.session.scalar(select(Response).where(Response.attempt_id == attempt.id))
    db.session.refresh(stored)
    assert (stored.value, stored.seq) == (["C"], 300)


def test_malformed_answers_are_refused(app):
    _session, attempt = first_attempt()
    attempts.start(attempt.candidate)
    single = next(i for i in attempt.items if i.question.type == "single")
    for bad in (["Z"], ["A", "B"], "A", None):
        with pytest.raises(DomainError):
            attempts.save_answer(attempt, single.position, bad, seq=1)
    with pytest.raises(DomainError):
        attempts.save_answer(attempt, 999, ["A"], seq=1)


def test_time_up_submits_automatically_and_further_saves_are_refused(app):
    _session, attempt = first_attempt()
    now = utcnow()
    attempts.start(attempt.candidate, now=now)
    item = attempt.items[0]
    attempts.save_answer(attempt, item.position, correct_display_answer(item), seq=1, now=now)
    with pytest.raises(TimeUp):
        attempts.save_answer(
            attempt, item.position, ["A"], seq=2, now=attempt.deadline_at + timedelta(seconds=1)
        )
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.auto_submitted
    assert attempt.submitted_at == attempt.deadline_at
    assert attempt.score == item.points


def test_an_autosave_after_the_deadline_hands_the_paper_in_for_good(client):
    _session, attempt = first_attempt(opens_in=timedelta(hours=-3), window=timedelta(hours=5))
    client.login_as(make_user(Role.TRAINEE, staff=attempt.candidate.staff))
    attempts.start(attempt.candidate, now=utcnow() - timedelta(hours=2))
    response = client.post(
        f"/exams/my/attempts/{attempt.id}/answer",
        json={"position": attempt.items[0].position, "value": ["A"], "seq": 9},
    )
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "time_up"
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).status == AttemptStatus.SUBMITTED


def test_scoring_totals_points_passes_at_sixty_and_breaks_down_by_work_area(app):
    _session, attempt = first_attempt()
    attempts.start(attempt.candidate)
    for number, item in enumerate(attempt.items):
        value = correct_display_answer(item)
        if number % 4 == 3 and item.question.type == "single":  # some wrong answers
            value = [
                question_types.OPTION_KEYS[
                    (question_types.OPTION_KEYS.index(value[0]) + 1) % len(item.option_order)
                ]
            ]
        attempts.save_answer(attempt, item.position, value, seq=1)
    attempts.submit(attempt)
    wrong = sum(
        1 for n, i in enumerate(attempt.items) if n % 4 == 3 and i.question.type == "single"
    )
    expected = 100 - 10 * wrong
    assert attempt.score == expected
    assert attempt.passed is (expected >= 60)
    assert sum(earned for earned, _ in attempt.breakdown.values()) == expected
    assert sum(available for _, available in attempt.breakdown.values()) == 100


def test_the_paper_page_never_carries_answers_and_the_api_saves(client):
    _session, attempt = first_attempt()
    owner = make_user(Role.TRAINEE, staff=attempt.candidate.staff)
    client.login_as(owner)
    assert client.post(f"/exams/my/{attempt.candidate_id}/start").status_code == 302
    page = client.get(f"/exams/my/attempts/{attempt.id}").get_data(as_text=True)
    assert len(re.findall(r'<fieldset class="question', page)) == len(attempt.items)
    # Nothing on the page depends on the key: with every question's key and explanation
    # changed, the candidate gets the very same page (a key in an attribute, a pre-checked or
    # marked option, a data blob or an explanation would all make it differ).
    for drawn in attempt.items:
        for question in (drawn.version, drawn.question):  # the version drawn and the bank's
            assert question.explanation not in page
            question.answer_key = _another_key(question)
            question.explanation = "另一条解析"
    db.session.commit()
    again = client.get(f"/exams/my/attempts/{attempt.id}").get_data(as_text=True)
    assert _without_tokens(again) == _without_tokens(page)
    assert "另一条解析" not in again
    item = attempt.items[0]
    response = client.post(
        f"/exams/my/attempts/{attempt.id}/answer",
        json={"position": item.position, "value": ["B"], "seq": 5},
    )
    body = response.get_json()
    assert body["saved"] is True and 0 < body["remaining_seconds"] <= 3600
    assert set(body) == {"saved", "remaining_seconds"}
    stale = client.post(
        f"/exams/my/attempts/{attempt.id}/answer",
        json={"position": item.position, "value": ["C"], "seq": 4},
    )
    assert stale.get_json()["saved"] is False
    assert (
        client.post(f"/exams/my/attempts/{attempt.id}/answer", json={"position": "x"}).status_code
        == 400
    )


def _another_key(version):
    """A different key of the same type: another option, the other options, the opposite."""
    if version.type == "truefalse":
        return not version.answer_key
    if version.type == "single":
        return next(key for key in sorted(version.options) if key != version.answer_key)
    return sorted(set(version.options) - set(version.answer_key))


def _without_tokens(page):
    """The page without what changes from one request to the next (tokens, the clock)."""
    page = re.sub(r'(csrf[-_]token"[^>]*value|csrf-token" content)="[^"]+"', "", page)
    return re.sub(r'data-(remaining|server-ms)="[^"]*"', "", page)


def test_another_trainee_cannot_touch_the_attempt(client):
    _session, attempt = first_attempt()
    client.login_as(make_user(Role.TRAINEE))
    assert client.get(f"/exams/my/attempts/{attempt.id}").status_code == 403
    assert (
        client.post(
            f"/exams/my/attempts/{attempt.id}/answer",
            json={"position": 1, "value": ["A"], "seq": 1},
        ).status_code
        == 403
    )
    assert client.get(f"/exams/my/{attempt.candidate_id}").status_code == 404


def test_without_javascript_the_form_saves_and_hands_in(client):
    _session, attempt = first_attempt()
    client.login_as(make_user(Role.TRAINEE, staff=attempt.candidate.staff))
    client.post(f"/exams/my/{attempt.candidate_id}/start")
    form = {}
    for item in attempt.items:
        value = correct_display_answer(item)
        form[f"q{item.position}"] = (
            ("true" if value else "false") if isinstance(value, bool) else value
        )
    client.post(f"/exams/my/attempts/{attempt.id}/save", data={**form, "finish": "1"})
    db.session.refresh(attempt)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 100


def test_results_are_hidden_until_published_then_show_score_and_explanations(client):
    from lms.exams import sessions

    session, attempt = first_attempt(candidates=1, window=timedelta(minutes=30))
    client.login_as(make_user(Role.TRAINEE, staff=attempt.candidate.staff))
    client.post(f"/exams/my/{attempt.candidate_id}/start")
    for item in attempt.items:
        client.post(
            f"/exams/my/attempts/{attempt.id}/answer",
            json={"position": item.position, "value": correct_display_answer(item), "seq": 1},
        )
    client.post(f"/exams/my/attempts/{attempt.id}/submit")
    assert client.get(f"/exams/my/{attempt.candidate_id}/result").status_code == 302
    sessions.close(session, now=session.closes_at + timedelta(seconds=1))
    sessions.publish_results(session)
    page = client.get(f"/exams/my/{attempt.candidate_id}/result").get_data(as_text=True)
    assert re.search(r'data-testid="score">100(\.0)?<', page) and "解析" in page
