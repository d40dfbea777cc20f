"""/api/v1 as the city's platform uses it: tokens, scopes, errors, pagination, the OpenAPI
document, and the same numbers as the dashboards."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.api import services
from lms.api.models import ApiToken
from lms.core.access import Scope
from lms.core.localtime import today
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.reports import queries
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.reports.factories import certify


def _world():
    home, away = make_district("140403"), make_district("140404")
    near, far = make_institution(home, name="潞州托育点"), make_institution(away, name="上党托育点")
    for number in range(4):
        staff = make_staff(near, name=f"潞州{number}")
        if number < 3:
            certify(staff)
    for number in range(2):
        make_staff(far, name=f"上党{number}")
    return home, away, near, far


def _token(district=None, days: int = 30) -> str:
    admin = make_user(Role.CITY_ADMIN)
    secret, _ = services.create_token(
        admin, "市智慧托育平台", district.id if district else None, days
    )
    return secret


def _get(client, url: str, secret: str | None):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.get(url, headers=headers)


def test_the_openapi_document_describes_exactly_the_api_routes(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {path for path in document["paths"]}
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert documented == routes
    for path, operations in document["paths"].items():
        for parameter in operations["get"]["parameters"]:
            if parameter["in"] == "path":
                assert "{" + parameter["name"] + "}" in path


@pytest.mark.parametrize("header", [None, "Bearer lms_not-a-token", "Basic YWRtaW46eA=="])
def test_without_a_valid_token_the_answer_is_401_json(client, header):
    response = client.get("/api/v1/rates", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_session_is_not_enough(client):
    client.login_as(make_user(Role.CITY_ADMIN))
    assert client.get("/api/v1/rates").status_code == 401


def test_expired_and_revoked_tokens_stop_working(client):
    _world()
    secret = _token()
    assert _get(client, "/api/v1/rates", secret).status_code == 200
    token = db.session.scalar(select(ApiToken))
    token.created_at = utcnow() - timedelta(days=31)
    token.expires_at = utcnow() - timedelta(seconds=1)
    assert _get(client, "/api/v1/rates", secret).status_code == 401
    token.expires_at = utcnow() + timedelta(days=1)
    services.revoke(token, make_user(Role.CITY_ADMIN))
    assert _get(client, "/api/v1/rates", secret).status_code == 401


def test_tokens_are_shown_once_and_stored_as_a_hash(client):
    district = make_district("140403")
    client.login_as(make_user(Role.CITY_ADMIN))
    page = client.post(
        "/api-tokens", data={"name": "市智慧托育平台", "district_id": district.id, "days": 30}
    ).get_data(as_text=True)
    secret = re.search(r'data-testid="new-token"[^>]*>(lms_[\w-]+)<', page).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == services.token_hash(secret) and secret not in token.token_hash
    assert token.district_id == district.id
    assert secret not in client.get("/api-tokens").get_data(as_text=True)
    assert _get(client, "/api/v1/rates", secret).status_code == 200


def test_district_admins_make_tokens_for_their_own_district_only(client):
    home, away = make_district("140403"), make_district("140404")
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    refused = client.post(
        "/api-tokens", data={"name": "区平台", "district_id": away.id, "days": 30}
    )
    assert refused.status_code == 400 and db.session.scalar(select(ApiToken)) is None
    client.post("/api-tokens", data={"name": "区平台", "district_id": home.id, "days": 30})
    assert db.session.scalar(select(ApiToken.district_id)) == home.id


def test_the_api_answers_the_same_numbers_as_the_dashboard(client):
    _home, _away, _near, _far = _world()
    secret = _token()
    city = _get(client, "/api/v1/rates", secret).get_json()
    expected = queries.overall(Scope(Role.CITY_ADMIN), today())
    assert city["total"] == {"in_post": 6, "certified": 3, "uncertified": 3, "rate": 0.5}
    assert (expected.in_post, expected.certified) == (6, 3)
    client.login_as(make_user(Role.CITY_ADMIN))
    assert "50.0%" in client.get("/dashboard").get_data(as_text=True)
    districts = _get(client, "/api/v1/rates?level=district", secret).get_json()["items"]
    assert [(d["code"], d["count"]["rate"]) for d in districts] == [
        ("140403", 0.75),
        ("140404", 0.0),
    ]
    institutions = _get(
        client, "/api/v1/rates?level=institution&per_page=1&page=2", secret
    ).get_json()
    assert institutions["pages"] == 2 and [i["name"] for i in institutions["items"]] == [
        "上党托育点"
    ]


def test_a_district_token_sees_its_district_only(client):
    home, _away, _near, _far = _world()
    secret = _token(home)
    rates = _get(client, "/api/v1/rates?level=district", secret).get_json()
    assert [d["code"] for d in rates["items"]] == ["140403"] and rates["total"]["in_post"] == 4
    names = {s["name"] for s in _get(client, "/api/v1/staff", secret).get_json()["items"]}
    assert names == {f"潞州{n}" for n in range(4)}
    forbidden = _get(client, "/api/v1/rates?district=140404", secret)
    assert forbidden.status_code == 403 and forbidden.get_json()["error"]["code"] == "forbidden"
    institutions = _get(client, "/api/v1/institutions", secret).get_json()["items"]
    assert [i["name"] for i in institutions] == ["潞州托育点"]


def test_staff_are_masked_and_paginated(client):
    _, _, near, _ = _world()
    secret = _token()
    first = _get(client, "/api/v1/staff?per_page=4", secret).get_json()
    assert (first["total"], first["pages"], len(first["items"])) == (6, 2, 4)
    body = _get(client, "/api/v1/staff?per_page=500", secret).get_data(as_text=True)
    for person in near.staff:
        assert person.id_number_masked in body
    assert not re.search(r"\d{17}[\dX]", body)  # no full ID number anywhere
    certified = {
        s["name"]: s["certified"]
        for s in _get(client, "/api/v1/staff?per_page=500", secret).get_json()["items"]
    }
    assert certified["潞州0"] is True and certified["潞州3"] is False


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("/api/v1/staff?per_page=501", "per_page"),
        ("/api/v1/staff?page=0", "page"),
        ("/api/v1/rates?date=2026-02-30", "date"),
        ("/api/v1/rates?level=street", "level"),
        ("/api/v1/certificates?status=lost", "status"),
    ],
)
def test_bad_parameters_get_a_400_naming_the_parameter(client, query, message):
    secret = _token()
    response = _get(client, query, secret)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameter" and error["message"].startswith(message)


def test_unknown_api_paths_are_json_404(client):
    response = _get(client, "/api/v1/nothing", _token())
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_certificates_list_with_status_on_the_date(client):
    from datetime import date

    staff = make_staff(name="张持证")
    certify(staff, date(2026, 1, 10), expires_on=date(2026, 6, 1))
    secret = _token()
    valid = _get(client, "/api/v1/certificates?date=2026-03-01&status=valid", secret).get_json()
    expired = _get(client, "/api/v1/certificates?date=2026-07-01&status=expired", secret).get_json()
    assert [c["holder_name"] for c in valid["items"]] == ["张持证"]
    assert [c["status"] for c in expired["items"]] == ["expired"]
    assert (
        _get(client, "/api/v1/certificates?date=2026-07-01&status=valid", secret).get_json()[
            "total"
        ]
        == 0
    )


def test_certificates_are_filtered_and_counted_in_the_database_as_status_on_says(client):
    from datetime import UTC, date, datetime

    from lms.certification.models import Certificate

    made = [
        certify(make_staff(name="甲"), date(2026, 1, 10)),
        certify(make_staff(name="乙"), date(2026, 1, 10), expires_on=date(2026, 6, 1)),
        certify(
            make_staff(name="丙"), date(2026, 1, 10), revoked_at=datetime(2026, 2, 1, tzinfo=UTC)
        ),
        certify(
            make_staff(name="丁"),
            date(2026, 1, 10),
            expires_on=date(2026, 6, 1),
            revoked_at=datetime(2026, 2, 1, tzinfo=UTC),
        ),
    ]
    secret = _token()
    # The day of expiry is already expired; a revoked certificate is revoked whatever its expiry.
    for day in (date(2026, 5, 31), date(2026, 6, 1), date(2026, 7, 1)):
        in_sql = dict(
            db.session.execute(select(Certificate.number, Certificate.status_on_sql(day))).all()
        )
        assert in_sql == {c.number: c.status_on(day) for c in made}
        for status in ("valid", "expired", "revoked"):
            wanted = sorted(c.number for c in made if c.status_on(day) == status)
            url = f"/api/v1/certificates?date={day}&status={status}&per_page=1"
            answer = _get(client, url, secret).get_json()
            assert answer["total"] == len(wanted)
            assert [c["number"] for c in answer["items"]] == wanted[:1]
            assert all(c["status"] == status for c in answer["items"])
