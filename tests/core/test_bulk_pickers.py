"""Bulk actions besides the approvals (lms.core.bulk): admitting theory candidates, nominating
staff to a cohort and admitting skill candidates. Each list is searched and paged; "select all
matching" reaches every page of what the search matched (and nothing it left out); posting with
nothing ticked changes nothing and says so."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.core.roles import Role
from lms.db import db
from lms.exams.models import Candidate
from lms.grading.models import SkillCandidate
from lms.learning.models import Enrolment, EnrolmentStatus
from lms.learning.views import NOMINATE_PAGE_SIZE
from tests.conftest import zh
from tests.exams.factories import eligible_trainee, make_session, stock_bank
from tests.factories import make_district, make_institution, make_staff, make_user
from tests.grading.factories import make_skill_session
from tests.learning.factories import make_cohort, make_course, make_plan


def count(model, **where) -> int:
    statement = select(func.count()).select_from(model)
    for name, value in where.items():
        statement = statement.where(getattr(model, name) == value)
    return db.session.scalar(statement) or 0


def test_theory_candidates_are_searched_and_all_matching_are_admitted(client) -> None:
    stock_bank()
    session = make_session(candidates=0, publish=False)
    north = make_institution(make_district("140403"), name="北关托育园")
    south = make_institution(make_district("140403"), name="南街托育园")
    northerners = [eligible_trainee(5, institution=north) for _ in range(3)]
    eligible_trainee(5, institution=south)
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/exams/sessions/{session.id}/candidates"

    page = client.get(f"{url}?q=北关").text
    assert page.count('name="staff_ids"') == 3 and "南街托育园" not in page
    assert zh("Select all %(n)d matching the filter", n=3) in page

    response = client.post(url, data={"q": "北关"}, follow_redirects=True)
    assert zh("Nothing is selected: tick the trainees to admit first.") in response.text
    assert count(Candidate, session_id=session.id) == 0

    client.post(url, data={"q": "北关", "all_matching": "y"})
    admitted = set(
        db.session.scalars(select(Candidate.staff_id).where(Candidate.session_id == session.id))
    )
    assert admitted == {staff.id for staff in northerners}


def test_nominating_searches_pages_and_selects_all_matching(client) -> None:
    home = make_district("140403")
    institution = make_institution(home)
    cohort = make_cohort(make_plan(quotas={home.id: 100}), make_course(), capacity=200)
    for n in range(NOMINATE_PAGE_SIZE + 2):
        make_staff(institution, name=f"保育员{n:02d}")
    make_staff(institution, name="厨师甲")
    client.login_as(make_user(Role.INSTITUTION_MANAGER, institution=institution))
    url = f"/training/cohorts/{cohort.id}/nominate"

    first = client.get(url).text
    assert first.count('name="staff_ids"') == NOMINATE_PAGE_SIZE and 'rel="next"' in first
    assert client.get(f"{url}?page=2").text.count('name="staff_ids"') == 3
    assert client.get(f"{url}?q=厨师").text.count('name="staff_ids"') == 1

    response = client.post(url, data={}, follow_redirects=True)
    assert zh("Nothing is selected: tick the people to nominate first.") in response.text
    assert count(Enrolment) == 0

    client.post(url, data={"q": "保育员", "all_matching": "y"})
    nominated = count(Enrolment, status=EnrolmentStatus.NOMINATED)
    assert nominated == NOMINATE_PAGE_SIZE + 2  # every page, and not the cook


def test_skill_candidates_select_all_and_nothing_selected(client) -> None:
    session = make_skill_session(candidates=0, publish=False)
    people = [eligible_trainee(session.level) for _ in range(3)]
    client.login_as(make_user(Role.CITY_ADMIN))
    url = f"/skills/sessions/{session.id}/candidates"
    response = client.post(url, follow_redirects=True)
    assert zh("Nothing is selected: tick the trainees to admit first.") in response.text
    assert count(SkillCandidate, session_id=session.id) == 0
    client.post(url, data={"staff_ids": [people[0].id]})
    assert count(SkillCandidate, session_id=session.id) == 1
    client.post(url, data={"all_matching": "y"})
    assert count(SkillCandidate, session_id=session.id) == 3
