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
