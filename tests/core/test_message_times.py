"""Every time in a message reads as Changzhi time, the way the page around it shows it: a
message once said "2027-12-05 00:00:00+00:00" while the page said 08:00. One formatter
(lms/core/messages.py) fills every translated message, in Python and in templates."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

from flask import flash, render_template_string
from flask_babel import gettext, lazy_gettext, lazy_ngettext, ngettext

from lms.core.errors import Conflict, error_response
from lms.core.messages import message_value

ROOT = Path(__file__).parents[2]
#: 00:00 UTC on 5 December 2027 is 08:00 in Changzhi.
MOMENT = datetime(2027, 12, 5, 0, 0, tzinfo=UTC)
LOCAL = "2027/12/5 08:00"
RAW = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(\.\d+)?(\+00:00|Z)?")


def _raw_utc(text: str) -> bool:
    return bool(RAW.search(text)) or "+00:00" in text


def test_every_kind_of_message_shows_a_utc_moment_as_changzhi_time(app):
    with app.test_request_context("/?lang=zh_CN"):
        messages = [
            gettext("The exam opens at %(t)s", t=MOMENT),
            str(lazy_gettext("The exam opens at %(t)s", t=MOMENT)),
            ngettext("%(num)d item at %(t)s", "%(num)d items at %(t)s", 2, t=MOMENT),
            str(lazy_ngettext("%(num)d item at %(t)s", "%(num)d items at %(t)s", 1, t=MOMENT)),
            str(
                Conflict(
                    lazy_gettext("The exam window is still open until %(t)s", t=MOMENT)
                ).message
            ),
            render_template_string('{{ _("The exam opens at %(t)s", t=t) }}', t=MOMENT),
            render_template_string(
                '{{ ngettext("%(num)d item at %(t)s", "%(num)d items at %(t)s", 3, t=t) }}',
                t=MOMENT,
            ),
        ]
    for message in messages:
        assert LOCAL in message and not _raw_utc(message), message


def test_a_naive_timestamp_from_the_database_is_read_as_utc(app):
    with app.test_request_context("/?lang=zh_CN"):
        message = gettext("The exam opens at %(t)s", t=MOMENT.replace(tzinfo=None))
    assert LOCAL in message


def test_a_day_reads_in_the_readers_language(app):
    with app.test_request_context("/?lang=zh_CN"):
        assert gettext("valid until %(d)s", d=date(2027, 12, 5)).endswith("2027年12月5日")
        assert message_value(7) == 7 and message_value("x") == "x"


def test_a_flash_and_a_json_error_carry_changzhi_time(app):
    """What a view flashes with a raw timestamp, and the JSON answer of a DomainError with
    one, both say 08:00."""
    with app.test_request_context("/?lang=zh_CN", headers={"Accept": "application/json"}):
        flash(lazy_gettext("The exam opens at %(t)s", t=MOMENT), "error")
        page = render_template_string(
            "{% for m in get_flashed_messages() %}<p>{{ m }}</p>{% endfor %}"
        )
        refused = Conflict(lazy_gettext("The exam window is still open until %(t)s", t=MOMENT))
        body, status = error_response(refused.status, refused.message, refused.code)
        message = body.get_json()["error"]["message"]
    assert LOCAL in page and not _raw_utc(page)
    assert status == 409 and LOCAL in message and not _raw_utc(message)


#: The bounds of a date typed in an address or a form, given in the ISO form that is typed.
TYPED_FORMS = {"EARLIEST_DATE.isoformat()", "LATEST_DATE.isoformat()"}
MESSAGE_CALLS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}


def test_no_message_formats_a_time_by_hand():
    """Message arguments are the values themselves: a time turned into text before the message
    (isoformat, strftime, str) escapes the one formatter, so it is refused here, in Python
    and in templates."""
    found = []
    for path in (ROOT / "lms").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MESSAGE_CALLS
            ):
                continue
            for keyword in node.keywords:
                source = ast.unparse(keyword.value)
                typed = source.removeprefix("params.") in TYPED_FORMS
                if re.search(r"\.(isoformat|strftime)\(", source) and not typed:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {source}")
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\{\{[^}]*\b_\([^}]*\}\}", text):
            if re.search(r"\.(isoformat|strftime)\(", match.group(0)):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)[:80]}")
    assert found == [], "\n".join(found)
