"""One clock, Changzhi's day: between 00:00 and 08:00 in Changzhi the server's UTC date is still
yesterday, and every page, export and message must nevertheless speak of Changzhi's day and time,
formatted in one way."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import render_template_string
from sqlalchemy import select

from lms.core import localtime
from lms.core.errors import Conflict
from lms.core.exports import table_response
from lms.core.roles import Role
from lms.db import db
from lms.exams import sessions
from lms.exams.models import Candidate
from lms.org.models import Post
from tests.exams.factories import make_session, stock_bank
from tests.factories import make_district, make_institution, make_staff, make_user

ROOT = Path(__file__).parents[2]
#: 07:30 on 1 July in Changzhi, while the UTC date is still 30 June.
EARLY_MORNING = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)


def test_today_is_changzhis_day_not_the_servers(freeze_clock):
    freeze_clock(EARLY_MORNING)
    assert localtime.utcnow() == EARLY_MORNING
    assert localtime.today() == date(2026, 7, 1)
    freeze_clock(datetime(2026, 7, 1, 16, 0, tzinfo=UTC))  # midnight in Changzhi
    assert localtime.today() == date(2026, 7, 2)


def test_districts_page_and_dashboard_count_the_same_day(client, freeze_clock):
    """Two caregivers, each in post for one day: 30 June (the server's UTC date) and 1 July
    (Changzhi's). Both pages count only the second one."""
    freeze_clock(EARLY_MORNING)
    district = make_district("140405")
    place = make_institution(district)
    for day in (date(2026, 6, 30), date(2026, 7, 1)):
        make_staff(place, post=Post.CAREGIVER, in_post_from=day, in_post_to=day)
    client.login_as(make_user(Role.CITY_ADMIN))

    districts = client.get("/districts").get_data(as_text=True)
    row = next(r for r in districts.split("<tr>") if district.name in r)
    assert re.findall(r'class="num">(\d+)</td>', row) == ["1", "1"]  # institutions, caregivers

    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "2026年7月1日" in dashboard
    assert re.search(r'data-testid="in-post">1<', dashboard)


def test_a_message_about_an_opening_time_shows_it_as_the_page_does(client, freeze_clock):
    freeze_clock(EARLY_MORNING)
    stock_bank(per_type=8)
    session = make_session(candidates=1, opens_in=timedelta(hours=1))  # 08:30 in Changzhi
    candidate = db.session.scalars(
        select(Candidate).where(Candidate.session_id == session.id)
    ).one()
    client.login_as(make_user(Role.TRAINEE, staff=candidate.staff))
    page = client.post(f"/exams/my/{candidate.id}/start", follow_redirects=True)
    html = page.get_data(as_text=True)
    shown = "2026/7/1 08:30"
    flashes = re.findall(r'class="flash flash-error"[^>]*>([^<]*)<', html)
    assert any(shown in message for message in flashes), flashes
    assert html.count(shown) >= 2  # the flash and the page's own "opens at", alike
    assert "+00:00" not in html and "00:30:00" not in html


def test_closing_too_early_names_the_closing_time_in_local_time(app, freeze_clock):
    freeze_clock(EARLY_MORNING)
    stock_bank(per_type=8)
    session = make_session(candidates=1, opens_in=timedelta(0), window=timedelta(hours=2))
    with pytest.raises(Conflict) as refused:
        sessions.close(session)
    message = str(refused.value.message)
    assert localtime.format_local(session.closes_at, "short") in message
    assert "09:30" in message and "01:30" not in message and "+00:00" not in message


def test_the_template_filter_and_messages_format_alike(app):
    moment = datetime(2027, 12, 5, 0, 0, tzinfo=UTC)
    with app.test_request_context("/?lang=zh_CN"):
        page = render_template_string("{{ t|datetime }}|{{ t|datetime('short') }}", t=moment)
        assert page == f"{localtime.format_local(moment)}|{localtime.format_local(moment, 'short')}"
        assert page == "2027年12月5日 08:00:00|2027/12/5 08:00"
        assert localtime.format_local(None) == ""
    assert localtime.format_local(moment, "short") == "2027/12/5 08:00"  # no app: still local


def test_exports_write_local_times(app):
    with app.test_request_context():
        response = table_response("csv", "times", ["at"], [[EARLY_MORNING]])
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows == [["at"], ["2026-07-01 07:30"]]


def _ruff(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "TID251", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_no_code_reads_the_servers_clock_or_time_zone():
    """ruff's banned-api list (pyproject.toml) keeps date.today(), datetime.now() and their kin
    out of everything but lms/core/localtime.py."""
    checked = _ruff("lms", "tests", "bench", "scripts")
    assert checked.returncode == 0, checked.stdout
    for call in ("date.today()", "datetime.now(UTC)", "datetime.utcnow()", "time.localtime()"):
        snippet = f"import time\nfrom datetime import UTC, date, datetime\n\nprint({call})\n"
        caught = _ruff("--stdin-filename", "lms/somewhere.py", "-", stdin=snippet)
        assert caught.returncode == 1 and "TID251" in caught.stdout, call
