"""The audit log reads as words: actions, details and objects by their names, empty details
left out, long values wrapped (the 360-px layout is checked in tests/e2e/test_accessibility)."""

from __future__ import annotations

from lms.core import audit
from lms.core.roles import Role
from tests.conftest import zh
from tests.factories import make_user


def test_the_log_shows_names_not_codes(client) -> None:
    admin = make_user(Role.CITY_ADMIN, username="chief")
    audit.record("api_token.created", admin, actor=admin, name="省平台", district_id=None)
    audit.record("certificate.revoked", admin, actor=admin, number="CZ-1", reason="有误")
    client.login_as(admin)
    page = client.get("/audit").get_data(as_text=True)
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    assert zh("API token created") in body and ">api_token.created<" not in body
    assert f"{zh('Name')}：省平台" in body
    assert "district_id" not in body and "None" not in body
    assert f"{zh('Reason')}：有误" in body
    assert f"{zh('Account')} #{admin.id}" in body and "users #" not in body
    # The filter offers actions by name; a code or a code's start still filters.
    assert f'<option value="api_token.created">{zh("API token created")}</option>' in page
    only = client.get("/audit?action=api_token.").get_data(as_text=True)
    assert (
        zh("API token created") in only
        and zh("Certificate revoked") not in only.split("<tbody>")[1]
    )


def test_details_are_shown_as_words(app) -> None:
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_CN"):
        shown = audit.details_shown({"staff_ids": [3, 4], "auto": True, "note": "", "x": None})
    assert shown == [(zh("Staff records"), "3、4"), (zh("Automatic"), zh("Yes"))]
