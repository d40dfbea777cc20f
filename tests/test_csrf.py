"""Every state-changing route refuses a request without the form's CSRF token."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lms.db import db
from lms.models import metadata
from tests.conftest import zh
from tests.factories import make_user
from tests.test_access_matrix import MATRIX, _url, build_world

#: What the CSRF refusal says (and nothing else answering 400 says).
REFUSAL = "The form has expired or was not sent from this site. Please reload the page."

POST_ROUTES = [
    (rule, allowed, extra) for method, rule, allowed, extra in MATRIX if method == "POST"
]


@pytest.mark.parametrize(
    ("rule", "allowed", "extra"), POST_ROUTES, ids=[rule for rule, _, _ in POST_ROUTES]
)
def test_post_without_token_is_refused(client, csrf_enabled, rule, allowed, extra):
    world = build_world(
        exams=rule.startswith("/exams"),
        skills=rule.startswith("/skills"),
        certificates=rule.startswith(("/certificates", "/verify", "/api/v1/certificates")),
    )
    actor = next(role for role in world.users if role in allowed) if rule != "/login" else None
    user = world.users.get(actor)
    values = dict(world.ids)
    if extra:
        values.update(extra(world, user))
    if user is not None:
        client.login_as(user)
    before = _snapshot()
    response = client.post(_url(rule, values), data={})
    assert response.status_code == 400
    if response.is_json:
        assert response.get_json()["error"]["code"] == "csrf"
    else:
        assert zh(REFUSAL) in response.get_data(as_text=True)
    assert _snapshot() == before, "a request refused for its missing token changed the database"


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (in the test's own transaction), in a stable order. The set-up is
    committed first, as the test client does before each request (so that its revision counter
    bump is not taken for the request's)."""
    db.session.commit()
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in db.session.execute(table.select())), key=str
        )
        for table in metadata.sorted_tables
    }


def test_forms_carry_a_token(client, csrf_enabled):
    world = build_world()
    client.login_as(world.users[next(iter(world.users))])
    page = client.get("/account/password").get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_a_form_with_its_token_is_accepted(client, csrf_enabled):
    """With its token the sign-in form is judged on its content: a wrong password is told as
    such (not as an expired form), and the right one signs in."""
    make_user(username="tokened", password="Right-Password-2026")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "username": "tokened", "password": "wrong"}
    )
    assert response.status_code == 200
    assert zh("Wrong user name or password") in response.text
    assert zh(REFUSAL) not in response.text
    signed_in = client.post(
        "/login",
        data={"csrf_token": token, "username": "tokened", "password": "Right-Password-2026"},
    )
    assert signed_in.status_code == 302
    assert client.get("/login").status_code == 302  # signed in: the form sends you home


def test_the_same_sign_in_without_its_token_is_refused(client, csrf_enabled):
    make_user(username="untokened", password="Right-Password-2026")
    response = client.post(
        "/login", data={"username": "untokened", "password": "Right-Password-2026"}
    )
    assert response.status_code == 400 and zh(REFUSAL) in response.text
    assert client.get("/login").status_code == 200  # still signed out
