"""Removing an invigilator from a draft exam session asks first on the confirmation page, naming
the invigilator, the room and how many invigilators stay there; it happens once confirmed."""

from __future__ import annotations

from lms.core.roles import Role
from lms.db import db
from lms.exams.models import Invigilation
from tests.conftest import zh
from tests.core.test_confirm import asks
from tests.exams.factories import make_session, stock_bank
from tests.factories import make_user


def test_removing_an_invigilator_asks_first(client) -> None:
    stock_bank()
    session = make_session(candidates=2, publish=False)
    room = session.rooms[0]
    invigilation = room.invigilators[0]
    name = invigilation.user.display_name
    left = len(room.invigilators) - 1
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/exams/sessions/{session.id}/invigilations/{invigilation.id}/delete"

    page = asks(client.post(url), 1)
    assert (
        zh(
            "%(name)s no longer invigilates room %(room)s; %(n)d invigilators are left there.",
            name=name,
            room=room.name,
            n=left,
        )
        in page
    )
    assert f'href="/exams/sessions/{session.id}"' in page  # cancel goes back to the session
    db.session.expire_all()
    assert db.session.get(Invigilation, invigilation.id) is not None

    response = client.post(url, data={"confirmed": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/exams/sessions/{session.id}")
    db.session.expire_all()
    assert db.session.get(Invigilation, invigilation.id) is None


def test_a_published_session_keeps_its_invigilators_without_asking(client) -> None:
    stock_bank()
    session = make_session(candidates=2)
    invigilation = session.rooms[0].invigilators[0]
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/exams/sessions/{session.id}/invigilations/{invigilation.id}/delete"
    response = client.post(url)
    assert response.status_code == 302  # no question: the refusal is said on the session page
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="confirm-page"' not in page
    db.session.expire_all()
    assert db.session.get(Invigilation, invigilation.id) is not None
