"""Retakes (补考): a part failed is retaken alone in a later session of the same level; a part
passed counts RESULT_VALID_MONTHS (12) months; entry is refused with the reason for a part
still passed, or when the other part's pass has lapsed. Earlier results are hand-made (as in
test_results); the retakes go through the real entry, sitting and publishing."""

from __future__ import annotations

import pytest

from lms.certification import services as certification
from lms.core.access import Scope
from lms.core.errors import DomainError
from lms.core.roles import Role
from lms.exams import sessions as exam_sessions
from lms.grading import results
from lms.grading import sessions as skill_sessions
from lms.reports import queries as reports
from tests.certification.factories import give_photo, pass_theory
from tests.exams.factories import eligible_trainee, make_session
from tests.factories import make_user
from tests.grading.factories import make_skill_session
from tests.grading.test_results import skills, theory

pytestmark = pytest.mark.usefixtures("app")


def test_a_failed_theory_candidate_passes_a_retake_and_is_certified():
    staff = eligible_trainee(5)
    give_photo(staff)
    theory(staff, 5, False, days_ago=60)
    candidate = skills(staff, 5, True, days_ago=60)
    assert not results.has_passed(staff.id, 5)
    assert certification.eligible() == []
    funnel = {stage.key: stage.count for stage in reports.funnel(Scope(Role.CITY_ADMIN))}

    pass_theory(staff, 5)  # entered for theory alone, sits it, results published

    assert results.has_passed(staff.id, 5)
    assert [c.id for c in certification.eligible()] == [candidate.id]
    assert certification.issue(candidate).level == 5
    after = {stage.key: stage.count for stage in reports.funnel(Scope(Role.CITY_ADMIN))}
    # One person: counted once as passed, not once per sitting.
    assert after["passed"] == funnel["passed"] + 1 == 1
    assert after["sat_theory"] == funnel["sat_theory"] == 1
    # Pass rates stay per sitting: two theory sittings, one passed.
    rates = {rate.level: rate for rate in reports.pass_rates(Scope(Role.CITY_ADMIN))}
    assert (rates[5].theory_sat, rates[5].theory_passed) == (2, 1)


def test_entry_for_a_part_still_passed_is_refused_with_the_reason():
    staff = eligible_trainee(5)
    theory(staff, 5, True, days_ago=30)
    skills(staff, 5, False, days_ago=30)
    exam = make_session(candidates=0, publish=False)
    with pytest.raises(DomainError) as refused:
        exam_sessions.add_candidates(exam, [staff])
    message = str(refused.value)
    assert staff.name in message and "合格，成绩有效期至" in message
    # The failed part is entered alone.
    skill = make_skill_session(candidates=0, publish=False)
    assert skill_sessions.add_candidates(skill, [staff]) == 1


def test_a_skills_pass_still_valid_refuses_a_skills_entry():
    staff = eligible_trainee(5)
    theory(staff, 5, False, days_ago=30)
    skills(staff, 5, True, days_ago=30)
    skill = make_skill_session(candidates=0, publish=False)
    with pytest.raises(DomainError, match=r"技能考核已于.*合格，成绩有效期至"):
        skill_sessions.add_candidates(skill, [staff])


def test_when_the_other_part_has_lapsed_both_are_retaken_other_first():
    staff = eligible_trainee(5)
    theory(staff, 5, True, days_ago=400)
    skills(staff, 5, False, days_ago=400)
    skill = make_skill_session(candidates=0, publish=False)
    with pytest.raises(DomainError) as refused:
        skill_sessions.add_candidates(skill, [staff])
    assert "理论知识考试于" in str(refused.value) and "两部分均须重新参加" in str(refused.value)
    # The lapsed theory is entered again; then the skills entry is accepted.
    exam = make_session(candidates=0, publish=False)
    assert exam_sessions.add_candidates(exam, [staff]) == 1
    assert skill_sessions.add_candidates(skill, [staff]) == 1


def test_the_trainee_sees_what_remains(client):
    staff = eligible_trainee(5)
    theory(staff, 5, True, days_ago=30)
    skills(staff, 5, False, days_ago=30)
    [level] = results.standing(staff.id)
    assert level.level == 5 and not level.passed
    assert level.theory.passed_on is not None and level.theory.valid_until is not None
    assert level.skills.sat and level.skills.passed_on is None
    user = make_user(Role.TRAINEE, staff=staff)
    client.login_as(user)
    page = client.get("/skills/my").get_data(as_text=True)
    for day in (level.theory.passed_on, level.theory.valid_until):
        assert f"{day.year}年{day.month}月{day.day}日" in page  # days as the reader writes them
    assert 'data-testid="remaining-skills"' in page


def test_the_administrator_sees_why_a_retake_entry_is_refused(client):
    staff = eligible_trainee(5)
    theory(staff, 5, False, days_ago=30)
    skills(staff, 5, True, days_ago=30)
    session = make_skill_session(candidates=0, publish=False)
    client.login_as(make_user(Role.CITY_ADMIN))
    page = client.post(
        f"/skills/sessions/{session.id}/candidates",
        data={"staff_ids": [staff.id]},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "不能报名" in page and staff.name in page and "技能考核已于" in page
    assert session.candidates == []
