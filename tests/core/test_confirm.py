"""Actions that cannot be undone ask first, saying what happens and to how many (counted on the
server); they run only when the post confirms that very count (lms.core.confirm)."""

from __future__ import annotations

from datetime import timedelta

from lms.accounts.models import User
from lms.certification import services as certificates
from lms.certification.models import CertificateStatus
from lms.core.roles import Role
from lms.db import db
from lms.exams import sessions as exam_sessions
from lms.exams.models import SessionStatus
from lms.grading.models import SkillSessionStatus
from tests.certification.factories import make_passed_candidate
from tests.conftest import zh
from tests.exams.factories import make_session, stock_bank
from tests.factories import make_user
from tests.grading.factories import make_skill_session, mark_all


def asks(response, count: int) -> str:
    """The confirmation page, for ``count``."""
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="confirm-page"' in page
    assert zh("Affects: %(n)d", n=count) in page
    assert f'name="confirmed" value="{count}"' in page
    return page


def test_theory_results_are_published_only_once_the_count_is_confirmed(client) -> None:
    stock_bank()
    session = make_session(candidates=3)
    exam_sessions.close(session, now=session.closes_at + timedelta(seconds=1))
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/exams/sessions/{session.id}/results/publish"

    page = asks(client.post(url), 3)
    assert (
        zh(
            "%(n)d candidates see their theory scores and results, which then count toward "
            "certificates.",
            n=3,
        )
        in page
    )
    db.session.refresh(session)
    assert session.status == SessionStatus.CLOSED

    # A count that is not the server's (the list changed, or a forged post) asks again.
    page = asks(client.post(url, data={"confirmed": "2"}), 3)
    assert zh("The number changed since you looked: please check again.") in page
    db.session.refresh(session)
    assert session.status == SessionStatus.CLOSED

    response = client.post(url, data={"confirmed": "3"})
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.status == SessionStatus.RESULTS_PUBLISHED


def test_closing_says_how_many_unfinished_papers_are_handed_in(client, freeze_clock) -> None:
    stock_bank()
    session = make_session(candidates=2, window=timedelta(minutes=10), opens_in=timedelta(0))
    freeze_clock(session.closes_at + timedelta(minutes=1))
    client.login_as(make_user(Role.CITY_ADMIN))
    asks(client.post(f"/exams/sessions/{session.id}/close"), 2)
    db.session.refresh(session)
    assert session.status == SessionStatus.PUBLISHED
    client.post(f"/exams/sessions/{session.id}/close", data={"confirmed": "2"})
    db.session.refresh(session)
    assert session.status == SessionStatus.CLOSED


def test_skill_results_ask_before_publishing(client) -> None:
    session = make_skill_session(candidates=2)
    for candidate in session.candidates:
        for task in candidate.tasks:
            mark_all(task)
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/skills/sessions/{session.id}/publish-results"
    asks(client.post(url), 2)
    db.session.refresh(session)
    assert session.status == SkillSessionStatus.PUBLISHED
    assert client.post(url, data={"confirmed": "2"}).status_code == 302
    db.session.refresh(session)
    assert session.status == SkillSessionStatus.RESULTS_PUBLISHED


def test_deactivating_an_account_asks_and_a_repeated_post_does_not_flip_it_back(client) -> None:
    target = make_user(Role.EXAMINER, display_name="考评员丙")
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/users/{target.id}/active"
    page = asks(client.post(url, data={"active": "0"}), 1)
    assert "考评员丙" in page
    db.session.refresh(target)
    assert target.is_active
    client.post(url, data={"active": "0", "confirmed": "1"})
    db.session.refresh(target)
    assert not target.is_active
    # The same confirmed post again (a double click, Back and resend) leaves it deactivated.
    client.post(url, data={"active": "0", "confirmed": "1"})
    db.session.refresh(target)
    assert not target.is_active
    # Activating again can be undone: no question.
    assert client.post(url, data={"active": "1"}).status_code == 302
    db.session.refresh(target)
    assert target.is_active


def test_revoking_a_certificate_asks_first(client) -> None:
    candidate = make_passed_candidate()
    certificate = certificates.issue(candidate)
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/certificates/{certificate.number}/revoke"
    page = asks(client.post(url, data={"reason": "信息有误"}), 1)
    assert candidate.staff.name in page and "信息有误" in page  # the reason is posted again
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.VALID
    client.post(url, data={"reason": "信息有误", "confirmed": "1"})
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.REVOKED


def test_bulk_issue_says_how_many_get_a_certificate(client) -> None:
    make_passed_candidate()
    client.login_as(make_user(Role.CITY_ADMIN))
    asks(client.post("/certificates/issue"), 1)
    assert db.session.query(User).count() >= 1
    response = client.post("/certificates/issue", data={"confirmed": "1"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
