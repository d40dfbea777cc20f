from datetime import date

from sqlalchemy import select, text

from lms.core.audit import AuditEvent
from lms.core.roles import Role
from lms.db import db
from lms.org.models import Gender, Staff
from tests.conftest import zh
from tests.factories import (
    make_district,
    make_institution,
    make_staff,
    make_user,
    new_id_number,
    new_phone,
)


def staff_form(institution, **overrides):
    values = {
        "name": "李娟",
        "gender": "F",
        "id_number": new_id_number(),
        "phone": new_phone(),
        "institution_id": institution.id,
        "post": "caregiver",
        "in_post_from": "2021-03-01",
    }
    values.update(overrides)
    return values


def test_a_new_staff_record_stores_the_id_number_encrypted_and_shows_it_masked(client):
    institution = make_institution()
    client.login_as(make_user(Role.CITY_ADMIN))
    number = new_id_number()
    response = client.post("/staff/new", data=staff_form(institution, id_number=number.lower()))
    assert response.status_code == 302
    staff = db.session.scalar(select(Staff).where(Staff.name == "李娟"))
    raw = db.session.execute(
        text("SELECT id_number_encrypted, id_number_masked FROM staff WHERE id = :id"),
        {"id": staff.id},
    ).one()
    assert number.encode() not in bytes(raw[0])
    assert raw[1] == number[:6] + "********" + number[-4:]
    page = client.get(f"/staff/{staff.id}").get_data(as_text=True)
    assert number not in page
    assert raw[1] in page


def test_invalid_fields_are_reported_in_chinese_and_nothing_is_saved(client):
    institution = make_institution()
    client.login_as(make_user(Role.CITY_ADMIN))
    valid = new_id_number()
    bad_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    male_number = new_id_number(gender=Gender.MALE)
    cases = [
        ({"id_number": bad_check}, "ID number check digit is wrong"),
        ({"id_number": male_number}, "Gender does not match the ID number"),
        ({"phone": "12345678901"}, "Not a mainland mobile number (11 digits starting with 13–19)"),
        ({"in_post_from": "2099-01-01"}, "Start date in post cannot be in the future"),
    ]
    for change, message in cases:
        response = client.post("/staff/new", data=staff_form(institution, **change))
        assert response.status_code == 200
        assert zh(message) in response.get_data(as_text=True), message
    assert db.session.scalar(select(Staff).where(Staff.name == "李娟")) is None


def test_the_same_id_number_cannot_be_registered_twice(client):
    institution = make_institution()
    existing = make_staff(institution, id_number=(number := new_id_number()))
    client.login_as(make_user(Role.CITY_ADMIN))
    response = client.post("/staff/new", data=staff_form(institution, id_number=number))
    assert zh("A staff record with this ID number already exists") in response.get_data(
        as_text=True
    )
    assert db.session.scalars(select(Staff)).all() == [existing]


def test_editing_keeps_the_id_number_when_left_empty(client):
    staff = make_staff()
    before = staff.id_number_hash
    client.login_as(make_user(Role.CITY_ADMIN))
    form = staff_form(
        staff.institution,
        id_number="",
        name="王丽华",
        phone=staff.phone,
        in_post_from=staff.in_post_from.isoformat(),
    )
    assert client.post(f"/staff/{staff.id}/edit", data=form).status_code == 302
    db.session.refresh(staff)
    assert (staff.name, staff.id_number_hash) == ("王丽华", before)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.updated"))
    assert event.details["fields"] == ["name"]


def test_full_id_number_is_for_city_admins_only_and_is_audited(client):
    staff = make_staff(id_number=(number := new_id_number()))
    district_admin = make_user(Role.DISTRICT_ADMIN, district=staff.institution.district)
    client.login_as(district_admin)
    assert client.post(f"/staff/{staff.id}/id-number", data={"reason": "核对"}).status_code == 403
    city = make_user(Role.CITY_ADMIN)
    client.login_as(city)
    page = client.get(f"/staff/{staff.id}").get_data(as_text=True)
    assert number not in page
    missing_reason = client.post(f"/staff/{staff.id}/id-number", data={"reason": ""})
    assert number not in missing_reason.get_data(as_text=True)
    shown = client.post(f"/staff/{staff.id}/id-number", data={"reason": "核对证书信息"})
    assert number in shown.get_data(as_text=True)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "staff.id_number_viewed")
    )
    assert (event.actor_id, event.target_id, event.details["reason"]) == (
        city.id,
        staff.id,
        "核对证书信息",
    )


def test_search_by_full_id_number_name_and_phone(client):
    institution = make_institution()
    target = make_staff(institution, name="张晓雪", id_number=(number := new_id_number()))
    make_staff(institution, name="赵敏")
    client.login_as(make_user(Role.CITY_ADMIN))
    for query in (number, number.lower(), "晓雪", target.phone):
        page = client.get("/staff", query_string={"q": query}).get_data(as_text=True)
        assert "张晓雪" in page and "赵敏" not in page, query


def test_staff_list_is_scoped_and_paginated(client, app):
    home, other = make_district("140403"), make_district("140404")
    mine = make_institution(home)
    for n in range(app.config["PAGE_SIZE"] + 3):
        make_staff(
            mine, name=f"本区{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{'子丑寅卯辰巳午未申酉戌亥'[n % 12]}"
        )
    make_staff(make_institution(other), name="外区人员")
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    first = client.get("/staff").get_data(as_text=True)
    assert "外区人员" not in first
    assert first.count('href="/staff/') - first.count('href="/staff/new') >= app.config["PAGE_SIZE"]
    second = client.get("/staff", query_string={"page": 2}).get_data(as_text=True)
    assert "外区人员" not in second and "本区" in second


def test_exports_mask_ids_unless_a_city_admin_asks_for_full_numbers(client):
    import io

    from openpyxl import load_workbook

    staff = make_staff(id_number=(number := new_id_number()), name="导出测试")
    manager = make_user(Role.INSTITUTION_MANAGER, institution=staff.institution)
    client.login_as(manager)
    csv_body = client.get("/staff/export.csv").get_data()
    assert csv_body.startswith(b"\xef\xbb\xbf")
    text_body = csv_body.decode("utf-8-sig")
    assert (
        "导出测试" in text_body and number not in text_body and staff.id_number_masked in text_body
    )
    assert client.get("/staff/export.xlsx", query_string={"full": "1"}).status_code == 403
    client.login_as(make_user(Role.CITY_ADMIN))
    workbook = load_workbook(
        io.BytesIO(client.get("/staff/export.xlsx", query_string={"full": "1"}).get_data())
    )
    values = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    assert number in values
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.exported_full"))
        is not None
    )


def test_in_post_filter_hides_people_who_left(client):
    institution = make_institution()
    make_staff(institution, name="在岗者")
    make_staff(
        institution, name="离岗者", in_post_from=date(2019, 1, 1), in_post_to=date(2023, 6, 30)
    )
    client.login_as(make_user(Role.CITY_ADMIN))
    page = client.get("/staff", query_string={"in_post": "y"}).get_data(as_text=True)
    assert "在岗者" in page and "离岗者" not in page
