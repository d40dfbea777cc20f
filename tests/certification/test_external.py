"""Certificates from elsewhere: recorded with a scan, confirmed by a district or city
administrator, and only then counted."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image
from sqlalchemy import select

from lms.certification.models import ExternalCertificate, ExternalStatus
from lms.core.access import Scope
from lms.core.audit import AuditEvent
from lms.core.localtime import today
from lms.core.roles import Role
from lms.db import db
from lms.reports import rates
from tests.conftest import zh
from tests.factories import make_district, make_institution, make_staff, make_user


def _png(width: int = 800, height: int = 560) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#f0e8d8").save(out, format="PNG")
    return out.getvalue()


def _record(client, staff, scan: bytes, name: str = "cert.png", number: str = "2019140400123"):
    return client.post(
        f"/external-certificates/new/{staff.id}",
        data={
            "kind": "baoyuyuan",
            "number": number,
            "issuer": "山西省职业技能鉴定指导中心",
            "level": "5",
            "issued_on": "2019-05-20",
            "scan": (io.BytesIO(scan), name),
        },
        content_type="multipart/form-data",
    )


def test_a_manager_records_and_the_district_confirms_then_it_counts(client):
    district = make_district("140403")
    institution = make_institution(district)
    staff = make_staff(institution, name="李保育")
    client.login_as(make_user(Role.INSTITUTION_MANAGER, institution=institution))
    assert _record(client, staff, _png()).status_code == 302
    certificate = db.session.scalar(select(ExternalCertificate))
    assert certificate.status == ExternalStatus.PENDING
    city = Scope(Role.CITY_ADMIN)
    assert rates.overall(today(), city) == rates.Count(1, 0)
    assert client.post(f"/external-certificates/{certificate.id}/confirm").status_code == 403

    client.login_as(make_user(Role.DISTRICT_ADMIN, district=district))
    listing = client.get("/external-certificates").get_data(as_text=True)
    assert "李保育" in listing and zh("Awaiting confirmation") in listing
    client.post(f"/external-certificates/{certificate.id}/confirm")
    db.session.refresh(certificate)
    assert certificate.status == ExternalStatus.CONFIRMED
    assert rates.overall(today(), city) == rates.Count(1, 1)

    client.post(
        f"/external-certificates/{certificate.id}/withdraw",
        data={"note": "查无此证", "confirmed": "1"},
    )
    db.session.refresh(certificate)
    assert certificate.revoked_at is not None
    assert rates.overall(today(), city) == rates.Count(1, 0)


def test_the_scan_is_stored_encrypted_re_encoded_and_its_views_are_recorded(client):
    institution = make_institution()
    staff = make_staff(institution)
    client.login_as(make_user(Role.CITY_ADMIN))
    _record(client, staff, _png())
    certificate = db.session.scalar(select(ExternalCertificate))
    assert b"JFIF" not in certificate.scan_encrypted and certificate.scan_type == "image/jpeg"
    scan = client.get(f"/external-certificates/{certificate.id}/scan")
    assert scan.status_code == 200 and scan.data[:3] == b"\xff\xd8\xff"
    assert Image.open(io.BytesIO(scan.data)).size == (800, 560)
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "external_certificate.scan_viewed")
    )


def test_bad_scans_and_duplicates_are_refused_with_a_reason_and_nothing_is_kept(client):
    staff = make_staff()
    client.login_as(make_user(Role.CITY_ADMIN))
    page = _record(client, staff, b"MZ\x90\x00 not a picture", name="cert.jpg")
    assert page.status_code == 400
    assert zh("The scan must be a JPEG or PNG picture or a PDF") in page.get_data(as_text=True)
    assert db.session.scalar(select(ExternalCertificate)) is None
    assert _record(client, staff, b"%PDF-1.7\n%...", name="cert.pdf").status_code == 302
    again = _record(client, make_staff(name="另一人"), _png())
    assert again.status_code == 400
    assert zh("A certificate of this kind with this number is already recorded") in again.get_data(
        as_text=True
    )
    assert len(db.session.scalars(select(ExternalCertificate)).all()) == 1


def test_nobody_records_for_staff_outside_their_scope(client):
    home, away = make_district("140403"), make_district("140404")
    outsider = make_staff(make_institution(away))
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    assert _record(client, outsider, _png()).status_code == 404


def test_the_staff_page_lists_our_and_other_certificates(client):
    from tests.reports.factories import certify, record_external

    staff = make_staff(name="王持证")
    certify(staff, date(2026, 5, 1))
    record_external(staff, number="YY2018001")
    client.login_as(make_user(Role.CITY_ADMIN))
    html = client.get(f"/staff/{staff.id}").get_data(as_text=True)
    assert "YY2018001" in html and zh("Confirmed") in html and "五级/初级工" in html


def test_a_scan_claiming_30000_by_30000_pixels_is_refused_with_a_reason(client):
    from tests.certification.test_photos import HUGE, png_claiming

    staff = make_staff()
    client.login_as(make_user(Role.CITY_ADMIN))
    page = _record(client, staff, png_claiming(30000, 30000), name="scan.png")
    assert page.status_code == 400
    assert zh(HUGE, max="25") in page.get_data(as_text=True)
    assert db.session.scalar(select(ExternalCertificate)) is None
