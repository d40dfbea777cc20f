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


def test_english_by_query_parameter_and_it_sticks(client):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in client.get("/login?lang=zh_CN").get_data(as_text=True)


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
