"""Expiry, who is eligible, the Open Badges 3.0 credential, and ZIP downloads."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import current_app

from lms.certification import badges, services, signing
from lms.core.crypto import cipher
from lms.core.roles import Role
from lms.db import db
from lms.org.services import ID_PURPOSE
from tests.certification.factories import make_passed_candidate
from tests.conftest import zh
from tests.factories import make_district, make_institution, make_user

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def valid_three_years(monkeypatch):
    monkeypatch.setitem(current_app.config, "CERT_VALID_YEARS", 3)


def test_without_a_validity_period_certificates_do_not_expire() -> None:
    certificate = services.issue(make_passed_candidate(), on=date(2020, 1, 2))
    assert certificate.expires_on is None
    assert certificate.status_on(date(2099, 1, 1)) == "valid"


def test_an_expired_certificate_says_so_on_the_page_and_in_the_api(
    client, valid_three_years
) -> None:
    certificate = services.issue(make_passed_candidate(), on=date(2020, 2, 29))
    assert certificate.expires_on == date(2023, 2, 28)
    assert certificate.status_on(date(2023, 2, 27)) == "valid"
    page = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert zh("Expired") in page and zh("Valid until") in page and "2023年2月28日" in page
    record = client.get(f"/api/v1/certificates/{certificate.number}").get_json()
    assert record["status"] == "expired" and record["expires_on"] == "2023-02-28"


def test_a_current_certificate_with_expiry_prints_its_end_date(valid_three_years) -> None:
    certificate = services.issue(make_passed_candidate())

    end = certificate.expires_on
    assert end is not None and end.year == services.today().year + 3
    assert certificate.current_status == "valid"
    printed = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=services.stored_pdf(certificate),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert re.search(f"有效期至 +{end.year}年{end.month}月{end.day}日", printed), printed


def test_eligible_are_the_passed_without_a_certificate() -> None:
    passed = make_passed_candidate()
    failed_skills = make_passed_candidate(skills=40)
    assert passed in services.eligible()
    assert failed_skills not in services.eligible()
    assert services.eligible(session_id=passed.session_id) == [passed]
    services.issue(passed)
    assert passed not in services.eligible()


def test_the_open_badge_is_a_signed_ob3_credential_without_the_id_number(client) -> None:
    candidate = make_passed_candidate()
    certificate = services.issue(candidate, on=date(2026, 11, 20))
    client.login_as(make_user(Role.TRAINEE, staff=candidate.staff))
    document = json.loads(client.get(f"/certificates/{certificate.number}/badge.json").data)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in document["@context"]
    assert document["validFrom"] == "2026-11-19T16:00:00Z"  # midnight in Changzhi
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["humanCode"] == certificate.number and "五级/初级工" in achievement["name"]
    id_number = cipher().decrypt(candidate.staff.id_number_encrypted, ID_PURPOSE)
    assert id_number not in json.dumps(document, ensure_ascii=False)
    # The holder is named and identified by a random id (tests/certification/test_badge_privacy)
    assert document["credentialSubject"]["id"] == f"urn:uuid:{certificate.subject_id}"

    token = client.get(f"/certificates/{certificate.number}/badge.jwt").get_data(as_text=True)
    header_text, payload_text, signature_text = token.split(".")
    header = json.loads(signing.unb64url(header_text))
    assert header["alg"] == "EdDSA"
    published = client.get("/verify/jwks.json").get_json()["keys"][0]
    assert published == header["jwk"]
    key = Ed25519PublicKey.from_public_bytes(signing.unb64url(published["x"]))
    key.verify(signing.unb64url(signature_text), f"{header_text}.{payload_text}".encode())
    payload = json.loads(signing.unb64url(payload_text))
    assert payload["credentialSubject"] == document["credentialSubject"]
    assert payload["jti"] == document["id"] and payload["nbf"] == 1795104000

    forged = json.loads(signing.unb64url(payload_text))
    forged["credentialSubject"]["achievement"]["name"] = "保育师（一级/高级技师）"
    forged_text = signing.b64url(json.dumps(forged, ensure_ascii=False).encode())
    assert badges.verify_jwt(f"{header_text}.{forged_text}.{signature_text}") is None
    assert badges.verify_jwt(token) == payload


def test_someone_elses_badge_is_not_found(client) -> None:
    certificate = services.issue(make_passed_candidate())
    client.login_as(make_user(Role.TRAINEE))
    assert client.get(f"/certificates/{certificate.number}/badge.jwt").status_code == 404
    assert client.get(f"/certificates/{certificate.number}/badge.json").status_code == 404


def test_a_district_zip_holds_its_valid_certificates_as_pdfs(client) -> None:
    kept = services.issue(make_passed_candidate())
    revoked = services.issue(make_passed_candidate())
    services.revoke(revoked, "信息有误")
    elsewhere = services.issue(make_passed_candidate())
    district_id = kept.staff.institution.district_id
    revoked.staff.institution = kept.staff.institution
    elsewhere.staff.institution = make_institution(district=make_district("140404"))
    db.session.flush()
    client.login_as(make_user(Role.CITY_ADMIN))
    response = client.get("/certificates/archive.zip", query_string={"district": district_id})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(response.data))
    assert bundle.namelist() == [f"{kept.number}-{kept.holder_name}.pdf"]
    assert bundle.read(bundle.namelist()[0]) == services.stored_pdf(kept)
    response.close()
    nothing_chosen = client.get("/certificates/archive.zip")  # said in Chinese on the register
    assert nothing_chosen.status_code == 302 and nothing_chosen.location.endswith("/certificates")


def test_a_cohort_zip_holds_its_members_certificates(client) -> None:
    from lms.learning.models import Enrolment, EnrolmentStatus
    from tests.learning.factories import make_cohort

    member = services.issue(make_passed_candidate())
    services.issue(make_passed_candidate())
    cohort = make_cohort()
    db.session.add(
        Enrolment(cohort_id=cohort.id, staff_id=member.staff_id, status=EnrolmentStatus.ENROLLED)
    )
    db.session.flush()
    client.login_as(make_user(Role.CITY_ADMIN))
    response = client.get("/certificates/archive.zip", query_string={"cohort": cohort.id})
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    response.close()
    assert names == [f"{member.number}-{member.holder_name}.pdf"]


def test_trainees_cannot_download_zips(client) -> None:
    client.login_as(make_user(Role.TRAINEE))
    assert client.get("/certificates/archive.zip?district=1").status_code == 403


def test_validity_end_of_a_leap_day(monkeypatch) -> None:
    assert services.validity_end(date(2024, 3, 1)) is None
    monkeypatch.setitem(current_app.config, "CERT_VALID_YEARS", 1)
    assert services.validity_end(date(2024, 2, 29)) == date(2025, 2, 28)
    assert services.validity_end(date(2024, 3, 1)) == date(2025, 3, 1)
