import threading

import pytest
from sqlalchemy import func, select

from lms.core.errors import DomainError
from lms.core.roles import Role
from lms.db import db
from lms.learning import nominations, services
from lms.learning.models import DistrictQuota, Enrolment, EnrolmentStatus
from tests.conftest import Client
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_plan


def nominated(cohort, institution, count, manager):
    people = [
        make_staff(institution, name=f"学员{'甲乙丙丁戊己庚辛壬癸'[n % 10]}") for n in range(count)
    ]
    return nominations.nominate(cohort, people, manager)


def test_approval_takes_places_from_the_district_quota_and_the_cohort(app):
    district = make_district()
    institution = make_institution(district)
    plan = make_plan(quotas={district.id: 2})
    cohort = make_cohort(plan, capacity=10)
    manager = make_user(Role.INSTITUTION_MANAGER, institution=institution)
    admin = make_user(Role.DISTRICT_ADMIN, district=district)
    first, second, third = nominated(cohort, institution, 3, manager)
    nominations.approve(first, admin)
    nominations.approve(second, admin)
    with pytest.raises(nominations.QuotaFull):
        nominations.approve(third, admin)
    db.session.refresh(cohort)
    quota = db.session.scalar(select(DistrictQuota))
    assert (quota.used, cohort.enrolled) == (2, 2)
    nominations.withdraw(first, admin)
    db.session.refresh(quota)
    assert quota.used == 1
    nominations.approve(third, admin)
    assert third.status == EnrolmentStatus.ENROLLED


def test_cohort_capacity_is_a_limit_too(app):
    district = make_district()
    institution = make_institution(district)
    cohort = make_cohort(make_plan(quotas={district.id: 10}), capacity=1)
    admin = make_user(Role.DISTRICT_ADMIN, district=district)
    first, second = nominated(cohort, institution, 2, admin)
    nominations.approve(first, admin)
    with pytest.raises(nominations.CohortFull):
        nominations.approve(second, admin)


def test_only_the_persons_district_admin_decides(app):
    home, away = make_district("140403"), make_district("140404")
    institution = make_institution(home)
    cohort = make_cohort(make_plan(quotas={home.id: 5}))
    (enrolment,) = nominated(cohort, institution, 1, make_user(Role.CITY_ADMIN))
    with pytest.raises(DomainError):
        nominations.approve(enrolment, make_user(Role.DISTRICT_ADMIN, district=away))
    nominations.approve(enrolment, make_user(Role.DISTRICT_ADMIN, district=home))


def test_quotas_cannot_exceed_the_plan_or_drop_below_approvals(app):
    home, away = make_district("140403"), make_district("140404")
    plan = make_plan(total=100, quotas={home.id: 60})
    with pytest.raises(DomainError):
        services.set_quotas(plan, {away.id: 41})
    services.set_quotas(plan, {away.id: 40})
    institution = make_institution(home)
    cohort = make_cohort(plan)
    admin = make_user(Role.DISTRICT_ADMIN, district=home)
    for enrolment in nominated(cohort, institution, 3, admin):
        nominations.approve(enrolment, admin)
    with pytest.raises(DomainError):
        services.set_quotas(plan, {home.id: 2})


def test_nomination_rules(app):
    home, away = make_district("140403"), make_district("140404")
    mine, theirs = make_institution(home), make_institution(away)
    manager = make_user(Role.INSTITUTION_MANAGER, institution=mine)
    cohort = make_cohort(make_plan(quotas={home.id: 5}), district_id=home.id)
    from datetime import date

    left = make_staff(mine, name="已离岗", in_post_to=date(2024, 1, 1))
    assert nominations.nomination_problem(cohort, left, manager.scope)
    assert nominations.nomination_problem(cohort, make_staff(theirs), manager.scope)
    person = make_staff(mine)
    assert nominations.nomination_problem(cohort, person, manager.scope) is None
    nominations.nominate(cohort, [person], manager)
    other_cohort = make_cohort(cohort.plan, cohort.course, title="第二期")
    assert "第一期" in nominations.nomination_problem(other_cohort, person, manager.scope)


@pytest.mark.concurrency
def test_simultaneous_approvals_never_exceed_the_quota(app, committed):
    """Eight administrators approve eight nominations at the same moment; the district has
    three places. Real requests, real commits, on SQLite and PostgreSQL."""
    district = make_district()
    institution = make_institution(district)
    plan = make_plan(quotas={district.id: 3})
    cohort = make_cohort(plan, capacity=100)
    manager = make_user(Role.INSTITUTION_MANAGER, institution=institution)
    admins = [make_user(Role.DISTRICT_ADMIN, district=district) for _ in range(8)]
    enrolments = nominated(cohort, institution, 8, manager)
    pairs = [(admin, enrolment.id) for admin, enrolment in zip(admins, enrolments, strict=True)]
    db.session.commit()
    app.test_client_class = Client
    clients = [app.test_client() for _ in pairs]
    for client, (admin, _) in zip(clients, pairs, strict=True):
        client.login_as(admin)
    db.session.remove()
    barrier = threading.Barrier(len(pairs))
    statuses: list[int] = []

    def approve(client, enrolment_id):
        with app.app_context():
            barrier.wait()
            response = client.post(
                "/training/nominations", data={"enrolment_ids": [enrolment_id], "approve": "1"}
            )
            statuses.append(response.status_code)
            db.session.remove()

    threads = [
        threading.Thread(target=approve, args=(client, enrolment_id))
        for client, (_, enrolment_id) in zip(clients, pairs, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * 8
    db.session.remove()
    approved = db.session.scalar(
        select(func.count())
        .select_from(Enrolment)
        .where(Enrolment.status == EnrolmentStatus.ENROLLED)
    )
    quota = db.session.scalar(select(DistrictQuota))
    assert approved == 3
    assert quota.used == 3
