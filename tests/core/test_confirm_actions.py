"""Every other action that cannot be undone asks first (lms.core.confirm): revoking an API token,
rejecting or withdrawing a certificate from elsewhere, removing a room or a candidate from a
draft exam session, withdrawing someone from a cohort, resetting a password, reissuing a
certificate, opening an appeal and arbitrating a mark. Posted without the confirmed count, each
changes nothing and answers the confirmation page naming what happens; confirmed, it acts."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image
from sqlalchemy import select

from lms.api import services as api_services
from lms.certification import external
from lms.certification import services as certificates
from lms.certification.models import ExternalKind, ExternalStatus
from lms.core.roles import Role
from lms.db import db
from lms.exams.models import Candidate, ExamRoom
from lms.grading import sessions as skill_sessions
from lms.grading.models import TaskStatus
from lms.learning.models import EnrolmentStatus
from tests.certification.factories import make_passed_candidate
from tests.core.test_confirm import asks
from tests.exams.factories import eligible_trainee, make_session, stock_bank
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.grading.factories import make_skill_session, mark_all
from tests.learning.factories import make_cohort, make_course, make_enrolment, make_plan


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 560), "#f0e8d8").save(out, format="PNG")
    return out.getvalue()


def _external(admin, staff, number: str = "2019140400123"):
    data = external.ExternalData(
        kind=ExternalKind("baoyuyuan"),
        number=number,
        issuer="山西省职业技能鉴定指导中心",
        level=5,
        issued_on=date(2019, 5, 20),
        expires_on=None,
    )
    return external.record(staff, data, _png(), admin)


def test_revoking_an_api_token_asks_first(client) -> None:
    admin = make_user(Role.CITY_ADMIN)
    _secret, token = api_services.create_token(admin, "智慧托育平台", None, 30)
    client.login_as(admin)
    url = f"/api-tokens/{token.id}/revoke"
    page = asks(client.post(url), 1)
    assert "智慧托育平台" in page and token.prefix in page
    db.session.refresh(token)
    assert token.revoked_at is None
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_rejecting_and_withdrawing_a_certificate_from_elsewhere_ask_first(client) -> None:
    district = make_district()
    staff = make_staff(make_institution(district), name="李保育")
    admin = make_user(Role.DISTRICT_ADMIN, district=district)
    rejected = _external(admin, staff)
    confirmed = _external(admin, staff, number="2018140400999")
    external.decide(confirmed, True, admin)
    client.login_as(admin)

    page = asks(client.post(f"/external-certificates/{rejected.id}/reject"), 1)
    assert "李保育" in page and "2019140400123" in page
    db.session.refresh(rejected)
    assert rejected.status == ExternalStatus.PENDING
    client.post(f"/external-certificates/{rejected.id}/reject", data={"confirmed": "1"})
    db.session.refresh(rejected)
    assert rejected.status == ExternalStatus.REJECTED

    url = f"/external-certificates/{confirmed.id}/withdraw"
    page = asks(client.post(url, data={"note": "查无此证"}), 1)
    assert "查无此证" in page  # the reason is posted again with the confirmation
    db.session.refresh(confirmed)
    assert confirmed.revoked_at is None
    client.post(url, data={"note": "查无此证", "confirmed": "1"})
    db.session.refresh(confirmed)
    assert confirmed.revoked_at is not None


def test_removing_a_room_or_a_candidate_from_a_draft_session_asks_first(client) -> None:
    stock_bank()
    session = make_session(candidates=2, publish=False)
    room = session.rooms[0]
    candidate = db.session.scalars(select(Candidate).where(Candidate.session_id == session.id))
    candidate = next(iter(candidate))
    client.login_as(make_user(Role.CITY_ADMIN))
    base = f"/exams/sessions/{session.id}"

    page = asks(client.post(f"{base}/rooms/{room.id}/delete"), 1)
    assert "第一考场" in page
    assert db.session.get(ExamRoom, room.id) is not None
    client.post(f"{base}/rooms/{room.id}/delete", data={"confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(ExamRoom, room.id) is None

    page = asks(client.post(f"{base}/candidates/{candidate.id}/delete"), 1)
    assert candidate.admission_number in page
    client.post(f"{base}/candidates/{candidate.id}/delete", data={"confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id) is None


def test_a_candidate_admitted_after_a_removal_gets_a_number_nobody_holds(client) -> None:
    stock_bank()
    session = make_session(candidates=3, publish=False)
    first, *_rest = db.session.scalars(
        select(Candidate).where(Candidate.session_id == session.id).order_by(Candidate.id)
    )
    client.login_as(make_user(Role.CITY_ADMIN))
    client.post(
        f"/exams/sessions/{session.id}/candidates/{first.id}/delete", data={"confirmed": "1"}
    )
    newcomer = eligible_trainee(session.level)
    response = client.post(
        f"/exams/sessions/{session.id}/candidates", data={"staff_ids": [newcomer.id]}
    )
    assert response.status_code == 302
    numbers = db.session.scalars(
        select(Candidate.admission_number).where(Candidate.session_id == session.id)
    ).all()
    assert len(numbers) == len(set(numbers)) == 3


def test_withdrawing_from_a_cohort_asks_first(client) -> None:
    district = make_district()
    institution = make_institution(district)
    cohort = make_cohort(make_plan(quotas={district.id: 10}), make_course(), title="春季班")
    enrolment = make_enrolment(cohort, make_staff(institution, name="王保育"))
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=district))
    url = f"/training/enrolments/{enrolment.id}/withdraw"
    page = asks(client.post(url), 1)
    assert "王保育" in page and "春季班" in page
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    client.post(url, data={"confirmed": "1"})
    db.session.refresh(enrolment)
    assert enrolment.status == EnrolmentStatus.WITHDRAWN


def test_resetting_a_password_asks_first(client) -> None:
    target = make_user(Role.EXAMINER, display_name="考评员丁")
    before = target.password_hash
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/users/{target.id}/password-reset"
    assert "考评员丁" in asks(client.post(url), 1)
    db.session.refresh(target)
    assert target.password_hash == before
    response = client.post(url, data={"confirmed": "1"})
    assert response.status_code == 200 and 'data-testid="confirm-page"' not in response.text
    db.session.refresh(target)
    assert target.password_hash != before


def test_reissuing_a_certificate_asks_first(client) -> None:
    certificate = certificates.issue(make_passed_candidate())
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/certificates/{certificate.number}/reissue"
    asks(client.post(url), 1)
    db.session.refresh(certificate)
    assert certificate.reissue_count == 0
    client.post(url, data={"confirmed": "1"})
    db.session.refresh(certificate)
    assert certificate.reissue_count == 1


def test_opening_an_appeal_asks_first(client) -> None:
    session = make_skill_session(candidates=1, panel_sizes=(3, 3))
    candidate = session.candidates[0]
    for task in candidate.tasks:
        mark_all(task, {e: 58 for e in task.panel.examiners})
    skill_sessions.publish_results(session, make_user(Role.CITY_ADMIN))
    task = candidate.tasks[0]
    other = next(p for p in session.panels if p.id != task.panel_id)
    client.login_as(make_user(Role.CITY_ADMIN))
    data = {"panel_id": other.id, "reason": "考生认为计时有误"}
    page = asks(client.post(f"/skills/tasks/{task.id}/appeal", data=data), 1)
    assert other.name in page
    db.session.refresh(task)
    assert task.status == TaskStatus.FINAL
    client.post(f"/skills/tasks/{task.id}/appeal", data={**data, "confirmed": "1"})
    db.session.refresh(task)
    assert task.status == TaskStatus.SUPERSEDED


def test_arbitrating_a_mark_asks_first(client) -> None:
    session = make_skill_session(candidates=1, max_spread=10)
    task = session.candidates[0].tasks[0]
    chief, second, third = task.panel.examiners
    mark_all(task, {chief: 70, second: 72, third: 95})
    client.login_as(chief)
    url = f"/skills/marking/{task.id}/arbitrate"
    page = asks(client.post(url, data={"score": "75", "reason": "复核录像"}), 1)
    assert task.candidate.admission_number in page
    db.session.refresh(task)
    assert task.status == TaskStatus.ARBITRATION
    client.post(url, data={"score": "75", "reason": "复核录像", "confirmed": "1"})
    db.session.refresh(task)
    assert task.status == TaskStatus.FINAL and float(task.final_score or 0) == 75
