"""Health check, error pages and the headers every response carries."""

from __future__ import annotations

from lms.core.roles import Role
from tests.factories import make_user


def test_health_check_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_are_not_cached(client):
    client.login_as(make_user(Role.CITY_ADMIN))
    assert client.get("/staff").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_http_only_and_same_site(client):
    make_user(Role.CITY_ADMIN, username="chief")
    response = client.post("/login", data={"username": "chief", "password": "x"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_pages_get_a_friendly_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "404" in response.get_data(as_text=True)


def test_api_style_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_no_page_loads_anything_from_another_site(client):
    client.login_as(make_user(Role.CITY_ADMIN))
    for url in ("/login", "/", "/staff", "/institutions", "/roster/import", "/users", "/audit"):
        page = client.get(url).get_data(as_text=True)
        assert "http://" not in page and "https://" not in page, url
