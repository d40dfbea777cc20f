"""The list pages' shared macros (templates/macros/forms.html): the filter form, the pager and the
column-header sort keep every other parameter of the address, and a page holding two lists pages
and sorts each with its own parameters."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from flask import render_template_string

from lms.api import services as api_services
from lms.core.pagination import Page
from lms.core.roles import Role
from tests.core.test_list_pages import cells
from tests.factories import make_user

TWO_LISTS = (
    '{% from "macros/forms.html" import pager, sort_header %}'
    '{{ pager(first) }}|{{ pager(second, name="wpage") }}|'
    '{{ sort_header("name", "Name", wsort, name="wsort", page_name="wpage") }}'
)


def _links(html: str) -> dict[str, dict[str, list[str]]]:
    """The query of each link (by its ``rel``, or ``sort`` for a header's link)."""
    found = re.findall(r'<a (?:class="sort-link" )?href="([^"]+)"(?: rel="(\w+)")?', html)
    return {rel or "sort": parse_qs(urlsplit(unescape(href)).query) for href, rel in found}


def test_a_second_list_pages_and_sorts_on_its_own_parameters(app) -> None:
    first = Page(items=[], total=60, page=2, per_page=25)
    second = Page(items=[], total=60, page=1, per_page=25)
    with app.test_request_context("/certificates?q=甲&page=2&wq=乙&wpage=1&wsort=-name"):
        html = render_template_string(TWO_LISTS, first=first, second=second, wsort="-name")
    first_pager, second_pager, header = html.split("|")
    # The first list's pager moves "page" only; the second one's moves "wpage" only.
    assert _links(first_pager)["next"] == {
        "q": ["甲"],
        "page": ["3"],
        "wq": ["乙"],
        "wpage": ["1"],
        "wsort": ["-name"],
    }
    assert _links(first_pager)["prev"]["page"] == ["1"]
    assert _links(second_pager)["next"] == {
        "q": ["甲"],
        "page": ["2"],
        "wq": ["乙"],
        "wpage": ["2"],
        "wsort": ["-name"],
    }
    assert "prev" not in _links(second_pager)
    # The second list's header reverses its own sort and sends only its own list to page 1.
    assert _links(header)["sort"] == {
        "q": ["甲"],
        "page": ["2"],
        "wq": ["乙"],
        "wpage": ["1"],
        "wsort": ["name"],
    }
    assert 'aria-sort="descending"' in header


def test_the_default_parameters_are_page_and_sort(app) -> None:
    page = Page(items=[], total=60, page=1, per_page=25)
    template = """{% from "macros/forms.html" import pager, sort_header %}
{{ pager(page) }}|{{ sort_header("name", "Name", "name") }}"""
    with app.test_request_context("/certificates?q=甲&sort=name&page=1"):
        pager, header = render_template_string(template, page=page).split("|")
    assert _links(pager)["next"] == {"q": ["甲"], "sort": ["name"], "page": ["2"]}
    assert _links(header)["sort"] == {"q": ["甲"], "sort": ["-name"], "page": ["1"]}


def _query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(unescape(href)).query)


def test_a_filtered_list_keeps_its_filters_when_paged_and_sorted(client) -> None:
    admin = make_user(Role.CITY_ADMIN)
    for n in range(27):
        api_services.create_token(admin, f"平台{n:02d}", None, 30)
    api_services.create_token(admin, "其他系统", None, 30)
    _secret, gone = api_services.create_token(admin, "平台撤销", None, 30)
    api_services.revoke(gone, admin)
    client.login_as(admin)
    filters = {"q": ["平台"], "status": ["active"]}

    first = client.get("/api-tokens?q=平台&status=active&sort=name").text
    # The form shows the filters in force and keeps the sort.
    assert 'name="q" type="search" value="平台"' in first
    assert '<option value="active" selected>' in first
    assert '<input type="hidden" name="sort" value="name">' in first
    # The next page keeps the search, the filter and the sort.
    following = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert following and _query(following[1]) == {**filters, "sort": ["name"], "page": ["2"]}
    second = client.get(unescape(following[1])).text
    assert cells(second, "使用方") == ["平台25", "平台26"]
    # A header's link keeps the search and the filter and starts again from the first page.
    headers = dict(
        (label, _query(href))
        for href, label in re.findall(r'class="sort-link" href="([^"]+)">([^<]+)<', second)
    )
    assert headers["使用方"] == {**filters, "sort": ["-name"], "page": ["1"]}
    reversed_first = client.get("/api-tokens", query_string={**filters, "sort": "-name"}).text
    assert cells(reversed_first, "使用方")[:2] == ["平台26", "平台25"]
