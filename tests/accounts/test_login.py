import re
from datetime import timedelta

from sqlalchemy import select

from lms.accounts.devices import COOKIE_NAME as DEVICE_COOKIE
from lms.accounts.models import TrustedDevice, User
from lms.core.audit import AuditEvent
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.extensions import limiter
from tests.conftest import TEST_PASSWORD, zh
from tests.factories import make_district, make_user


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


def lock_out_strangers(app, username):
    """An attacker's wrong passwords from a fresh client, enough to lock untrusted clients."""
    attacker = app.test_client()
    for n in range(app.config["LOGIN_MAX_FAILURES"]):
        assert sign_in(attacker, username, f"wrong-password-{n}").status_code == 200
    return attacker


def trusted_browser(app, username):
    """The owner's browser: it signed in before (and keeps its device cookie), then out."""
    browser = app.test_client()
    assert sign_in(browser, username).status_code == 302
    assert browser.get_cookie(DEVICE_COOKIE, domain="lms.test", path="/login") is not None
    browser.post("/logout")
    return browser


def test_an_attackers_failures_lock_out_strangers_but_not_the_owners_browser(client, app):
    user = make_user(Role.CITY_ADMIN, username="chief")
    owner = trusted_browser(app, "chief")
    attacker = lock_out_strangers(app, "chief")
    assert "login.locked" in actions()
    # Untrusted clients are locked out, even with the right password...
    refused = sign_in(attacker, "chief")
    assert refused.status_code == 200 and zh("Wrong user name or password") in refused.text
    assert sign_in(app.test_client(), "chief").status_code == 200
    assert "login.refused_locked" in actions()
    # ...while the owner's browser still signs in, and the strangers' lockout stays.
    assert sign_in(owner, "chief").status_code == 302
    assert owner.get("/").status_code == 200
    assert sign_in(attacker, "chief").status_code == 200
    # After the lockout period the right password works from anywhere again.
    db.session.get(User, user.id).locked_until = utcnow() - timedelta(seconds=1)
    assert sign_in(attacker, "chief").status_code == 302


def test_a_trusted_browser_has_its_own_small_budget(client, app):
    make_user(Role.CITY_ADMIN, username="chief")
    browser = trusted_browser(app, "chief")
    for n in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(browser, "chief", f"wrong-password-{n}")
    device = db.session.scalar(select(TrustedDevice))
    assert device.locked_until is not None  # that browser's budget is spent, not the account's
    assert db.session.scalar(select(User).where(User.username == "chief")).locked_until is None
    assert sign_in(app.test_client(), "chief").status_code == 302


def test_a_locked_account_gets_the_same_answer_as_an_unknown_user(client, app):
    make_user(Role.CITY_ADMIN, username="chief")
    lock_out_strangers(app, "chief")
    locked = sign_in(app.test_client(), "chief")
    unknown = sign_in(app.test_client(), "chiefx")
    wrong = sign_in(app.test_client(), "chiefx", "not-the-password")
    assert locked.status_code == unknown.status_code == wrong.status_code == 200

    def page(response, username):
        text = re.sub(r'(csrf[-_]token"[^>]*value|csrf-token" content)="[^"]+"', "", response.text)
        return text.replace(f'value="{username}"', "")

    assert page(locked, "chief") == page(unknown, "chiefx") == page(wrong, "chiefx")
    assert zh("Wrong user name or password") in locked.text
    assert "锁定" not in locked.text


def test_unknown_names_wrong_passwords_and_locked_accounts_take_similar_time(
    client, app, monkeypatch
):
    """Each does one Argon2 verification (a dummy one when there is nothing to check). The
    fastest of several tries is compared, the figure least disturbed by other load."""
    import time

    monkeypatch.setitem(app.config, "PASSWORD_HASH_TIME_COST", 2)
    monkeypatch.setitem(app.config, "PASSWORD_HASH_MEMORY_KIB", 32768)
    make_user(Role.CITY_ADMIN, username="chief")
    make_user(Role.CITY_ADMIN, username="target")
    lock_out_strangers(app, "target")

    def timed(username, password):
        times = []
        for _ in range(7):
            started = time.perf_counter()
            sign_in(app.test_client(), username, password)
            times.append(time.perf_counter() - started)
        return min(times)

    figures = {
        "unknown": timed("nobody", "not-the-password"),
        "wrong": timed("chief", "not-the-password"),
        "locked": timed("target", TEST_PASSWORD),
    }
    slowest = max(figures.values())
    assert min(figures.values()) > slowest / 2, figures


def test_a_device_cookie_for_another_account_does_not_help(client, app):
    make_user(Role.CITY_ADMIN, username="alice")
    make_user(Role.CITY_ADMIN, username="bob")
    browser = trusted_browser(app, "alice")
    lock_out_strangers(app, "bob")
    assert sign_in(browser, "bob").status_code == 200
    # Nor does a forged or altered cookie.
    forged = app.test_client()
    value = browser.get_cookie(DEVICE_COOKIE, domain="lms.test", path="/login").value
    forged.set_cookie(DEVICE_COOKIE, value[:-2] + "xx", domain="lms.test", path="/login")
    assert sign_in(forged, "bob").status_code == 200
    assert sign_in(browser, "alice").status_code == 302


def test_a_browser_shared_by_several_people_is_trusted_for_each_of_them(client, app):
    """A computer at an institution, used by several trainees in turn."""
    for name in ("alice", "bob", "carol"):
        make_user(Role.CITY_ADMIN, username=name)
    shared = app.test_client()
    for name in ("alice", "bob"):
        assert sign_in(shared, name).status_code == 302
        shared.post("/logout")
    for name in ("alice", "bob", "carol"):
        lock_out_strangers(app, name)
    assert sign_in(shared, "carol").status_code == 200  # never signed in there
    for name in ("alice", "bob"):
        assert sign_in(shared, name).status_code == 302, name
        shared.post("/logout")


def test_the_device_cookie_is_signed_http_only_and_limited_to_sign_in(client, app):
    make_user(Role.CITY_ADMIN, username="chief")
    response = sign_in(client, "chief")
    header = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith(DEVICE_COOKIE + "=")
    )
    assert "HttpOnly" in header and "Path=/login" in header and "SameSite=Lax" in header
    assert db.session.scalar(select(TrustedDevice.user_id)) is not None


def test_an_administrator_unlock_lifts_the_lockout(client, app):
    user = make_user(Role.EXAMINER, username="gone")
    lock_out_strangers(app, "gone")
    assert sign_in(app.test_client(), "gone").status_code == 200
    client.login_as(make_user(Role.CITY_ADMIN))
    client.post(f"/users/{user.id}/unlock")
    assert sign_in(app.test_client(), "gone").status_code == 302


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


def copy_of_session(app, browser):
    """A second client carrying a copy of ``browser``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    cookie = browser.get_cookie("lms_session", domain="lms.test")
    thief.set_cookie("lms_session", cookie.value, domain="lms.test")
    return thief


def test_sign_out_ends_the_session(client, app):
    make_user(Role.CITY_ADMIN, username="chief")
    assert sign_in(client, "chief").status_code == 302
    copy = copy_of_session(app, client)
    assert client.get("/").status_code == 200
    assert copy.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302
    # A copy of the cookie, taken before the sign-out, is sent to sign in too.
    response = copy.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions(client, app):
    make_user(Role.CITY_ADMIN, username="chief")
    assert sign_in(client, "chief").status_code == 302
    copy = copy_of_session(app, client)
    other_device = app.test_client()
    sign_in(other_device, "chief")
    response = client.post(
        "/account/password",
        data={
            "current": TEST_PASSWORD,
            "new": "Brand-New-Lantern-77",
            "confirm": "Brand-New-Lantern-77",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # the session that changed it continues
    assert copy.get("/").status_code == 302
    assert other_device.get("/").status_code == 302
    assert "user.password_changed" in actions()


def test_deactivation_ends_every_session_of_the_account(client, app):
    user = make_user(Role.EXAMINER, username="marker")
    browser = app.test_client()
    assert sign_in(browser, "marker").status_code == 302
    copy = copy_of_session(app, browser)
    assert copy.get("/").status_code == 200
    client.login_as(make_user(Role.CITY_ADMIN))
    client.post(f"/users/{user.id}/active", data={"active": "0", "confirmed": "1"})
    assert db.session.get(User, user.id).is_active is False
    assert browser.get("/").status_code == 302
    assert copy.get("/").status_code == 302
    # Activated again, the old cookies still do not come back to life.
    client.post(f"/users/{user.id}/active", data={"active": "1"})
    assert db.session.get(User, user.id).is_active is True
    assert copy.get("/").status_code == 302


def test_role_or_scope_change_ends_every_session_of_the_account(client, app):
    home, away = make_district("140403"), make_district("140404")
    user = make_user(Role.DISTRICT_ADMIN, username="luzhou", district=home)
    browser = app.test_client()
    assert sign_in(browser, "luzhou").status_code == 302
    copy = copy_of_session(app, browser)
    assert copy.get("/users").status_code == 200
    client.login_as(make_user(Role.CITY_ADMIN))
    response = client.post(
        f"/users/{user.id}",
        data={"role": "district_admin", "district_id": away.id, "institution_id": 0},
    )
    assert response.status_code == 302
    assert db.session.get(User, user.id).district_id == away.id
    assert browser.get("/users").status_code == 302
    assert copy.get("/users").status_code == 302


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
