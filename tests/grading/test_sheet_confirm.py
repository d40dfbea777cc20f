"""Handing in a marking sheet asks first on the server's confirmation page (no browser dialog):
it names the sheet by admission number and task, says the marks cannot be changed afterwards,
and the sheet is handed in only once that page is confirmed. Saving as one goes (JSON) is
unchanged."""

from __future__ import annotations

from lms.db import db
from lms.grading import marking
from tests.conftest import zh, zh_fragments
from tests.core.test_confirm import asks
from tests.grading.factories import make_skill_session


def _full_marks(task) -> dict[str, str]:
    return {f"p_{item['key']}": f"{item['points']:g}" for item in task.criteria}


def test_submitting_a_sheet_asks_first_and_keeps_the_marks_meanwhile(client) -> None:
    session = make_skill_session(candidates=1)
    task = session.candidates[0].tasks[0]
    examiner = task.panel.examiners[0]
    client.login_as(examiner)
    url = f"/skills/marking/{task.id}"
    assert "data-confirm" not in client.get(url).get_data(as_text=True)

    posted = {**_full_marks(task), "comment": "规范", "version": "0", "step": "submit"}
    page = asks(client.post(url, data=posted), 1)
    assert task.candidate.admission_number in page and task.title in page
    assert task.candidate.staff.name not in page  # blind marking holds here too
    for piece in zh_fragments(
        "Your marking sheet of %(task)s for admission number %(number)s, total %(total)s "
        "points, is handed in to the panel: your marks cannot be changed afterwards."
    ):
        assert piece in page
    # Not handed in yet, but saved as it stands (cancelling keeps what was typed)...
    db.session.expire_all()
    mark = marking.sheet_for(task, examiner)
    assert mark is not None and mark.submitted_at is None and mark.total == 100
    # ...and the page posts the sheet again at the version just saved.
    assert f'name="version" value="{mark.version}"' in page
    assert 'name="step" value="submit"' in page

    confirmed = client.post(url, data={**posted, "version": str(mark.version), "confirmed": "1"})
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith(
        "/skills/marking"
    )
    db.session.expire_all()
    mark = marking.sheet_for(task, examiner)
    assert mark is not None and mark.submitted_at is not None
    page = client.get(url).get_data(as_text=True)
    assert zh("Submitted") in page and zh("Submit marks") not in page


def test_an_incomplete_sheet_is_not_offered_for_submission(client) -> None:
    session = make_skill_session(candidates=1)
    task = session.candidates[0].tasks[0]
    examiner = task.panel.examiners[0]
    client.login_as(examiner)
    first = task.criteria[0]
    url = f"/skills/marking/{task.id}"
    response = client.post(url, data={f"p_{first['key']}": "1", "version": "0", "step": "submit"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert zh("Mark every criterion before submitting") in page
    assert 'data-testid="confirm-page"' not in page
    mark = marking.sheet_for(task, examiner)
    assert mark is not None and mark.submitted_at is None


def test_saving_as_one_goes_does_not_ask(client) -> None:
    session = make_skill_session(candidates=1)
    task = session.candidates[0].tasks[0]
    client.login_as(task.panel.examiners[0])
    saved = client.post(
        f"/skills/marking/{task.id}",
        data={**_full_marks(task), "version": "0", "step": "save"},
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200 and saved.json == {"saved": True, "version": 1, "total": 100}


def test_a_sheet_changed_in_another_tab_meanwhile_is_not_handed_in(client) -> None:
    session = make_skill_session(candidates=1)
    task = session.candidates[0].tasks[0]
    examiner = task.panel.examiners[0]
    client.login_as(examiner)
    url = f"/skills/marking/{task.id}"
    posted = {**_full_marks(task), "version": "0", "step": "submit"}
    asks(client.post(url, data=posted), 1)
    # Another tab saves the sheet again before the confirmation is sent.
    client.post(url, data={**posted, "version": "1", "step": "save", "comment": "另一标签页"})
    response = client.post(url, data={**posted, "version": "1", "confirmed": "1"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert (
        zh(
            "This sheet was changed in another window or tab. Reload it to see the latest marks "
            "before changing them."
        )
        in page
    )
    mark = marking.sheet_for(task, examiner)
    assert mark is not None and mark.submitted_at is None
