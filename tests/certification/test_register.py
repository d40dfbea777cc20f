"""The certificate register (GET /certificates): search, filters, pages, status in colour, and
the ZIP download's answers when there is nothing to put in it."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from lms.certification import services
from lms.certification.models import Certificate, CertificateStatus
from lms.core import localtime
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.org.services import decrypt_id_number
from tests.certification.factories import make_passed_candidate
from tests.conftest import zh
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_enrolment

_serials = itertools.count(500)


def copy_of(certificate: Certificate, staff, **changes) -> Certificate:
    """Another person's certificate like ``certificate`` (rendering none: the register lists
    rows)."""
    serial = next(_serials)
    values = {
        "number": certificate.number[:16] + f"{serial:06d}",
        "staff_id": staff.id,
        "skill_candidate_id": certificate.skill_candidate_id,
        "level": certificate.level,
        "year": certificate.year,
        "serial": serial,
        "holder_name": staff.name,
        "id_number_masked": staff.id_number_masked,
        "organisation": certificate.organisation,
        "issued_on": certificate.issued_on,
    }
    values.update(changes)
    copy = Certificate(**values)
    db.session.add(copy)
    db.session.flush()
    return copy


@pytest.fixture
def city(client):
    client.login_as(make_user(Role.CITY_ADMIN))
    return client


def _numbers(client, **query) -> list[str]:
    response = client.get("/certificates", query_string=query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return [c.number for c in db.session.query(Certificate) if f">{c.number}</a>" in page]


def test_search_by_name_number_id_number_and_institution(city) -> None:
    first = services.issue(make_passed_candidate())
    far = make_institution(make_district("140404"), name="潞州区幸福托育园")
    other = copy_of(first, make_staff(far, name="赵晓燕"))
    assert set(_numbers(city)) == {first.number, other.number}
    assert _numbers(city, q="晓燕") == [other.number]
    assert _numbers(city, q=other.number) == [other.number]
    assert _numbers(city, q="幸福托育") == [other.number]
    full_id = decrypt_id_number(other.staff)
    assert _searched(city, q=full_id.lower()) == [other.number]  # by its keyed hash
    assert _searched(city, q=full_id[:-1] + ("0" if full_id[-1] != "0" else "1")) == []
    assert _numbers(city, q="100%") == []  # LIKE wildcards are literal


def _post_search(client, **fields):
    return client.post("/certificates/search", data=fields)


def _searched(client, **fields) -> list[str]:
    """The numbers the search form finds: an ID number is answered on the POST itself,
    anything else by the register's address it redirects to."""
    response = _post_search(client, **fields)
    if response.status_code == 302:
        response = client.get(response.location)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return [c.number for c in db.session.query(Certificate) if f">{c.number}</a>" in page]


def _addresses(page: str) -> list[str]:
    """Every address a page can send the browser to: links, forms, images, scripts."""
    return re.findall(r'(?:href|action|src|formaction)="([^"]*)"', page)


def test_a_full_id_number_is_searched_by_post_and_appears_in_no_address(city) -> None:
    first = services.issue(make_passed_candidate())
    full_id = decrypt_id_number(first.staff)
    response = _post_search(city, q=full_id, status="valid", level=str(first.level))
    assert response.status_code == 200  # answered here: no redirect carrying the number
    page = response.get_data(as_text=True)
    assert f">{first.number}</a>" in page
    assert first.staff.id_number_masked in page  # shown masked, with what was searched
    assert full_id not in page  # not even echoed back into the search field
    addresses = _addresses(page)
    assert addresses and not [a for a in addresses if full_id in a or full_id.lower() in a]
    # The register's other searches keep their addresses: bookmarkable and paged.
    by_name = _post_search(city, q=first.holder_name)
    assert by_name.status_code == 302 and "q=" in by_name.location
    assert first.number in city.get(by_name.location).get_data(as_text=True)
    # Typed into the address by hand, an ID number is not searched, nor carried on.
    typed = city.get("/certificates", query_string={"q": full_id, "level": first.level})
    assert typed.status_code == 302 and full_id not in typed.location
    assert f"level={first.level}" in typed.location
    after = city.get(typed.location).get_data(as_text=True)
    assert zh("Search by ID number with the search form; it is not read from an address.") in after
    assert not [a for a in _addresses(after) if full_id in a]


@pytest.mark.usefixtures("csrf_enabled")
def test_the_search_form_needs_its_csrf_token(city) -> None:
    response = city.post("/certificates/search", data={"q": "张"})
    assert response.status_code in (302, 400) and "q=" not in response.headers.get("Location", "")
    page = city.get("/certificates").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    searched = city.post("/certificates/search", data={"q": "张", "csrf_token": token})
    assert searched.status_code == 302 and "q=" in searched.location


def test_filters_by_district_cohort_level_status_and_issue_date(city) -> None:
    first = services.issue(make_passed_candidate())
    away = make_district("140404")
    revoked = copy_of(
        first,
        make_staff(make_institution(away)),
        status=CertificateStatus.REVOKED,
        revoked_at=utcnow(),
        issued_on=date(2025, 3, 1),
        level=4,
        number=first.number[:15] + "4" + "000777",
    )
    expired = copy_of(first, make_staff(), issued_on=date(2020, 1, 1), expires_on=date(2023, 1, 1))
    cohort = make_cohort()
    make_enrolment(cohort, expired.staff)
    assert _numbers(city, district=away.id) == [revoked.number]
    assert _numbers(city, cohort=cohort.id) == [expired.number]
    assert _numbers(city, level=4) == [revoked.number]
    assert _numbers(city, status="revoked") == [revoked.number]
    assert _numbers(city, status="expired") == [expired.number]
    assert _numbers(city, status="valid") == [first.number]
    assert _numbers(city, **{"from": "2025-01-01", "to": "2025-12-31"}) == [revoked.number]
    page = city.get("/certificates", query_string={"status": "revoked"}).get_data(as_text=True)
    assert 'class="cert-status cert-status-revoked"' in page and zh("Revoked") in page
    assert city.get("/certificates", query_string={"level": "9"}).status_code == 400
    assert city.get("/certificates", query_string={"from": "2025-13-01"}).status_code == 400


def test_the_register_pages_past_the_old_cut(city) -> None:
    first = services.issue(make_passed_candidate())
    institution = make_institution()
    for _ in range(60):
        copy_of(first, make_staff(institution))
    page1 = city.get("/certificates").get_data(as_text=True)
    assert zh("Page %(p)d of %(n)d") % {"p": 1, "n": 2} in page1
    assert page1.count('data-testid="register-status"') == 50
    page2 = city.get("/certificates", query_string={"page": 2}).get_data(as_text=True)
    assert page2.count('data-testid="register-status"') == 11
    past_the_end = city.get("/certificates", query_string={"page": 99}).get_data(as_text=True)
    assert past_the_end.count('data-testid="register-status"') == 11  # the last page


def test_the_public_page_shows_the_status_in_colour(client) -> None:
    certificate = services.issue(make_passed_candidate())
    page = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert 'class="cert-status cert-status-valid"' in page
    services.revoke(certificate, "伪造材料")
    page = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert 'class="cert-status cert-status-revoked"' in page
    assert "style=" not in page.split("<main", 1)[-1]  # colour by class: the CSP allows no inline


def test_the_zip_with_nothing_chosen_or_nothing_in_it_says_so_in_chinese(city) -> None:
    services.issue(make_passed_candidate())
    empty = make_district("140404")
    for query in ({}, {"district": ""}, {"district": empty.id}):
        response = city.get("/certificates/archive.zip", query_string=query)
        assert response.status_code == 302, query
        assert response.headers["Location"].endswith("/certificates")
        page = city.get("/certificates").get_data(as_text=True)
        expected = (
            "Choose a district or a cohort to download its certificates."
            if not query.get("district")
            else "There are no valid certificates for this choice: no file was made."
        )
        assert zh(expected) in page and zh(expected) != expected
    home = make_district("140403")
    response = city.get("/certificates/archive.zip", query_string={"district": home.id})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.data[:2] == b"PK"
    response.close()


def test_the_register_is_cut_to_today_by_expiry(city) -> None:
    first = services.issue(make_passed_candidate())
    soon = copy_of(first, make_staff(), expires_on=localtime.today() + timedelta(days=400))
    assert soon.number in _numbers(city, status="valid")
