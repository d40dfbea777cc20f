from sqlalchemy import select

from lms.core.audit import AuditEvent
from lms.core.roles import Role
from lms.db import db
from lms.org.models import Institution, InstitutionType
from tests.conftest import zh
from tests.factories import make_district, make_institution, make_user


def form(district, **overrides):
    values = {
        "name": "潞州区太行东街社区托育点",
        "district_id": district.id,
        "type": "community_point",
        "is_inclusive": "y",
        "registered_places": "40",
        "address": "潞州区太行东街88号",
        "contact_name": "郭敏",
        "contact_phone": "0355-2113499",
        "is_active": "y",
    }
    values.update(overrides)
    return values


def test_city_admin_registers_an_institution(client):
    district = make_district()
    client.login_as(make_user(Role.CITY_ADMIN))
    response = client.post("/institutions/new", data=form(district))
    assert response.status_code == 302
    institution = db.session.scalar(select(Institution))
    assert (institution.type, institution.is_inclusive, institution.registered_places) == (
        InstitutionType.COMMUNITY_POINT,
        True,
        40,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "institution.created"))
    assert event.target_id == institution.id


def test_duplicate_names_negative_places_and_bad_phones_are_refused(client):
    district = make_district()
    make_institution(district, name="已登记托育点")
    client.login_as(make_user(Role.CITY_ADMIN))
    page = client.post("/institutions/new", data=form(district, name="已登记托育点")).get_data(
        as_text=True
    )
    assert zh("An institution with this name is already registered") in page
    page = client.post("/institutions/new", data=form(district, contact_phone="12345")).get_data(
        as_text=True
    )
    assert zh("Not a mainland mobile number (11 digits starting with 13–19)") in page
    response = client.post("/institutions/new", data=form(district, registered_places="-1"))
    assert response.status_code == 200
    assert db.session.scalar(select(Institution.name)) == "已登记托育点"


def test_district_admin_works_only_in_their_district(client):
    home, away = make_district("140403"), make_district("140404")
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    page = client.get("/institutions/new").get_data(as_text=True)
    assert home.name in page and away.name not in page
    client.post("/institutions/new", data=form(away))
    assert db.session.scalar(select(Institution)) is None
    assert client.post("/institutions/new", data=form(home)).status_code == 302


def test_manager_edits_contact_details_but_not_type_or_district(client):
    home, away = make_district("140403"), make_district("140404")
    institution = make_institution(home, name="原名托育点", type=InstitutionType.FAMILY_POINT)
    client.login_as(make_user(Role.INSTITUTION_MANAGER, institution=institution))
    response = client.post(
        f"/institutions/{institution.id}/edit",
        data=form(
            away,
            name="改名托育点",
            type="city_centre",
            registered_places="12",
            contact_phone="13903551234",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(institution)
    assert (institution.name, institution.type, institution.district_id) == (
        "原名托育点",
        InstitutionType.FAMILY_POINT,
        home.id,
    )
    assert (institution.registered_places, institution.contact_phone) == (12, "13903551234")


def test_search_filters_and_pagination(client, app):
    home, away = make_district("140403"), make_district("140404")
    for n in range(app.config["PAGE_SIZE"] + 2):
        make_institution(home, name=f"潞州区第{n:02d}托育点")
    make_institution(away, name="上党区唯一家庭托育点", type=InstitutionType.FAMILY_POINT)
    client.login_as(make_user(Role.CITY_ADMIN))
    page = client.get("/institutions", query_string={"q": "唯一"}).get_data(as_text=True)
    assert "上党区唯一家庭托育点" in page and "潞州区第00托育点" not in page
    page = client.get("/institutions", query_string={"type": "family_point"}).get_data(as_text=True)
    assert "上党区唯一家庭托育点" in page and "潞州区第01托育点" not in page
    page = client.get("/institutions", query_string={"district_id": home.id, "page": 2})
    text = page.get_data(as_text=True)
    assert "潞州区第26托育点" in text and "潞州区第00托育点" not in text
