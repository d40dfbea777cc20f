from datetime import timedelta

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.audit import AuditEvent
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.extensions import limiter
from tests.conftest import TEST_PASSWORD, zh, zh_fragments
from tests.factories import make_user


def sign_in(client, username, password=TEST_PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def actions():
    return [
        event.action for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def test_sign_in_with_the_right_password_opens_the_home_page(client):
    user = make_user(Role.CITY_ADMIN, username="chief")
    response = sign_in(client, "Chief ", follow_redirects=True)
    assert response.status_code == 200
    assert user.display_name in response.get_data(as_text=True)
    assert "login.succeeded" in actions()
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    make_user(Role.CITY_ADMIN, username="chief")
    wrong = sign_in(client, "chief", "not-the-password").get_data(as_text=True)
    unknown = sign_in(client, "nobody", "not-the-password").get_data(as_text=True)
    assert zh("Wrong user name or password") in wrong
    assert zh("Wrong user name or password") in unknown
    assert actions().count("login.failed") == 2


def test_sign_in_starts_a_new_session(client):
    user = make_user(Role.CITY_ADMIN, username="chief")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "chief")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == user.get_id()


def test_five_failures_lock_the_account_even_for_the_right_password(client, app):
    user = make_user(Role.CITY_ADMIN, username="chief")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(client, "chief", "wrong-password-1")
    page = sign_in(client, "chief").get_data(as_text=True)
    locked = "This account is locked after repeated failed sign-ins. Try again in %(m)d minutes."
    assert all(piece in page for piece in zh_fragments(locked))
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert "login.locked" in actions()
    assert "login.refused_locked" in actions()
    # After the lockout period the right password works again.
    db.session.get(User, user.id).locked_until = utcnow() - timedelta(seconds=1)
    assert sign_in(client, "chief").status_code == 302


def test_deactivated_accounts_cannot_sign_in(client):
    user = make_user(Role.EXAMINER, username="gone")
    user.is_active = False
    assert sign_in(client, "gone").status_code == 200
    assert "login.refused_inactive" in actions()


def test_sign_in_attempts_are_rate_limited_per_address(client, app):
    make_user(Role.CITY_ADMIN, username="chief")
    limiter.enabled = True
    limiter.reset()
    try:
        statuses = [sign_in(client, "chief", f"guess-{n}").status_code for n in range(25)]
    finally:
        limiter.enabled = False
    assert statuses[:20] == [200] * 20
    assert set(statuses[20:]) == {429}


def test_next_parameter_only_redirects_within_the_site(client):
    make_user(Role.CITY_ADMIN, username="chief")
    inside = sign_in(client, "chief", query_string={"next": "/staff?page=2"})
    assert inside.headers["Location"].endswith("/staff?page=2")
    client.post("/logout")
    outside = sign_in(client, "chief", query_string={"next": "https://evil.example/x"})
    assert "evil" not in outside.headers["Location"]
    client.post("/logout")
    scheme_relative = sign_in(client, "chief", query_string={"next": "//evil.example"})
    assert "evil" not in scheme_relative.headers["Location"]


def test_sign_out_ends_the_session(client):
    user = make_user(Role.CITY_ADMIN)
    client.login_as(user)
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions(client, app):
    user = make_user(Role.CITY_ADMIN)
    other_device = app.test_client()
    client.login_as(user)
    other_device.login_as(user)
    response = client.post(
        "/account/password",
        data={
            "current": TEST_PASSWORD,
            "new": "Brand-New-Lantern-77",
            "confirm": "Brand-New-Lantern-77",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    assert "user.password_changed" in actions()


def test_idle_sessions_expire(client, app):
    user = make_user(Role.CITY_ADMIN)
    client.login_as(user)
    idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    with client.session_transaction() as session:
        session["seen"] -= idle + 5
    response = client.get("/staff")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/").status_code == 302


def test_a_password_set_by_an_admin_must_be_changed_first(client):
    user = make_user(Role.TRAINEE)
    user.must_change_password = True
    client.login_as(user)
    response = client.get("/me")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/password")
    client.post(
        "/account/password",
        data={
            "current": TEST_PASSWORD,
            "new": "Brand-New-Lantern-77",
            "confirm": "Brand-New-Lantern-77",
        },
    )
    assert db.session.get(User, user.id).must_change_password is False
    assert client.get("/me").status_code == 200


def test_weak_new_passwords_are_refused(client):
    user = make_user(Role.CITY_ADMIN, username="chief")
    client.login_as(user)
    for weak in ("password123", "chief-2026-chief", "qwertyuiop12"):
        response = client.post(
            "/account/password", data={"current": TEST_PASSWORD, "new": weak, "confirm": weak}
        )
        assert response.status_code == 200, weak
    assert "user.password_changed" not in actions()
