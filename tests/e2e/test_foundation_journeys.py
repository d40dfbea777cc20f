"""Each role signs in on a phone and on a desktop and sees only what it may; a city admin
imports a roster through the browser, first with bad rows, then corrected."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lms.core import idnumber
from tests.e2e.conftest import shoot, sign_in

ADMIN_NAV = {
    "/institutions",
    "/staff",
    "/roster/import",
    "/users",
    "/training/",
    "/training/progress",
    "/dashboard",
}
NAV_BY_ROLE = {
    "city_admin": ADMIN_NAV
    | {
        "/audit",
        "/exams/sessions/",
        "/exams/bank",
        "/skills/sessions",
        "/certificates",
        "/external-certificates",
        "/api-tokens",
        "/training/nominations",
        "/author/",
        "/author/questions",
        "/author/tasks",
    },
    "district_admin": ADMIN_NAV
    | {"/exams/sessions/", "/external-certificates", "/api-tokens", "/training/nominations"},
    "institution_manager": ADMIN_NAV | {"/external-certificates"},
    "examiner": {"/training/", "/exams/bank", "/skills/marking", "/exams/marking"},
    "trainee": {"/learn/", "/exams/my/", "/skills/my", "/certificates/my"},
}


@pytest.mark.parametrize("role", list(NAV_BY_ROLE))
def test_each_role_signs_in_and_sees_its_own_menu(page, demo_users, role):
    sign_in(page, demo_users[role])
    assert page.url.endswith("/"), page.inner_text("main")
    if page.viewport_name == "phone":  # the compact menu opens with a tap
        page.click("summary")
        menu = ".menu nav li a"
    else:  # from 1024 px the sections show without a click
        assert not page.is_visible("summary")
        menu = ".side-nav a"
    links = {
        re.sub(r"^https?://[^/]+", "", href)
        for href in page.eval_on_selector_all(menu, "els => els.map(e => e.href)")
    }
    assert links - {"/"} == NAV_BY_ROLE[role]
    shoot(page, f"home-{role}")
    response = page.goto("/staff")
    expected = 200 if "/staff" in NAV_BY_ROLE[role] else 403
    assert response.status == expected
    if role == "trainee":
        page.goto("/me")
        assert "********" in page.inner_text("main")
        shoot(page, "my-record")


def _roster_csv(rows: list[list[str]]) -> bytes:
    header = "姓名,性别,身份证号码,手机号码,机构名称,岗位,上岗日期"
    return ("\r\n".join([header] + [",".join(row) for row in rows]) + "\r\n").encode("gbk")


def test_city_admin_imports_a_gbk_roster_after_fixing_bad_rows(page, demo_users, tmp_path):
    centre = "长治市托育综合服务中心"
    suffix, tag = ("1", "甲") if page.viewport_name == "phone" else ("2", "乙")
    good = idnumber.synthesize("140402", date(1994, 4, 4), 20 + 2 * int(suffix))  # even: female
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        [f"浏览器测试{tag}", "女", good, f"1360355000{suffix}", centre, "保育人员", "2024-03-01"],
        ["坏行", "女", bad_check, "13603550009", centre, "保育人员", "2024-03-01"],
        [
            "无此机构",
            "女",
            idnumber.synthesize("140402", date(1995, 5, 5), 40),
            "13603550008",
            "不存在的托育点",
            "保育人员",
            "2024-03-01",
        ],
    ]
    bad_file = tmp_path / "名单.csv"
    bad_file.write_bytes(_roster_csv(rows))
    sign_in(page, demo_users["city_admin"])
    page.goto("/roster/import")
    page.set_input_files("input[type=file]", str(bad_file))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    errors = page.inner_text("table.errors")
    assert page.inner_text("[data-testid=error-count]") == "2", errors
    assert re.search(r"3\s+身份证号码", errors) and re.search(r"4\s+机构名称", errors)
    assert page.locator("form button.button:not(.secondary)").count() == 0  # no import button
    shoot(page, "roster-errors")

    good_file = tmp_path / "名单-修正.csv"
    good_file.write_bytes(_roster_csv(rows[:1]))
    page.goto("/roster/import")
    page.set_input_files("input[type=file]", str(good_file))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=error-count]") == "0"
    assert good not in page.content()
    shoot(page, "roster-preview")
    page.locator("form button.button:not(.secondary)").first.click()
    page.wait_for_load_state()
    assert "flash-success" in page.content()
    page.goto(f"/staff?q={good}")
    assert f"浏览器测试{tag}" in page.inner_text("main")
    assert idnumber.mask(good) in page.inner_text("main")
