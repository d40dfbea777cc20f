"""The licensed-to-work rate against direct counts, and each rule of DOMAIN.md on its own."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest

from lms.certification.models import ExternalKind, ExternalStatus
from lms.core.access import Scope
from lms.core.localtime import LOCAL_ZONE, today
from lms.core.roles import Role
from lms.org.models import Post
from lms.reports import queries, rates
from tests.factories import make_district, make_institution, make_staff
from tests.reports.factories import certify, record_external

CITY = Scope(Role.CITY_ADMIN)
DAY = date(2026, 10, 31)


def _local(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_ZONE)


def test_the_rate_matches_direct_counts_on_every_month_end(app):
    """A random world of staff who joined and left, with certificates issued, expired and
    revoked at random times: the query's counts equal counting each person by hand."""
    rng = random.Random(20261123)
    districts = [make_district("140403"), make_district("140404")]
    institutions = [make_institution(rng.choice(districts)) for _ in range(6)]
    people = []
    for number in range(90):
        since = DAY - timedelta(days=rng.randrange(0, 700))
        left = since + timedelta(days=rng.randrange(1, 400)) if rng.random() < 0.25 else None
        post = rng.choice([Post.CAREGIVER] * 5 + [Post.LEAD, Post.OTHER])
        staff = make_staff(
            rng.choice(institutions),
            name=f"员工{number}",
            post=post,
            in_post_from=since,
            in_post_to=left,
        )
        held = []
        draw = rng.random()
        if draw < 0.45:
            issued = DAY - timedelta(days=rng.randrange(0, 500))
            expires = (
                issued + timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.3 else None
            )
            revoked = (
                _local(issued + timedelta(days=rng.randrange(1, 300)))
                if rng.random() < 0.2
                else None
            )
            certify(staff, issued, expires_on=expires, revoked_at=revoked)
            held.append((issued, expires, revoked))
        elif draw < 0.8:
            issued = DAY - timedelta(days=rng.randrange(0, 900))
            kind = rng.choice(list(ExternalKind))
            status = rng.choice(
                [ExternalStatus.CONFIRMED] * 4 + [ExternalStatus.PENDING, ExternalStatus.REJECTED]
            )
            record_external(staff, issued, kind=kind, status=status)
            if status == ExternalStatus.CONFIRMED and kind != ExternalKind.OTHER:
                held.append((issued, None, None))
        people.append((staff, held))

    def by_hand(day: date) -> tuple[int, int]:
        in_post = certified = 0
        end = _local(day + timedelta(days=1), 0)
        for staff, held in people:
            if not staff.caregiver_in_post_on(day):
                continue
            in_post += 1
            certified += any(
                issued <= day
                and (expires is None or day < expires)
                and (revoked is None or revoked >= end)
                for issued, expires, revoked in held
            )
        return in_post, certified

    days = rates.month_ends(DAY, 12)
    assert rates.trend(days, CITY) == [(day, rates.overall(day, CITY)) for day in days]
    checked = 0
    for day in days:
        counted = rates.overall(day, CITY)
        rows = rates.by_institution(day, CITY)
        assert (counted.in_post, counted.certified) == by_hand(day), day
        assert rates.total(rows) == counted
        assert rates.total(rates.by_district(rows, CITY)) == counted
        # The per-person rule (lists of people) agrees with the counts.
        for row in rows:
            assert len(queries.uncertified_staff(row.institution_id, day)) == row.count.uncertified
        checked += counted.in_post
    assert checked > 300  # the world is not empty on most days


def test_a_certificate_counts_from_its_issue_day_until_it_expires(app):
    staff = make_staff()
    certify(staff, date(2026, 3, 10), expires_on=date(2026, 9, 1))
    assert rates.overall(date(2026, 3, 9), CITY) == rates.Count(1, 0)
    assert rates.overall(date(2026, 3, 10), CITY) == rates.Count(1, 1)
    assert rates.overall(date(2026, 8, 31), CITY) == rates.Count(1, 1)
    assert rates.overall(date(2026, 9, 1), CITY) == rates.Count(1, 0)


def test_a_revoked_certificate_stops_counting_on_the_day_of_revocation(app):
    staff = make_staff()
    certify(staff, date(2026, 1, 5), revoked_at=_local(date(2026, 7, 20), hour=9))
    assert rates.overall(date(2026, 7, 19), CITY).certified == 1
    assert rates.overall(date(2026, 7, 20), CITY).certified == 0


def test_only_caregivers_in_post_count(app):
    institution = make_institution()
    certify(make_staff(institution, name="负责人", post=Post.LEAD))
    certify(make_staff(institution, name="已离职", in_post_to=date(2026, 8, 31)))
    make_staff(institution, name="新入职", in_post_from=date(2026, 11, 1))
    certify(make_staff(institution, name="在岗"))
    assert rates.overall(date(2026, 10, 1), CITY) == rates.Count(1, 1)
    assert rates.overall(date(2026, 11, 2), CITY) == rates.Count(2, 1)


def test_certificates_from_elsewhere_count_once_confirmed_and_of_a_qualifying_kind(
    app, monkeypatch
):
    institution = make_institution()
    record_external(make_staff(institution), status=ExternalStatus.PENDING)
    record_external(make_staff(institution), status=ExternalStatus.REJECTED)
    record_external(make_staff(institution), kind=ExternalKind.OTHER)
    record_external(make_staff(institution), revoked_at=_local(date(2026, 5, 1)))
    record_external(make_staff(institution), kind=ExternalKind.YUYINGYUAN)
    assert rates.overall(DAY, CITY) == rates.Count(5, 1)
    monkeypatch.setitem(app.config, "QUALIFYING_KINDS", ("baoyuyuan", "other"))
    assert rates.overall(DAY, CITY) == rates.Count(5, 1)  # now OTHER counts, 育婴员 not
    assert rates.overall(date(2026, 4, 30), CITY) == rates.Count(5, 2)  # before withdrawal


def test_two_certificates_make_one_certified_person(app):
    staff = make_staff()
    certify(staff)
    record_external(staff)
    assert rates.overall(DAY, CITY) == rates.Count(1, 1)


@pytest.mark.parametrize("role", [Role.DISTRICT_ADMIN, Role.INSTITUTION_MANAGER])
def test_district_and_institution_scopes_count_only_their_own(app, role):
    home, away = make_district("140403"), make_district("140404")
    mine, neighbour, far = make_institution(home), make_institution(home), make_institution(away)
    for place, certified in ((mine, 2), (neighbour, 1), (far, 3)):
        for number in range(3):
            staff = make_staff(place, name=f"员工{number}")
            if number < certified:
                certify(staff)
    scope = Scope(
        role,
        district_id=home.id,
        institution_id=mine.id if role == Role.INSTITUTION_MANAGER else None,
    )
    expected = rates.Count(3, 2) if role == Role.INSTITUTION_MANAGER else rates.Count(6, 3)
    assert rates.overall(DAY, scope) == expected
    assert rates.total(rates.by_institution(DAY, scope)) == expected
    assert [d.name for d in rates.by_district(rates.by_institution(DAY, scope), scope)] == [
        home.name
    ]
    assert rates.overall(DAY, CITY) == rates.Count(9, 6)


def test_institutions_without_staff_are_listed_without_a_rate(app):
    empty = make_institution(name="新开托育点")
    rows = rates.by_institution(DAY, CITY)
    assert [(r.name, r.count.rate) for r in rows] == [(empty.name, None)]


def test_month_ends_end_with_today():
    assert rates.month_ends(date(2026, 3, 15), 4) == [
        date(2025, 12, 31),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 15),
    ]


def test_the_forecast_adds_uncertified_people_now_in_training(app):
    from lms.learning.models import EnrolmentStatus
    from tests.learning.factories import make_cohort, make_course, make_enrolment, make_plan

    institution = make_institution()
    certify(make_staff(institution, name="已持证"))
    training = make_staff(institution, name="培训中")
    make_staff(institution, name="未报名")
    make_enrolment(
        make_cohort(make_plan(), make_course()), training, status=EnrolmentStatus.ENROLLED
    )
    assert queries.forecast(CITY, today()) == rates.Count(3, 2)
