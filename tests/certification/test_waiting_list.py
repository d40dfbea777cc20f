"""The certificates page's list of those waiting for a photo sorts by its column headers (wsort)
and pages with the shared pager (wpage), each on its own: the register's sort and page stay as
they were, and the search (wq) is kept."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from lms.core.roles import Role
from lms.db import db
from tests.certification.factories import make_passed_candidate
from tests.conftest import zh
from tests.factories import make_institution, make_user

#: Latin first letters: the same order in every database collation.
NAMES = ["A甲一", "B乙二", "C丙三"]


def _shown(client, **query: object) -> list[str]:
    response = client.get("/certificates", query_string=query)
    assert response.status_code == 200
    section = re.search(
        r'data-testid="waiting-list".*?</table>', response.get_data(as_text=True), re.S
    )
    assert section is not None
    return re.findall(r'data-label="' + zh("Name") + r'"><a [^>]*>([^<]+)<', section.group(0))


def test_the_waiting_list_sorts_by_its_headers_and_pages_on_its_own(client, app, monkeypatch):
    waiting = [make_passed_candidate(photo=False) for _ in range(3)]
    institutions = ["C托育园", "A托育园", "B托育园"]
    for candidate, name, place in zip(waiting, NAMES, institutions, strict=True):
        candidate.staff.name = name
        candidate.staff.institution_id = make_institution(name=place).id
    db.session.flush()
    client.login_as(make_user(Role.CITY_ADMIN))

    by_name = _shown(client, wsort="name")
    assert by_name == sorted(NAMES)
    assert _shown(client, wsort="-name") == sorted(NAMES, reverse=True)
    by_number = sorted(waiting, key=lambda c: c.admission_number)
    assert _shown(client) == [c.staff.name for c in by_number]  # admission number by default
    assert _shown(client, wsort="institution") == ["B乙二", "C丙三", "A甲一"]
    assert client.get("/certificates", query_string={"wsort": "id"}).status_code == 400

    page = client.get("/certificates", query_string={"wsort": "name", "sort": "name"})
    text = page.get_data(as_text=True)
    # The header reverses the waiting list's order only, back on its first page, keeping the
    # register's own sort.
    reverse = next(
        parse_qs(urlsplit(html.unescape(href)).query)
        for href in re.findall(r'href="(/certificates\?[^"]*)"', text)
        if "wsort=-name" in href
    )
    assert reverse == {"wsort": ["-name"], "sort": ["name"], "wpage": ["1"]}

    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    first = _shown(client, wsort="name", wq="")
    second = _shown(client, wsort="name", wpage=2)
    assert first + second == sorted(NAMES)
    text = client.get("/certificates", query_string={"wsort": "name"}).get_data(as_text=True)
    assert zh("Page %(p)d of %(n)d", p=1, n=2) in text
    assert re.search(r'href="/certificates\?[^"]*wpage=2', text)
    assert 'name="wsort" value="name"' in text  # the search keeps the order
