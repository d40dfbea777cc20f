"""Who counts as a caregiver in post on a day is one rule (``Staff.in_post_on``,
``Staff.caregiver_in_post_on``): the districts page, the institution page, the dashboard's rate
and training's nominations must count the same hand-made people the same way."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from lms.core import localtime
from lms.core.roles import Role
from lms.db import db
from lms.learning import nominations as training
from lms.org.models import Post, Staff
from tests.conftest import zh
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_plan

TODAY = date(2026, 5, 20)


def _people(institution):
    """Three caregivers in post today (one since today, one until today) and four who are not."""
    yesterday, tomorrow = TODAY - timedelta(days=1), TODAY + timedelta(days=1)
    counted = [
        make_staff(institution, name="在岗", in_post_from=date(2024, 1, 1)),
        make_staff(institution, name="今天上岗", in_post_from=TODAY),
        make_staff(institution, name="今天离岗", in_post_from=date(2024, 1, 1), in_post_to=TODAY),
    ]
    not_counted = [
        make_staff(institution, name="明天上岗", in_post_from=tomorrow),
        make_staff(
            institution, name="昨天离岗", in_post_from=date(2024, 1, 1), in_post_to=yesterday
        ),
        make_staff(institution, name="负责人", post=Post.LEAD, in_post_from=date(2024, 1, 1)),
        make_staff(institution, name="其他岗位", post=Post.OTHER, in_post_from=date(2024, 1, 1)),
    ]
    return counted, not_counted


def test_the_same_people_are_caregivers_in_post_everywhere(app, client, freeze_clock):
    # 01:00 in Changzhi is still the day before on a server in UTC: every count uses local time.
    freeze_clock(
        localtime.from_local(datetime.combine(TODAY, datetime.min.time())).replace(hour=17)
    )
    assert localtime.today() == TODAY
    district = make_district()
    institution = make_institution(district, name="阳光托育中心")
    counted, not_counted = _people(institution)
    expected = {person.id for person in counted}

    # The rule itself, in Python and in SQL.
    assert {p.id for p in counted + not_counted if p.caregiver_in_post_on(TODAY)} == expected
    assert set(db.session.scalars(select(Staff.id).where(Staff.caregiver_in_post_on(TODAY)))) == (
        expected
    )
    in_post = {p.id for p in counted + not_counted if p.in_post_on(TODAY)}
    assert set(db.session.scalars(select(Staff.id).where(Staff.in_post_on(TODAY)))) == in_post

    admin = make_user(Role.CITY_ADMIN)
    client.login_as(admin)

    # The districts page: "caregivers in post" of the district.
    page = client.get("/districts").get_data(as_text=True)
    row = re.search(r"潞州区</a></td>.*?<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>", page, re.S)
    assert row is not None and int(row.group(2)) == len(expected)

    # The institution page: staff in post by post, caregivers among them.
    page = client.get(f"/institutions/{institution.id}").get_data(as_text=True)
    caregivers = re.search(rf"<strong>(\d+)</strong> {re.escape(zh('Caregiver'))}<", page)
    assert caregivers is not None and int(caregivers.group(1)) == len(expected)

    # The dashboard's rate: the district's in-post caregivers.
    response = client.get(f"/dashboard/districts.csv?day={TODAY.isoformat()}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    (district_row,) = [r for r in rows[1:] if r[0] == district.code]
    assert int(district_row[2]) == len(expected)

    # Training: who may be nominated (and who is offered).
    cohort = make_cohort(make_plan(quotas={district.id: 50}))
    assert {
        p.id
        for p in counted + not_counted
        if training.nomination_problem(cohort, p, admin.scope) is None
    } == expected
    assert {
        p.id for p, problem in training.nominable_staff(cohort, admin.scope) if problem is None
    } == (expected)
    assert db.session.scalar(select(func.count()).select_from(Staff)) == 7
