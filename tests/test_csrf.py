"""Every state-changing route refuses a request without the form's CSRF token."""

from __future__ import annotations

import pytest

from tests.test_access_matrix import MATRIX, _url, build_world

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
    response = client.post(_url(rule, values), data={})
    assert response.status_code == 400


def test_forms_carry_a_token(client, csrf_enabled):
    world = build_world()
    client.login_as(world.users[next(iter(world.users))])
    page = client.get("/account/password").get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_a_form_with_its_token_is_accepted(client, csrf_enabled):
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "username": "x", "password": "y"})
    assert response.status_code == 200
