"""No parameter of any page is a server error: every GET route of the web app, as every role, fed
generated query-string values (huge and negative numbers, far and malformed dates, long strings,
unicode, nothing) for the parameters it reads, answers below 500; and so does the exam autosave
with huge positions. (/api/v1 is fuzzed against its OpenAPI document in tests/api.)

The parameters a route reads are found by asking it: one plain request per route, with the
request's argument dictionary recording every name looked up, so a new route or a new filter is
covered without being listed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, Request
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict

from lms.core import params
from lms.db import db
from lms.exams import attempts
from lms.exams.models import Attempt
from lms.models import metadata
from tests.test_access_matrix import ACTORS, ANON, MATRIX, C, D, M, T, X, _url, build_world

#: Hypothesis examples per route and role, besides the explicit ones below.
EXAMPLES = 4

_read: set[str] = set()


class _RecordingArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    """Request arguments that note every name a view looks up."""

    def __getitem__(self, key: Any) -> Any:
        _read.add(key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        _read.add(key)
        return super().get(key, default, type)

    def getlist(self, key: Any, type: Any = None) -> Any:
        _read.add(key)
        return super().getlist(key, type)

    def __contains__(self, key: object) -> bool:
        _read.add(str(key))
        return super().__contains__(key)


class _RecordingRequest(Request):
    parameter_storage_class = _RecordingArgs


@contextmanager
def recording(app: Flask) -> Iterator[set[str]]:
    saved = app.request_class
    app.request_class = _RecordingRequest
    _read.clear()
    try:
        yield _read
    finally:
        app.request_class = saved


NASTY = [
    str(10**20),
    str(-(10**20)),
    "-1",
    "0",
    "2147483648",
    "9" * 5000,
    "0001-01-15",
    "9999-12-31",
    "0000-00-00",
    "2024-02-30",
    "1999-12-31",
    "2101-01-01",
    "0001-01",
    "9999-12",
    "2026-13",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "1e400",
    "nan",
    "",
    " ",
    "１２",
    "٣",
    "%00",
    "\x00",
    "x" * 3000,
    "';--",
    "中文",
    "\U0001f600",
]

values = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(date.isoformat),
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
    st.from_regex(r"-?\d{1,6}-\d{1,3}(-\d{1,3})?", fullmatch=True),
    st.text(max_size=200),
)


def _extras() -> dict[str, Any]:
    return {rule: extra for method, rule, _, extra in MATRIX if method == "GET" and extra}


def _get_routes(app: Flask) -> list[str]:
    return sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods
            and rule.endpoint != "static"
            and not rule.rule.startswith("/api/")
        }
    )


def _assert_answered(response: Any, url: str, query: dict[str, str]) -> None:
    assert response.status_code < 500, (url, query, response.status_code)


def _fuzz(client: Any, url: str, names: list[str]) -> None:
    """Hypothesis's examples of the parameters ``names`` of ``url``, and the notorious ones."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(query=st.fixed_dictionaries({}, optional={name: values for name in names}))
    @example(query=dict.fromkeys(names, str(10**20)))
    @example(query=dict.fromkeys(names, "0001-01-15"))
    @example(query=dict.fromkeys(names, "9999-12-31"))
    @example(query=dict.fromkeys(names, "\x00"))
    def check(query: dict[str, str]) -> None:
        _assert_answered(client.get(url, query_string=query), url, query)

    check()


@pytest.mark.parametrize("actor", ACTORS, ids=str)
def test_no_get_parameter_is_a_server_error(app, client, actor):
    world = build_world(exams=True, skills=True, certificates=True)
    user = world.users.get(actor)
    if user is not None:
        client.login_as(user)
    extras = _extras()
    reached = 0
    for rule in _get_routes(app):
        path_values = dict(world.ids)
        if rule in extras:
            path_values.update(extras[rule](world, user))
        url = _url(rule, path_values)
        with recording(app) as read:
            first = client.get(url)
        _assert_answered(first, url, {})
        names = sorted(read - {"lang"})  # ?lang= only chooses the language of the page
        if not names:
            continue
        reached += 1

        _fuzz(client, url, names)
    # The recording works: everybody reaches at least the verification pages' parameters (and
    # the roles with lists to filter, those lists' too).
    assert reached >= (2 if actor in (ANON, T, X) else 3)


def test_page_numbers_out_of_range(client):
    """Past the end of a list: its last page; past any list (or not a number): 400 and why."""
    world = build_world(exams=True)
    client.login_as(world.users[C])
    last = client.get("/exams/sessions/", query_string={"page": "999999"})
    assert last.status_code == 200
    for page in (str(10**20), "-1", "abc"):
        refused = client.get("/exams/sessions/", query_string={"page": page})
        assert refused.status_code == 400
        assert "page" in refused.get_data(as_text=True)


def test_far_dates_on_dashboards_are_dropped_with_a_message(client):
    world = build_world()
    client.login_as(world.users[C])
    for day in ("0001-01-15", "9999-12-31"):
        page = client.get("/dashboard", query_string={"on": day})
        assert page.status_code == 200
        assert "2000-01-01" in page.get_data(as_text=True)  # the field says which dates it takes
    for query in ({"since": "0001-01-15"}, {"until": "9999-12-31"}):
        assert "2000-01-01" in client.get("/audit", query_string=query).get_data(as_text=True)
    report = client.get("/dashboard/report.pdf", query_string={"month": "0001-01"})
    assert report.status_code == 400
    assert "month" in report.get_data(as_text=True)


def _started_attempt(world: Any) -> int:
    attempt = db.session.get(Attempt, world.ids["attempt_id"])
    assert attempt is not None
    attempts.start(attempt.candidate)
    return attempt.id


@pytest.mark.parametrize(
    ("position", "seq"), [(10**20, 1), (-(10**20), 1), (2**31, 1), (0, 1), (1, 2**63)]
)
def test_autosave_numbers_out_of_range_are_refused(client, position, seq):
    world = build_world(exams=True)
    attempt_id = _started_attempt(world)
    client.login_as(world.users[T])
    response = client.post(
        f"/exams/my/attempts/{attempt_id}/answer",
        json={"position": position, "seq": seq, "value": "A"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_no_autosave_value_is_a_server_error(client):
    world = build_world(exams=True)
    attempt_id = _started_attempt(world)
    client.login_as(world.users[T])
    huge = st.integers(min_value=-(10**30), max_value=10**30)

    @settings(max_examples=60, deadline=None, derandomize=True, database=None)
    @given(
        position=st.one_of(st.integers(min_value=-2, max_value=40), huge),
        seq=st.one_of(st.integers(min_value=0, max_value=100), huge),
        value=st.one_of(st.text(max_size=50), st.lists(st.sampled_from("ABCDE")), st.none(), huge),
    )
    @example(position=1, seq=1, value="\x00")
    @example(position=1, seq=2, value=["A\x00"])
    def check(position: int, seq: int, value: Any) -> None:
        response = client.post(
            f"/exams/my/attempts/{attempt_id}/answer",
            json={"position": position, "seq": seq, "value": value},
        )
        assert response.status_code < 500, (position, seq, value)

    check()


def test_nul_characters_are_refused_wherever_they_come(client):
    """PostgreSQL cannot hold a NUL character: in an address, a form or a JSON body it is a 400
    with a message, on SQLite as on PostgreSQL."""
    world = build_world(exams=True)
    attempt_id = _started_attempt(world)
    client.login_as(world.users[T])
    answers = [
        client.get("/verify", query_string={"number": "A\x00"}),
        client.post("/account/password", data={"current": "\x00"}),
        client.post(
            f"/exams/my/attempts/{attempt_id}/answer",
            json={"position": 1, "seq": 1, "value": "\x00"},
        ),
    ]
    assert [answer.status_code for answer in answers] == [400, 400, 400]
    assert "NUL" in answers[0].get_data(as_text=True)


class Forms(HTMLParser):
    """The POST forms of a page: action, and fields with a plausible value each."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._open = (a.get("method") or "").lower() == "post"
            if self._open:
                self.forms.append({"action": a.get("action"), "fields": {}, "dates": []})
        if not self._open:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("date", "datetime-local"):
                self.forms[-1]["dates"].append((name, kind))
            elif kind == "number":
                fields.setdefault(name, a.get("value") or a.get("min") or "1")
            elif kind in ("checkbox", "radio"):
                fields.setdefault(name, a.get("value") or "y")
            elif kind not in ("submit", "button", "file"):
                fields.setdefault(name, a.get("value") or "测试")
        elif tag == "textarea" and name:
            fields.setdefault(name, "测试")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            fields.setdefault(self._select, a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._open = False


FAR_DATES = ["0001-01-01", "0001-01-15", "9999-12-31", "1899-12-31", "2101-01-01"]


@pytest.mark.parametrize("actor", [M, D, C], ids=str)
def test_no_far_date_in_a_form_is_a_server_error(app, client, actor):
    """Every form with a date on any page, filled in plausibly and sent with far dates: a
    message, never a server error (year 1 and year 9999 parse, then overflow the arithmetic)."""
    world = build_world(exams=True, skills=True, certificates=True)
    user = world.users[actor]
    client.login_as(user)
    extras = _extras()
    sent = 0
    for rule in _get_routes(app):
        values = dict(world.ids)
        if rule in extras:
            values.update(extras[rule](world, user))
        url = _url(rule, values)
        page = client.get(url)
        if page.status_code != 200 or "html" not in page.content_type:
            continue
        forms = Forms()
        forms.feed(page.get_data(as_text=True))
        for form in forms.forms:
            if not form["dates"] or form["action"] in ("/logout", "/language"):
                continue
            for far in FAR_DATES:
                data = dict(form["fields"])
                for name, kind in form["dates"]:
                    data[name] = far + ("T08:00" if kind == "datetime-local" else "")
                response = client.post(form["action"] or url, data=data)
                sent += 1
                assert response.status_code < 500, (url, form["action"], data)
    assert sent >= 5
    # … and nothing was stored with such a date, to fail some later page.
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (sa.Date, sa.DateTime)):
                low, high = db.session.execute(
                    sa.select(sa.func.min(column), sa.func.max(column))
                ).one()
                for value in (low, high):
                    if value is not None:
                        day = value.date() if isinstance(value, datetime) else value
                        assert params.in_date_range(day), (column, value)
