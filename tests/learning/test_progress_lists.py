"""The cohort page's people and the progress report are searched, filtered, sorted and paged like
the other lists, and a district administrator never sees another district's rows on them, whatever
the address asks."""

from __future__ import annotations

import re

import pytest

from lms.core.roles import Role
from lms.learning.models import EnrolmentStatus
from tests.conftest import zh
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_course, make_enrolment, make_plan


@pytest.fixture
def city(app, monkeypatch):
    """A city-wide cohort with people of two districts; pages of two rows."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    home, away = make_district("140403"), make_district("140404")
    near = make_institution(home, name="潞州区第一托育园")
    far = make_institution(away, name="上党区阳光托育园")
    cohort = make_cohort(make_plan(), make_course(lessons=2, min_hours=0.1), title="全市第一期")
    people = {
        "甲": make_enrolment(cohort, make_staff(near, name="张甲", phone="13900001234")),
        "乙": make_enrolment(
            cohort, make_staff(near, name="李乙"), EnrolmentStatus.NOMINATED, study_seconds=3600
        ),
        "丙": make_enrolment(cohort, make_staff(near, name="王丙"), study_seconds=7200),
        "丁": make_enrolment(cohort, make_staff(far, name="赵丁", phone="13900005678")),
    }
    return home, away, near, far, cohort, people


def _names(page: str) -> list[str]:
    return re.findall(r'data-label="' + zh("Name") + r'">([^<]+)<', page)


def test_cohort_people_are_searched_by_name_mobile_or_id_tail(client, city) -> None:
    _home, _away, _near, _far, cohort, people = city
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/training/cohorts/{cohort.id}"

    def names(**args: str) -> list[str]:
        return _names(client.get(url, query_string=args).get_data(as_text=True))

    assert names(q="乙") == ["李乙"]
    assert names(q="1234") == ["张甲"]  # the end of a mobile number
    assert names(q="139000056") == ["赵丁"]  # its beginning
    tail = people["丙"].staff.id_number_masked[-4:]
    assert "王丙" in names(q=tail)  # the last characters of the ID number
    assert names(q="无此人") == []
    page = client.get(url, query_string={"q": "无此人"}).get_data(as_text=True)
    assert zh("Nobody matches.") in page


def test_cohort_people_filter_by_status_sort_and_page(client, city) -> None:
    _home, _away, _near, _far, cohort, _people = city
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/training/cohorts/{cohort.id}"

    def names(**args: str) -> list[str]:
        return _names(client.get(url, query_string=args).get_data(as_text=True))

    assert names(status="nominated") == ["李乙"]
    assert names(status="unknown", sort="name") == names(sort="name")  # a stale link: no filter
    first, second = names(sort="name"), names(sort="name", page="2")
    assert len(first) == 2 and len(second) == 2 and not set(first) & set(second)
    assert first + second == sorted(first + second)
    assert names(sort="-hours")[0] == "王丙"
    assert names(sort="hours", status="enrolled", page="2") == ["王丙"]
    page = client.get(url, query_string={"sort": "name"}).get_data(as_text=True)
    assert zh("Page %(p)d of %(n)d", p=1, n=2) in page
    assert f"/training/cohorts/{cohort.id}?sort=name&amp;page=2" in page
    assert client.get(url, query_string={"sort": "id_number"}).status_code == 400


def test_a_district_admin_sees_only_their_districts_people(client, city) -> None:
    home, _away, _near, _far, cohort, _people = city
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    url = f"/training/cohorts/{cohort.id}"
    seen: list[str] = []
    for number in ("1", "2", "3"):
        seen += _names(client.get(url, query_string={"page": number}).get_data(as_text=True))
    assert "赵丁" not in seen and {"张甲", "李乙", "王丙"} <= set(seen)
    for args in ({"q": "赵丁"}, {"q": "5678"}, {"q": "赵", "status": "enrolled"}):
        page = client.get(url, query_string=args).get_data(as_text=True)
        assert _names(page) == [] and "上党区阳光托育园" not in page


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr>\s*<td data-label="[^"]+">([^<]+)</td>', page)


def test_progress_is_searched_filtered_sorted_and_paged(client, app, monkeypatch, city) -> None:
    _home, away, _near, _far, _cohort, _people = city
    make_cohort(make_plan(), make_course(lessons=1, min_hours=0.1), title="全市第二期")
    client.login_as(make_user(Role.CITY_ADMIN))

    def rows(**args: str) -> list[str]:
        page = client.get("/training/progress", query_string=args).get_data(as_text=True)
        return _rows(page)

    by = {"by": "institution"}
    assert rows(**by, q="阳光") == ["上党区阳光托育园"]
    assert rows(**by, district_id=str(away.id)) == ["上党区阳光托育园"]
    assert rows(**by, sort="enrolled") == ["上党区阳光托育园", "潞州区第一托育园"]
    assert rows(**by, sort="-enrolled") == ["潞州区第一托育园", "上党区阳光托育园"]
    assert rows(**by, sort="-seconds")[0] == "潞州区第一托育园"
    page = client.get("/training/progress", query_string=by).get_data(as_text=True)
    assert 'name="district_id"' in page and 'name="institution_id"' in page
    # Districts: the page shows two at a time, the second page the rest.
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    first = rows(by="district", sort="name")
    second = rows(by="district", sort="name", page="2")
    assert len(first) == 1 and len(second) == 1 and first != second
    body = client.get("/training/progress.csv", query_string={**by, "q": "阳光"}).get_data(
        as_text=True
    )
    assert "上党区阳光托育园" in body and "潞州区第一托育园" not in body


def test_progress_of_a_district_admin_never_shows_another_district(client, city) -> None:
    home, away, near, far, _cohort, _people = city
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    for args in (
        {"by": "institution"},
        {"by": "institution", "district_id": str(away.id)},
        {"by": "institution", "institution_id": str(far.id)},
        {"by": "institution", "q": "阳光"},
        {"by": "district", "sort": "-enrolled"},
    ):
        page = client.get("/training/progress", query_string=args).get_data(as_text=True)
        assert "上党区阳光托育园" not in _rows(page) and away.name not in _rows(page)
    page = client.get("/training/progress", query_string={"by": "institution"}).get_data(
        as_text=True
    )
    assert _rows(page) == [near.name]
    assert 'name="district_id"' not in page  # one district: nothing to choose
    make_institution(home, name="潞州区第二托育园")
    page = client.get("/training/progress", query_string={"by": "institution"}).get_data(
        as_text=True
    )
    assert 'name="institution_id"' in page
