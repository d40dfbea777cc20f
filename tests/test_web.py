"""Health check, error pages and the headers every response carries."""

from __future__ import annotations

import pytest

from lms.core.roles import Role
from tests.factories import make_district, make_institution, make_staff, make_user


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
    assert response.headers["X-XSS-Protection"] == "0"  # the legacy auditor off (OWASP)


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


DATABASE_DOWN_PROBE = """
import json, sys
from lms import create_app
app = create_app({"ENV_NAME": "testing", "INSTANCE_PATH": sys.argv[1],
                  "DATABASE_URL": "postgresql://lms@127.0.0.1:1/nowhere",
                  "SECRET_KEY": "k" * 40, "DATA_KEY": "d" * 40, "WTF_CSRF_ENABLED": False,
                  "PROPAGATE_EXCEPTIONS": False})
client = app.test_client()
answers = {}
for method, url in (("GET", "/healthz"), ("GET", "/verify/S000014040001265000001"),
                    ("POST", "/login")):
    response = client.open(url, method=method, data={"username": "a", "password": "b" * 12},
                           headers={"Accept-Language": "zh-CN"})
    answers[url] = [response.status_code, response.get_data(as_text=True)]
print(json.dumps(answers))
"""


def test_with_the_database_down_every_request_gets_a_friendly_503(tmp_path):
    """No stack trace, no half-done work: a Chinese page (or JSON) saying to try again. (A
    process of its own: the application object is global to the test session.)"""
    import json
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", DATABASE_DOWN_PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    for url, (status, body) in answers.items():
        assert status == 503, (url, status, body[:300])
        assert "Traceback" not in body and "psycopg" not in body
    assert "暂时" in answers["/verify/S000014040001265000001"][1]
    assert json.loads(answers["/healthz"][1])["status"] == "unavailable"


EDITED_FILTERS = [
    "/users?role=1&q=",
    "/staff?post=1&institution_id=abc",
    "/institutions?type=1&district_id=99999&inclusive=x",
    "/exams/bank?type=zzz&level=x&state=zz&difficulty=%27",
    "/training/progress?by=zz&plan_id=x",
    "/dashboard/institutions?district_id=x&sort=zz&on=not-a-date",
    "/audit?since=x&until=2026-13-45",
]


@pytest.mark.parametrize("address", EDITED_FILTERS)
def test_edited_filter_values_filter_nothing_instead_of_failing(client, address):
    """Found by `make scan`: a value outside a filter's choices was a server error."""
    make_staff(make_institution(make_district("140403"), name="滤镜托育园"), name="滤镜员工")
    make_user(Role.EXAMINER, username="filterpeer")
    client.login_as(make_user(Role.CITY_ADMIN, username="filterchief"))
    response = client.get(address)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    if address.startswith(("/staff", "/institutions", "/dashboard")):
        assert "滤镜托育园" in page  # the bad filter was dropped, not applied
    if address.startswith("/users"):
        assert "filterpeer" in page  # (one's own account is not in one's list to act on)
