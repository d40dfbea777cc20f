"""Trainee accounts are made one way, whether for one person (staff page) or for a cohort's
sheet: the mobile number as user name, a one-time password, the staff link, one account each."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import User
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import EnrolmentStatus
from tests.factories import make_institution, make_staff, make_user
from tests.learning.factories import make_cohort, make_enrolment


def _account(staff):
    user = db.session.scalar(select(User).where(User.staff_id == staff.id))
    return (user.username, user.role, user.display_name, user.must_change_password)


def test_the_staff_page_and_the_cohort_sheet_make_the_same_account(client):
    institution = make_institution()
    alone, enrolled, already = (make_staff(institution, name=n) for n in ("单独", "学员", "已有"))
    admin = make_user(Role.CITY_ADMIN)
    services.create_trainee_account(already, actor_scope=admin.scope)
    cohort = make_cohort()
    for person in (enrolled, already):
        make_enrolment(cohort, person, EnrolmentStatus.ENROLLED)
    client.login_as(admin)
    assert client.post(f"/staff/{alone.id}/account").status_code == 200
    sheet = client.post(f"/training/cohorts/{cohort.id}/accounts").get_data(as_text=True)
    assert enrolled.phone in sheet and already.phone not in sheet
    for person in (alone, enrolled):
        assert _account(person) == (person.phone, Role.TRAINEE, person.name, True)
    # A second sheet makes no new account.
    client.post(f"/training/cohorts/{cohort.id}/accounts")
    assert (
        db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.TRAINEE))
        == 3
    )
