"""Chinese by default, English on request; the Chinese catalog covers every message."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "lms" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "登录" in page


def test_the_query_parameter_chooses_the_language_of_that_page_only(client):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    assert '<html lang="zh-CN">' in client.get("/login").get_data(as_text=True)
    with client.session_transaction() as session:
        assert "lang" not in session


def test_a_get_never_changes_a_signed_in_users_stored_language(client):
    """A link on another site (``?lang=en``) must not change what the user chose."""
    from lms.core.roles import Role
    from tests.factories import make_user

    client.login_as(make_user(Role.CITY_ADMIN))
    client.post("/language", data={"lang": "zh_CN", "next": "/"})
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["lang"] == "zh_CN"
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_the_language_switcher_posts_stores_the_choice_and_goes_back(client):
    response = client.post(
        "/language", data={"lang": "en", "next": "/login?next=%2Fstaff&lang=zh_CN"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fstaff"
    with client.session_transaction() as session:
        assert session["lang"] == "en"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"lang": "fr", "next": "/login"})  # not a language we speak
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_the_language_switcher_goes_back_within_the_site_only(client):
    for elsewhere in ("https://evil.example/x", "//evil.example", "/\\evil.example", "evil"):
        response = client.post("/language", data={"lang": "en", "next": elsewhere})
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"], elsewhere


def test_the_language_switcher_is_a_form_with_a_csrf_token(client, csrf_enabled):
    page = client.get("/login?page=2").get_data(as_text=True)
    form = re.search(
        r'<form class="lang-switch" method="post" action="/language">(.*?)</form>', page, re.S
    )
    assert form and 'name="csrf_token"' in form.group(1)
    assert 'name="next" value="/login?page=2"' in form.group(1)
    assert client.post("/language", data={"lang": "en"}).status_code == 400


def test_accept_language_chooses_english_or_chinese(client):
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    chinese = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-CN">' in chinese.get_data(as_text=True)
    other = client.get("/login", headers={"Accept-Language": "fr-FR"})
    assert '<html lang="zh-CN">' in other.get_data(as_text=True)


def test_every_message_in_the_code_has_a_chinese_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(template),
            "--no-location",
            "--omit-header",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        message.id for message in catalog if message.id and message.string and not message.fuzzy
    }
    missing = sorted(str(message) for message in wanted - translated)
    assert missing == [], f"{len(missing)} messages lack a Chinese translation: {missing[:10]}"


def test_translations_keep_their_placeholders():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    pattern = re.compile(r"%\(\w+\)[sd]")
    wrong = [
        message.id
        for message in catalog
        if message.id
        and message.string
        and sorted(pattern.findall(message.id)) != sorted(pattern.findall(message.string))
    ]
    assert wrong == []


def test_dates_are_written_the_chinese_way(app):
    from datetime import date

    from flask_babel import force_locale

    with force_locale("zh_CN"):
        assert app.jinja_env.filters["date"](date(2026, 11, 23)) == "2026年11月23日"
