"""Chinese text takes full-width punctuation (导出：CSV, not 导出: CSV), in the catalog and in
the templates; English pages show English labels (levels too), Chinese pages Chinese ones."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from lms.core.roles import Role
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "lms" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
CJK = "[\u4e00-\u9fff]"  # Chinese characters (not punctuation)
#: A half-width , : ? ! ; right after a Chinese character, or ( ) around Chinese text.
HALF_WIDTH = re.compile(rf"{CJK}[,:?!;]|{CJK}\(|\({CJK}|{CJK}\)|\){CJK}")
#: A list written as data (``[开始, 结束]``) keeps its comma.
DATA_LIST = re.compile(r"\[[^\]]*\]")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TAGS = re.compile(r"<[^>]*>")


def half_width_in(text: str) -> list[str]:
    text = DATA_LIST.sub("", text)
    return [match.group(0) for match in HALF_WIDTH.finditer(text)]


def test_the_rule_finds_what_it_should() -> None:
    assert half_width_in("导出: CSV") and half_width_in("确定吗?") and half_width_in("机构(名称)")
    assert not half_width_in("导出：CSV") and not half_width_in("ICC(1)：比例")


def test_chinese_translations_use_full_width_punctuation() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    wrong = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong += [s for s in strings if s and half_width_in(s)]
    assert wrong == [], wrong[:10]


def test_template_text_uses_full_width_punctuation_after_chinese() -> None:
    wrong = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = path.read_text("utf-8")
        text = TAGS.sub(" ", JINJA.sub(" ", source))
        wrong += [f"{path.relative_to(ROOT)}: {found}" for found in half_width_in(text)]
        # A translated label followed by ':' in the template: its colon must follow the language.
        wrong += [
            f"{path.relative_to(ROOT)}: {found}"
            for found in re.findall(r"_\([\"'][^\"']*[\"']\)\s*\}\}\s?:", source)
        ]
    assert wrong == [], wrong[:10]


def test_a_label_and_its_colon_follow_the_language(client) -> None:
    client.login_as(make_user(Role.CITY_ADMIN))
    assert "导出：" in client.get("/staff").get_data(as_text=True)
    english = client.get("/staff?lang=en").get_data(as_text=True)
    assert "Export: " in english and "导出" not in english


def test_levels_are_named_in_the_readers_language(client) -> None:
    client.login_as(make_user(Role.CITY_ADMIN))
    english = client.get("/skills/sessions/new?lang=en").get_data(as_text=True)
    assert "Level 5 / Junior worker" in english and "五级/初级工" not in english
    chinese = client.get("/skills/sessions/new").get_data(as_text=True)
    assert "五级/初级工" in chinese
