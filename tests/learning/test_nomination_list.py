"""The approvals list of a district: filters by institution and cohort, sorting, pages, select
all matching the filter (every page), nothing selected said out loud, and the places left."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.core.roles import Role
from lms.db import db
from lms.learning.models import Enrolment, EnrolmentStatus
from lms.learning.views import NOMINATIONS_PAGE_SIZE
from tests.conftest import zh
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_course, make_enrolment, make_plan

NOMINATED = EnrolmentStatus.NOMINATED


def world(quota: int = 100):
    home = make_district("140403")
    plan = make_plan(quotas={home.id: quota})
    course = make_course()
    spring = make_cohort(plan, course, title="春季班", capacity=500)
    autumn = make_cohort(plan, course, title="秋季班", capacity=500)
    north = make_institution(home, name="北关托育园")
    south = make_institution(home, name="南街托育园")
    return home, spring, autumn, north, south


def nominate(cohort, institution, count: int, prefix: str) -> list[Enrolment]:
    return [
        make_enrolment(cohort, make_staff(institution, name=f"{prefix}{i:02d}"), status=NOMINATED)
        for i in range(count)
    ]


def statuses() -> dict[str, int]:
    rows = db.session.execute(
        select(Enrolment.status, func.count()).group_by(Enrolment.status)
    ).all()
    return {status.value: n for status, n in rows}


def test_filters_by_institution_cohort_and_text(client) -> None:
    home, spring, autumn, north, south = world()
    nominate(spring, north, 2, "北春")
    nominate(autumn, south, 2, "南秋")
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    page = client.get(f"/training/nominations?institution={north.id}").get_data(as_text=True)
    assert "北春00" in page and "南秋00" not in page
    page = client.get(f"/training/nominations?cohort={autumn.id}").get_data(as_text=True)
    assert "南秋01" in page and "北春01" not in page
    page = client.get("/training/nominations?q=南秋01").get_data(as_text=True)
    assert "南秋01" in page and "南秋00" not in page
    # Both filters offer only what has nominations waiting.
    page = client.get("/training/nominations").get_data(as_text=True)
    assert f'<option value="{north.id}"' in page and f'<option value="{autumn.id}"' in page
    # Sorted by name, reversed: the last name first.
    page = client.get("/training/nominations?sort=-name").get_data(as_text=True)
    assert page.index("南秋01") < page.index("北春00")
    assert client.get("/training/nominations?sort=id;drop").status_code == 400


def test_pages_and_select_all_matching_reach_every_page(client) -> None:
    home, spring, autumn, north, south = world()
    nominate(spring, north, NOMINATIONS_PAGE_SIZE + 5, "北")
    nominate(autumn, south, 3, "南")
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    first = client.get(f"/training/nominations?institution={north.id}").get_data(as_text=True)
    assert len(re.findall(r'name="enrolment_ids"', first)) == NOMINATIONS_PAGE_SIZE
    assert zh("Select all %(n)d matching the filter", n=NOMINATIONS_PAGE_SIZE + 5) in first
    response = client.post(
        "/training/nominations",
        data={"all_matching": "y", "institution": north.id, "approve": "1"},
    )
    assert response.status_code == 302 and f"institution={north.id}" in response.location
    # Every matching nomination on every page, and none that the filter left out.
    assert statuses() == {"enrolled": NOMINATIONS_PAGE_SIZE + 5, "nominated": 3}


def test_nothing_selected_is_said_and_nothing_happens(client) -> None:
    home, spring, _autumn, north, _south = world()
    nominate(spring, north, 2, "北")
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    for button in ("approve", "reject"):
        page = client.post(
            "/training/nominations", data={button: "1"}, follow_redirects=True
        ).get_data(as_text=True)
        assert zh("Nothing is selected: tick the nominations to decide first.") in page
    assert statuses() == {"nominated": 2}


def test_rejecting_many_asks_with_the_count(client) -> None:
    home, spring, _autumn, north, _south = world()
    nominate(spring, north, 4, "北")
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    response = client.post("/training/nominations", data={"all_matching": "y", "reject": "1"})
    page = response.get_data(as_text=True)
    assert zh("Affects: %(n)d", n=4) in page
    assert statuses() == {"nominated": 4}
    client.post(
        "/training/nominations", data={"all_matching": "y", "reject": "1", "confirmed": "4"}
    )
    assert statuses() == {"rejected": 4}


def test_places_left_are_shown_and_approvals_past_them_refused_with_the_reason(client) -> None:
    home, spring, _autumn, north, _south = world(quota=2)
    nominate(spring, north, 3, "北")
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    page = client.get("/training/nominations").get_data(as_text=True)
    assert zh("%(left)d of %(quota)d places left", left=2, quota=2) in page
    assert 'data-left="2" data-matching="3"' in page
    page = client.post(
        "/training/nominations",
        data={"all_matching": "y", "approve": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert zh("%(n)d approved.", n=2) in page
    refusal = zh("The quota of %(d)s is used up (%(q)d places)", d=home.name, q=2)
    assert f"北02：{refusal}" in page  # who did not fit, and why
    assert statuses() == {"enrolled": 2, "nominated": 1}


def test_a_district_admin_cannot_decide_another_districts_nominations(client) -> None:
    home, spring, _autumn, _north, _south = world()
    away = make_district("140404")
    make_plan(quotas={home.id: 100, away.id: 100})
    stranger = nominate(spring, make_institution(away, name="外区园"), 1, "外")[0]
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    assert "外00" not in client.get("/training/nominations").get_data(as_text=True)
    client.post("/training/nominations", data={"enrolment_ids": [stranger.id], "approve": "1"})
    client.post("/training/nominations", data={"all_matching": "y", "approve": "1"})
    db.session.refresh(stranger)
    assert stranger.status == NOMINATED
