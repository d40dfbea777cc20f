"""The marking sheet shows the task card the examiner reads to the candidate, and flags the
steps the candidate describes instead of waiting for them."""

from __future__ import annotations

from sqlalchemy import select

from lms.db import db
from lms.grading import sessions
from lms.grading.models import PracticalTask
from tests.conftest import zh
from tests.grading.factories import make_skill_session


def test_the_sheet_shows_the_card_and_the_describe_only_steps(client) -> None:
    session = make_skill_session(candidates=1)
    tasks = session.candidates[0].tasks
    assert all(task.card["scenario"] for task in tasks)  # each keeps the card it was drawn with
    disinfection = db.session.scalar(
        select(PracticalTask).where(PracticalTask.code == "disinfection")
    )
    task = next((t for t in tasks if t.task_code == "disinfection"), tasks[0])
    task.task_code, task.title = disinfection.code, disinfection.title
    task.rubric = sessions._drawn_rubric(disinfection)
    db.session.flush()

    client.login_as(task.panel.examiners[1])
    page = client.get(f"/skills/marking/{task.id}").get_data(as_text=True)
    assert 'data-testid="task-card"' in page and disinfection.scenario[:20] in page
    assert zh("%(n)s minutes", n=15) in page
    # One step (the 30-minute contact time) is described, not waited for.
    assert page.count('data-testid="describe-only"') == 1
    assert zh("about %(n)s minutes in reality", n="30") in page


def test_a_drawn_card_stays_what_the_candidate_was_given(app) -> None:
    session = make_skill_session(candidates=1, publish=False)
    drawn = session.candidates[0].tasks[0]
    before = drawn.card
    task = db.session.scalar(select(PracticalTask).where(PracticalTask.code == drawn.task_code))
    task.scenario, task.duration_minutes = "改过的情境", 99
    db.session.flush()
    db.session.refresh(drawn)
    assert drawn.card == before and drawn.card["scenario"] != "改过的情境"
