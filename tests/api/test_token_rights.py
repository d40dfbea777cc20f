"""An API token acts with its creator's current rights: deactivating the creator, taking away
the role that manages tokens, or moving a district administrator elsewhere takes effect on the
token's very next request."""

from __future__ import annotations

from lms.api import services
from lms.core.roles import Role
from lms.db import db
from tests.factories import make_district, make_institution, make_staff, make_user


def _world():
    home, away = make_district("140403"), make_district("140404")
    make_staff(make_institution(home, name="潞州托育点"), name="潞州甲")
    make_staff(make_institution(away, name="上党托育点"), name="上党乙")
    return home, away


def _get(client, url: str, secret: str):
    return client.get(url, headers={"Authorization": f"Bearer {secret}"})


def _staff_names(client, secret: str) -> set[str]:
    response = _get(client, "/api/v1/staff", secret)
    assert response.status_code == 200
    return {person["name"] for person in response.get_json()["items"]}


def test_a_deactivated_creators_tokens_stop_at_once(client):
    home, _away = _world()
    creator = make_user(Role.DISTRICT_ADMIN, district=home)
    secret, _ = services.create_token(creator, "区平台", home.id, 30)
    assert _staff_names(client, secret) == {"潞州甲"}
    creator.is_active = False
    db.session.flush()
    refused = _get(client, "/api/v1/staff", secret)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"
    creator.is_active = True
    db.session.flush()
    assert _get(client, "/api/v1/staff", secret).status_code == 200


def test_a_district_admin_moved_elsewhere_leaves_their_old_districts_tokens_dead(client):
    home, away = _world()
    creator = make_user(Role.DISTRICT_ADMIN, district=home)
    secret, _ = services.create_token(creator, "区平台", home.id, 30)
    creator.district_id = away.id
    db.session.flush()
    for url in ("/api/v1/staff", "/api/v1/rates", "/api/v1/certificates", "/api/v1/cohorts"):
        assert _get(client, url, secret).status_code == 401, url


def test_a_city_token_narrows_when_its_creator_becomes_a_district_admin(client):
    _home, away = _world()
    creator = make_user(Role.CITY_ADMIN)
    secret, _ = services.create_token(creator, "市平台", None, 30)
    assert _staff_names(client, secret) == {"潞州甲", "上党乙"}
    creator.role, creator.district_id = Role.DISTRICT_ADMIN, away.id
    db.session.flush()
    assert _staff_names(client, secret) == {"上党乙"}
    districts = _get(client, "/api/v1/rates?level=district", secret).get_json()["items"]
    assert [d["code"] for d in districts] == ["140404"]
    assert _get(client, "/api/v1/rates?district=140403", secret).status_code == 403


def test_a_creator_whose_role_no_longer_manages_tokens_stops_them(client):
    home, _away = _world()
    institution = make_institution(home)
    for role, links in (
        (Role.INSTITUTION_MANAGER, {"institution_id": institution.id, "district_id": None}),
        (Role.EXAMINER, {"district_id": None}),
        (Role.TRAINEE, {"district_id": None, "staff_id": make_staff(institution).id}),
    ):
        creator = make_user(Role.DISTRICT_ADMIN, district=home)
        secret, _ = services.create_token(creator, "区平台", home.id, 30)
        assert _get(client, "/api/v1/rates", secret).status_code == 200
        creator.role = role
        for name, value in links.items():
            setattr(creator, name, value)
        db.session.flush()
        assert _get(client, "/api/v1/rates", secret).status_code == 401, role


def test_a_district_token_made_by_a_city_admin_keeps_its_district(client):
    home, _away = _world()
    secret, _ = services.create_token(make_user(Role.CITY_ADMIN), "区平台", home.id, 30)
    assert _staff_names(client, secret) == {"潞州甲"}
