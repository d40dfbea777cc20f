"""The skill assessment pages as their users meet them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from lms.core.idnumber import mask
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.extensions import limiter
from lms.grading import marking, sessions
from lms.grading.models import DeclaredRelation, SkillSession
from tests.conftest import zh
from tests.exams.factories import eligible_trainee
from tests.factories import make_user, new_id_number
from tests.grading.factories import id_number_of, make_examiner, make_skill_session, mark_all


def test_an_administrator_sets_up_and_publishes_a_session(client) -> None:
    admin = make_user(Role.CITY_ADMIN)
    examiners = [make_examiner(display_name=f"考评员{n}") for n in range(3)]
    trainees = [eligible_trainee(5) for _ in range(2)]
    client.login_as(admin)
    starts = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT09:00")
    response = client.post(
        "/skills/sessions/new",
        data={
            "title": "2026年第2场技能考核",
            "level": "5",
            "starts_at": starts,
            "slot_minutes": "45",
            "tasks_per_candidate": "4",
            "combine_rule": "mean",
            "max_spread": "15",
        },
    )
    assert response.status_code == 302
    session = db.session.query(SkillSession).one()
    client.post(
        f"/skills/sessions/{session.id}/panels",
        data={
            "name": "第1考站",
            "chief_id": examiners[0].id,
            "member_ids": [e.id for e in examiners],
        },
    )
    page = client.get(f"/skills/sessions/{session.id}").get_data(as_text=True)
    assert "第1考站" in page and trainees[0].name in page
    client.post(
        f"/skills/sessions/{session.id}/candidates", data={"staff_ids": [t.id for t in trainees]}
    )
    client.post(f"/skills/sessions/{session.id}/assign")
    client.post(f"/skills/sessions/{session.id}/publish", data={"confirmed": str(len(trainees))})
    db.session.refresh(session)
    assert session.status.value == "published"
    assert all(c.panel is not None and c.slot_at is not None for c in session.candidates)
    assert all(len(c.tasks) == 4 for c in session.candidates)


def test_an_even_panel_is_refused_with_the_reason(client) -> None:
    session = make_skill_session(panel_sizes=(4,), publish=False)
    client.login_as(make_user(Role.CITY_ADMIN))
    response = client.post(f"/skills/sessions/{session.id}/publish", data={"confirmed": "3"})
    assert response.status_code == 409
    assert "第1考站" in response.get_data(as_text=True)


def test_the_examiner_sees_the_admission_number_only_and_autosaves(client) -> None:
    session = make_skill_session(candidates=1)
    candidate = session.candidates[0]
    task = candidate.tasks[0]
    examiner = task.panel.examiners[1]
    client.login_as(examiner)
    page = client.get(f"/skills/marking/{task.id}").get_data(as_text=True)
    assert candidate.admission_number in page
    assert candidate.staff.name not in page and candidate.staff.institution.name not in page
    assert 'data-testid="panel-hidden"' in page
    first = task.criteria[0]
    saved = client.post(
        f"/skills/marking/{task.id}",
        data={f"p_{first['key']}": "3", "version": "0", "comment": "动作轻柔"},
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200 and saved.json["version"] == 1
    stale = client.post(
        f"/skills/marking/{task.id}",
        data={f"p_{first['key']}": "9", "version": "0"},
        headers={"Accept": "application/json"},
    )
    assert stale.status_code == 409
    assert stale.json["error"]["message"] == zh(
        "This sheet was changed in another window or tab. Reload it to see the latest marks "
        "before changing them."
    )
    again = client.get(f"/skills/marking/{task.id}").get_data(as_text=True)
    assert 'value="3"' in again and "动作轻柔" in again


def test_panel_marks_appear_to_members_only_after_all_submit(client) -> None:
    session = make_skill_session(candidates=1)
    task = session.candidates[0].tasks[0]
    first, second, third = task.panel.examiners
    mark_all(task, {first: 80, second: 82, third: 84})
    client.login_as(second)
    page = client.get(f"/skills/marking/{task.id}").get_data(as_text=True)
    assert 'data-testid="panel-marks"' in page and "：80</li>" in page and "：84</li>" in page
    assert "最终成绩：82<" in page


def test_an_examiner_off_the_panel_does_not_find_the_task(client) -> None:
    session = make_skill_session(candidates=1)
    task = session.candidates[0].tasks[0]
    client.login_as(make_examiner())
    assert client.get(f"/skills/marking/{task.id}").status_code == 404
    arbitration = {"score": "90", "reason": "复核"}
    assert client.post(f"/skills/marking/{task.id}/arbitrate", data=arbitration).status_code == 404


def test_trainee_sees_results_with_per_task_feedback_after_publication(client) -> None:
    session = make_skill_session(candidates=1)
    candidate = session.candidates[0]
    trainee = make_user(Role.TRAINEE, staff=candidate.staff)
    for task in candidate.tasks:
        for examiner in task.panel.examiners:
            marking.save_sheet(
                task,
                examiner,
                marking.SheetInput(
                    {c["key"]: c["points"] for c in task.criteria},
                    [],
                    "操作规范",
                    marking.sheet_version(task, examiner),
                    submit=True,
                ),
            )
    client.login_as(trainee)
    assert "操作规范" not in client.get("/skills/my").get_data(as_text=True)
    sessions.publish_results(session, make_user(Role.CITY_ADMIN))
    page = client.get("/skills/my").get_data(as_text=True)
    assert "操作规范" in page and 'data-testid="skills-score">100<' in page
    assert candidate.tasks[0].title in page


def test_results_export_lists_every_candidate(client) -> None:
    session = make_skill_session(candidates=2)
    client.login_as(make_user(Role.CITY_ADMIN))
    body = client.get(f"/skills/sessions/{session.id}/results.csv").get_data(as_text=True)
    for candidate in session.candidates:
        assert candidate.admission_number in body and candidate.staff.name in body


def _declare(client: Any, number: str) -> tuple[int, str, str]:
    """What the examiner sees on declaring: status, where they are sent, the page there — with
    the masked number they typed taken out (it differs only by what they typed), and the CSRF
    token (signed with the second it was made in)."""
    response = client.post("/skills/relations", data={"id_number": number, "note": "亲属"})
    page = client.get("/skills/relations").get_data(as_text=True)
    page = re.sub(r'(name="csrf[_-]token"[^>]*?)(content|value)="[^"]*"', r"\1", page)
    location = response.headers.get("Location", "")
    return response.status_code, location, page.replace(mask(number), "")


def test_declaring_a_relation_tells_nothing_about_who_holds_the_number(client) -> None:
    """The same answer for somebody registered (outside the examiner's scope) as for nobody,
    no name shown anywhere; and the declaration still keeps that person from the examiner."""
    examiner = make_examiner()
    relative = eligible_trainee(5)
    client.login_as(examiner)
    somebody = _declare(client, id_number_of(relative))
    db.session.execute(delete(DeclaredRelation))  # start again from the same empty list
    nobody = _declare(client, new_id_number())
    assert somebody == nobody
    assert somebody[0] == 302
    assert relative.name not in somebody[2]

    _declare(client, id_number_of(relative))
    session = sessions.create_session(
        sessions.SessionData(title="回避", level=5, starts_at=utcnow()), make_user(Role.CITY_ADMIN)
    )
    sessions.add_panel(session, "唯一考站", examiner, [examiner, make_examiner(), make_examiner()])
    sessions.add_candidates(session, [relative])
    assert sessions.assign(session) == [session.candidates[0].admission_number]


def test_a_malformed_id_number_is_refused_for_its_form_only(client) -> None:
    client.login_as(make_examiner())
    response = client.post("/skills/relations", data={"id_number": "140402199001011230"})
    assert response.status_code == 200 and zh("ID number check digit is wrong") in (
        response.get_data(as_text=True)
    )


def test_declarations_are_rate_limited_per_examiner(client) -> None:
    client.login_as(make_examiner())
    limiter.enabled = True
    limiter.reset()
    try:
        statuses = [
            client.post("/skills/relations", data={"id_number": new_id_number()}).status_code
            for _ in range(12)
        ]
    finally:
        limiter.enabled = False
    assert statuses[:10] == [302] * 10
    assert statuses[10:] == [429, 429]
