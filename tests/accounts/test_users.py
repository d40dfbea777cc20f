import re

import pytest
from sqlalchemy import select

from lms.accounts import services
from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.core.errors import DomainError, NotAllowed
from lms.core.roles import Role
from lms.db import db
from tests.conftest import TEST_PASSWORD
from tests.factories import make_district, make_institution, make_staff, make_user


def test_district_admin_may_only_create_managers_of_their_district(client):
    home, away = make_district("140403"), make_district("140404")
    mine, theirs = make_institution(home), make_institution(away)
    admin = make_user(Role.DISTRICT_ADMIN, district=home)
    with pytest.raises(NotAllowed):
        services.create_user(
            username="boss",
            password=TEST_PASSWORD,
            role=Role.CITY_ADMIN,
            display_name="越权",
            actor_scope=admin.scope,
        )
    with pytest.raises(NotAllowed):
        services.create_user(
            username="m2",
            password=TEST_PASSWORD,
            role=Role.INSTITUTION_MANAGER,
            display_name="外区",
            institution=theirs,
            actor_scope=admin.scope,
        )
    user = services.create_user(
        username="m1",
        password=TEST_PASSWORD,
        role=Role.INSTITUTION_MANAGER,
        display_name="本区",
        institution=mine,
        actor_scope=admin.scope,
    )
    assert user.institution_id == mine.id


def test_the_database_refuses_a_role_without_its_scope(app):
    with pytest.raises(DomainError):
        services.create_user(
            username="x1", password=TEST_PASSWORD, role=Role.DISTRICT_ADMIN, display_name="无区"
        )
    user = make_user(Role.EXAMINER)
    user.role = Role.DISTRICT_ADMIN
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_manager_creates_a_trainee_account_with_a_one_time_password(client, app):
    institution = make_institution()
    staff = make_staff(institution, name="新学员")
    client.login_as(make_user(Role.INSTITUTION_MANAGER, institution=institution))
    page = client.post(f"/staff/{staff.id}/account").get_data(as_text=True)
    password = re.search(r'data-testid="initial-password">([^<]+)<', page).group(1)
    user = db.session.scalar(select(User).where(User.staff_id == staff.id))
    assert (user.username, user.role, user.must_change_password) == (
        staff.phone,
        Role.TRAINEE,
        True,
    )
    assert password not in str(client.get_cookie("lms_session", domain="lms.test").value)
    trainee = app.test_client()
    response = trainee.post("/login", data={"username": staff.phone, "password": password})
    assert response.status_code == 302
    assert trainee.get("/me").headers["Location"].endswith("/account/password")


def test_role_change_is_audited_and_ends_the_users_sessions(client, app):
    district = make_district()
    examiner = make_user(Role.EXAMINER)
    their_browser = app.test_client()
    their_browser.login_as(examiner)
    assert their_browser.get("/").status_code == 200
    client.login_as(make_user(Role.CITY_ADMIN))
    response = client.post(
        f"/users/{examiner.id}",
        data={"role": "district_admin", "district_id": district.id, "institution_id": 0},
    )
    assert response.status_code == 302
    db.session.refresh(examiner)
    assert (examiner.role, examiner.district_id) == (Role.DISTRICT_ADMIN, district.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert event.details["before"]["role"] == "examiner"
    assert event.details["after"]["role"] == "district_admin"
    assert their_browser.get("/").status_code == 302


def test_admin_unlocks_and_deactivates_accounts(client):
    from datetime import timedelta

    from lms.db import utcnow

    user = make_user(Role.EXAMINER)
    user.locked_until = utcnow() + timedelta(minutes=10)
    admin = make_user(Role.CITY_ADMIN)
    client.login_as(admin)
    client.post(f"/users/{user.id}/unlock")
    db.session.refresh(user)
    assert user.locked_until is None
    client.post(f"/users/{user.id}/active", data={"active": "0", "confirmed": "1"})
    db.session.refresh(user)
    assert user.is_active is False
    client.post(f"/users/{admin.id}/active")
    db.session.refresh(admin)
    assert admin.is_active is True  # nobody deactivates themselves


def test_administrators_cannot_reset_their_own_password(client):
    """Found by `make scan`: a reset of one's own account signed the administrator out. Nobody
    acts on their own account through the administrators' actions (accounts/policy.py): it is
    not in their list, and its page and actions are not found; /account/password is theirs."""
    admin = make_user(Role.CITY_ADMIN)
    before = admin.password_hash
    client.login_as(admin)
    assert f'href="/users/{admin.id}"' not in client.get("/users").get_data(as_text=True)
    assert client.get(f"/users/{admin.id}").status_code == 404
    assert client.post(f"/users/{admin.id}/password-reset").status_code == 404
    db.session.refresh(admin)
    assert admin.password_hash == before
    assert client.get("/users").status_code == 200  # still signed in


def test_cli_creates_an_account_with_a_password_from_stdin(app):
    from click.testing import CliRunner

    district = make_district()
    result = CliRunner().invoke(
        app.cli,
        [
            "users",
            "create",
            "--role",
            "district_admin",
            "--username",
            "Tunliu",
            "--district",
            district.code,
        ],
        input=TEST_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "tunliu"))
    assert (user.role, user.district_id) == (Role.DISTRICT_ADMIN, district.id)
    weak = CliRunner().invoke(
        app.cli, ["users", "create", "--role", "examiner", "--username", "weak"], input="12345678\n"
    )
    assert weak.exit_code != 0
