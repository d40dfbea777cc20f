"""The administrators' lists that grow: what the search, each filter, the column-header sort and the
pages change in what the user sees (staff, institutions, districts, accounts, the audit log, the
certificate register, certificates from elsewhere, API tokens). Each test builds its own small
world; an unknown sort key is a 400, never an arbitrary ORDER BY."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from lms.api import services as api_services
from lms.certification.models import ExternalKind, ExternalStatus
from lms.core import audit
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.org.models import Post
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_course, make_plan
from tests.reports.factories import certify, record_external


def cells(html: str, label: str) -> list[str]:
    """The text of the cells of one column (by its ``data-label``), in the order shown."""
    found = re.findall(rf'<td data-label="{re.escape(label)}"[^>]*>(.*?)</td>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


def test_staff_are_sorted_by_header_filtered_by_district_and_paged(client) -> None:
    home, away = make_district("140403"), make_district("140404")
    north, south = make_institution(home, name="甲托育园"), make_institution(away, name="乙托育园")
    make_staff(north, name="赵一", in_post_from=date(2021, 3, 1))
    make_staff(south, name="钱二", in_post_from=date(2019, 3, 1), post=Post.LEAD)
    make_staff(north, name="孙三", in_post_from=date(2020, 3, 1))
    client.login_as(make_user(Role.CITY_ADMIN))

    assert cells(client.get("/staff?sort=name").text, "姓名") == sorted(["赵一", "钱二", "孙三"])
    assert cells(client.get("/staff?sort=since").text, "姓名") == ["钱二", "孙三", "赵一"]
    assert cells(client.get("/staff?sort=-since").text, "姓名") == ["赵一", "孙三", "钱二"]
    assert cells(client.get(f"/staff?district_id={away.id}").text, "姓名") == ["钱二"]
    page = client.get("/staff?sort=-since&q=孙").text
    assert cells(page, "姓名") == ["孙三"]
    # The filter form keeps the sort; the header links keep the filter.
    assert '<input type="hidden" name="sort" value="-since">' in page
    links = re.findall(r'class="sort-link" href="([^"]+)"', page)
    assert links and all("q=%E5%AD%99" in link for link in links)
    assert client.get("/staff?sort=id_number_encrypted").status_code == 400


def test_staff_come_a_page_at_a_time_in_the_sorted_order(client) -> None:
    place = make_institution(make_district("140403"))
    for n in range(27):
        make_staff(place, name=f"员工{n:02d}")
    client.login_as(make_user(Role.CITY_ADMIN))
    first = cells(client.get("/staff?sort=-name").text, "姓名")
    second = cells(client.get("/staff?sort=-name&page=2").text, "姓名")
    assert first[0] == "员工26" and len(first) == 25 and second == ["员工01", "员工00"]


def test_institutions_and_districts_sort_by_their_headers(client) -> None:
    home, away = make_district("140403"), make_district("140404")
    make_institution(home, name="丙园", registered_places=80)
    make_institution(away, name="甲园", registered_places=20)
    make_institution(away, name="乙园", registered_places=50)
    client.login_as(make_user(Role.CITY_ADMIN))
    by_places = cells(client.get("/institutions?sort=-places").text, "机构名称")
    assert by_places == ["丙园", "乙园", "甲园"]
    assert cells(client.get("/institutions?sort=places").text, "机构名称") == [
        "甲园",
        "乙园",
        "丙园",
    ]
    assert cells(client.get(f"/institutions?district_id={home.id}").text, "机构名称") == ["丙园"]
    assert client.get("/institutions?sort=address").status_code == 400

    counts = cells(client.get("/districts?sort=-institutions").text, "托育机构")
    assert counts == sorted(counts, key=int, reverse=True) and counts[0] == "2"
    codes = cells(client.get("/districts?sort=-code").text, "代码")
    assert codes == sorted(codes, reverse=True)


def test_accounts_sort_by_header_and_show_only_deactivated_ones(client) -> None:
    make_user(Role.EXAMINER, username="bexaminer", display_name="乙考评")
    gone = make_user(Role.EXAMINER, username="aexaminer", display_name="甲考评")
    gone.is_active = False
    seen = make_user(Role.EXAMINER, username="cexaminer", display_name="丙考评")
    seen.last_login_at = utcnow() - timedelta(days=1)
    db.session.flush()
    client.login_as(make_user(Role.CITY_ADMIN))
    names = cells(client.get("/users?q=examiner&sort=username").text, "用户名")
    assert names == ["aexaminer", "bexaminer", "cexaminer"]
    names = cells(client.get("/users?q=examiner&sort=-username").text, "用户名")
    assert names == ["cexaminer", "bexaminer", "aexaminer"]
    # Signed in at some time first; never signed in last.
    assert cells(client.get("/users?q=examiner&sort=login").text, "用户名")[0] == "cexaminer"
    assert cells(client.get("/users?q=examiner&inactive=y").text, "用户名") == ["aexaminer"]
    assert client.get("/users?sort=password_hash").status_code == 400


def test_the_audit_log_sorts_oldest_first_and_finds_a_user_by_the_start_of_the_name(
    client,
) -> None:
    wang, li = make_user(Role.EXAMINER, username="wangfang"), make_user(Role.EXAMINER)
    first = audit.record("user.password_reset", actor=wang)
    first.at = utcnow() - timedelta(hours=2)
    second = audit.record("user.deactivated", actor=li)
    second.at = utcnow() - timedelta(hours=1)
    db.session.flush()
    client.login_as(make_user(Role.CITY_ADMIN, username="auditor"))
    users = cells(client.get("/audit?sort=time").text, "用户")
    assert users[:2] == ["wangfang", li.username]
    assert cells(client.get("/audit?actor=wang").text, "用户") == ["wangfang"]
    assert client.get("/audit?sort=details").status_code == 400


def test_the_certificate_register_sorts_by_its_headers(client) -> None:
    place = make_institution(make_district("140403"))
    certify(make_staff(place, name="甲持证"), issued_on=date(2026, 3, 1))
    certify(make_staff(place, name="乙持证"), issued_on=date(2026, 1, 1))
    certify(make_staff(place, name="丙持证"), issued_on=date(2026, 2, 1))
    client.login_as(make_user(Role.CITY_ADMIN))
    assert cells(client.get("/certificates?sort=issued").text, "姓名") == [
        "乙持证",
        "丙持证",
        "甲持证",
    ]
    assert cells(client.get("/certificates?sort=-issued").text, "姓名") == [
        "甲持证",
        "丙持证",
        "乙持证",
    ]
    # The posted search goes on to the register keeping the sort.
    response = client.post("/certificates/search", data={"q": "持证", "sort": "-issued"})
    assert response.status_code == 302 and "sort=-issued" in response.headers["Location"]


def test_certificates_from_elsewhere_are_searched_filtered_and_sorted(client) -> None:
    home, away = make_district("140403"), make_district("140404")
    near, far = make_institution(home), make_institution(away)
    record_external(make_staff(near, name="近甲"), status=ExternalStatus.PENDING, number="N1")
    record_external(
        make_staff(far, name="远乙"),
        status=ExternalStatus.PENDING,
        kind=ExternalKind.BAOYUSHI,
        number="F2",
    )
    record_external(make_staff(far, name="远丙"), status=ExternalStatus.CONFIRMED, number="F3")
    client.login_as(make_user(Role.CITY_ADMIN))
    # Waiting ones by default, then every status; the text, the kind and the district narrow.
    assert cells(client.get("/external-certificates?sort=name").text, "姓名") == ["近甲", "远乙"]
    every = cells(client.get("/external-certificates?status=all&sort=-name").text, "姓名")
    assert every == sorted(["近甲", "远乙", "远丙"], reverse=True)
    assert cells(client.get("/external-certificates?q=F2").text, "姓名") == ["远乙"]
    kind = ExternalKind.BAOYUSHI.value
    assert cells(client.get(f"/external-certificates?kind={kind}").text, "姓名") == ["远乙"]
    page = client.get(f"/external-certificates?status=all&district={home.id}").text
    assert cells(page, "姓名") == ["近甲"]
    # A district administrator sees their own district's only, and no district filter.
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=away))
    page = client.get("/external-certificates?status=all").text
    assert sorted(cells(page, "姓名")) == sorted(["远乙", "远丙"]) and 'name="district"' not in page


@pytest.mark.parametrize("status, expected", [("", 3), ("active", 1), ("revoked", 1)])
def test_api_tokens_are_filtered_by_status(client, status, expected) -> None:
    admin = make_user(Role.CITY_ADMIN)
    api_services.create_token(admin, "智慧托育平台", None, 30)
    _secret, gone = api_services.create_token(admin, "旧平台", None, 30)
    api_services.revoke(gone, admin)
    _secret, old = api_services.create_token(admin, "过期平台", None, 30)
    old.created_at = utcnow() - timedelta(days=40)
    old.expires_at = utcnow() - timedelta(days=10)
    db.session.flush()
    client.login_as(admin)
    assert len(cells(client.get(f"/api-tokens?status={status}").text, "使用方")) == expected


def test_api_tokens_are_searched_and_sorted(client) -> None:
    admin = make_user(Role.CITY_ADMIN)
    for name, days in (("乙平台", 30), ("甲平台", 90), ("丙系统", 60)):
        api_services.create_token(admin, name, None, days)
    client.login_as(admin)
    assert cells(client.get("/api-tokens?sort=-expires").text, "使用方") == [
        "甲平台",
        "丙系统",
        "乙平台",
    ]
    assert cells(client.get("/api-tokens?q=平台&sort=expires").text, "使用方") == [
        "乙平台",
        "甲平台",
    ]
    assert client.get("/api-tokens?sort=token_hash").status_code == 400


def test_cohorts_are_searched_narrowed_to_open_ones_sorted_and_paged(client) -> None:
    plan, course = make_plan(), make_course()
    make_cohort(plan, course, title="春季班", capacity=40, enrolled=30)
    make_cohort(plan, course, title="秋季班", capacity=40, enrolled=10, is_open=False)
    make_cohort(plan, course, title="夏季班", capacity=40, enrolled=20)
    client.login_as(make_user(Role.CITY_ADMIN))
    assert cells(client.get("/training/?sort=-enrolled").text, "培训班") == [
        "春季班",
        "夏季班",
        "秋季班 已关闭",
    ]
    assert cells(client.get("/training/?q=秋").text, "培训班")[0].startswith("秋季班")
    assert cells(client.get("/training/?open=1&sort=enrolled").text, "培训班") == [
        "夏季班",
        "春季班",
    ]
    for n in range(25):
        make_cohort(plan, course, title=f"加开班{n:02d}")
    assert len(cells(client.get("/training/").text, "培训班")) == 25
    assert len(cells(client.get("/training/?page=2").text, "培训班")) == 3
