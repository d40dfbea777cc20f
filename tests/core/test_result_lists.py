"""The result lists that grow with a session (theory results, skill results) and the list of
those waiting for a photo before their certificate: search, the result filter, sorting and
pages change what the administrator sees."""

from __future__ import annotations

import re
from datetime import timedelta

from lms.core.roles import Role
from lms.db import db, utcnow
from lms.exams import queries
from lms.exams.models import Attempt, AttemptStatus
from lms.grading import sessions as skill_sessions
from tests.certification.factories import make_passed_candidate, pass_theory
from tests.exams.factories import make_session
from tests.factories import make_user
from tests.grading.factories import make_skill_session, mark_all


def _names(page: str, names: list[str]) -> list[str]:
    """The ``names`` the page shows, in the order it shows them."""
    found = [(page.index(name), name) for name in names if name in page]
    return [name for _at, name in sorted(found)]


# Theory results -----------------------------------------------------------------------------


def _theory_world() -> tuple[int, dict[str, str]]:
    """A theory session of four candidates: two passed (90, 75), one failed (40), one absent."""
    session = make_session(candidates=4, publish=False)
    now = utcnow()
    outcomes = [
        ("甲一", 90.0, True),
        ("乙二", 40.0, False),
        ("丙三", 75.0, True),
        ("丁四", None, None),
    ]
    numbers = {}
    for candidate, outcome in zip(
        [candidate for candidate, _attempt in queries.candidates(session)], outcomes, strict=True
    ):
        candidate.staff.name = outcome[0]
        numbers[outcome[0]] = candidate.admission_number
        if outcome[1] is not None:
            db.session.add(
                Attempt(
                    candidate_id=candidate.id,
                    seed=1,
                    started_at=now - timedelta(hours=1),
                    deadline_at=now,
                    submitted_at=now,
                    status=AttemptStatus.SUBMITTED,
                    score=outcome[1],
                    passed=outcome[2],
                )
            )
    db.session.flush()
    return session.id, numbers


NAMES = ["甲一", "乙二", "丙三", "丁四"]


def test_theory_results_search_filter_sort_and_pages(client, app, monkeypatch):
    session_id, numbers = _theory_world()
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/exams/sessions/{session_id}/results"

    def shown(**query: object) -> list[str]:
        response = client.get(url, query_string=query)
        assert response.status_code == 200
        return _names(response.get_data(as_text=True), NAMES)

    assert shown() == NAMES
    assert shown(q="丙") == ["丙三"]
    assert shown(q=numbers["乙二"]) == ["乙二"]
    assert shown(result="pass") == ["甲一", "丙三"]
    assert shown(result="fail") == ["乙二"]
    assert shown(result="none") == ["丁四"]
    assert shown(result="pass", sort="-score") == ["甲一", "丙三"]
    assert shown(result="pass", sort="score") == ["丙三", "甲一"]
    # The absent candidate (no score) comes last both ways, on either database.
    assert shown(sort="score") == ["乙二", "丙三", "甲一", "丁四"]
    assert shown(sort="-score") == ["甲一", "丙三", "乙二", "丁四"]
    assert shown(sort="-number") == list(reversed(NAMES))
    page = client.get(url, query_string={"sort": "-number"}).get_data(as_text=True)
    assert 'aria-sort="descending"' in page
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    assert shown() == NAMES[:3]
    assert shown(page=2) == ["丁四"]
    assert client.get(url, query_string={"sort": "nonsense"}).status_code == 400


# Skill results ------------------------------------------------------------------------------


def test_skill_results_search_filter_sort_and_pages(client, app, monkeypatch):
    session = make_skill_session(candidates=4)
    ordered = sorted(session.candidates, key=lambda c: c.admission_number)
    plan = [("甲一", 90.0, True), ("乙二", 40.0, True), ("丙三", 80.0, False), ("丁四", 70.0, True)]
    for candidate, (name, skills, _theory) in zip(ordered, plan, strict=True):
        candidate.staff.name = name
        for task in candidate.tasks:
            mark_all(task, {examiner: skills for examiner in task.panel.examiners})
    skill_sessions.publish_results(session, make_user(Role.CITY_ADMIN))
    for candidate, (_name, _skills, theory) in zip(ordered, plan, strict=True):
        if theory:
            pass_theory(candidate.staff)
    db.session.flush()
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/skills/sessions/{session.id}/results"

    def shown(**query: object) -> list[str]:
        response = client.get(url, query_string=query)
        assert response.status_code == 200
        return _names(response.get_data(as_text=True), NAMES)

    assert shown() == NAMES
    assert shown(q="乙") == ["乙二"]
    assert shown(q=ordered[3].admission_number) == ["丁四"]
    assert shown(result="pass") == ["甲一", "丁四"]
    assert shown(result="fail") == ["乙二"]
    assert shown(result="pending") == ["丙三"]
    assert shown(sort="-skills") == ["甲一", "丙三", "丁四", "乙二"]
    assert shown(sort="result") == ["丙三", "乙二", "甲一", "丁四"]
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    assert shown(sort="name") == sorted(NAMES)[:2]
    assert shown(sort="name", page=2) == sorted(NAMES)[2:]
    # The filter keeps to one page; a page past its end shows its last page.
    assert shown(result="pass", page=2) == ["甲一", "丁四"]


# Waiting for a photo ------------------------------------------------------------------------


def test_the_list_waiting_for_a_photo_searches_and_pages(client, app, monkeypatch):
    waiting = [make_passed_candidate(photo=False) for _ in range(3)]
    for candidate, name in zip(waiting, ["甲一", "乙二", "丙三"], strict=True):
        candidate.staff.name = name
    db.session.flush()
    client.login_as(make_user(Role.CITY_ADMIN))

    def shown(**query: object) -> list[str]:
        response = client.get("/certificates", query_string=query)
        assert response.status_code == 200
        section = re.search(
            r'data-testid="waiting-for-photo".*?</details>', response.get_data(as_text=True), re.S
        )
        return _names(section.group(0), NAMES) if section else []

    assert sorted(shown()) == sorted(["甲一", "乙二", "丙三"])
    assert shown(wq="乙") == ["乙二"]
    assert shown(wq=waiting[2].admission_number) == ["丙三"]
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    first, second = shown(), shown(wpage=2)
    assert len(first) == 2 and len(second) == 1
    assert sorted(first + second) == sorted(["甲一", "乙二", "丙三"])
    page = client.get("/certificates", query_string={"wpage": 2}).get_data(as_text=True)
    assert "wpage=1" in page and " open>" in page
