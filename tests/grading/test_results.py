"""The pass rule ("passed level L": theory and skills passed at the same L, both published) is
decided once, in lms.grading.results; certification, the API, the dashboard funnel and the
trainee's page agree on a table of hand-made people.

Results are written directly here (how they are earned is tested in tests/exams and
tests/grading/test_services.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal, select

from lms.api import services as api_tokens
from lms.certification import services as certification
from lms.core.access import Scope
from lms.core.errors import Conflict
from lms.core.localtime import today
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.exams.models import Attempt, AttemptStatus, Candidate, ExamSession, SessionStatus
from lms.grading import queries, results
from lms.grading.models import SkillCandidate, SkillSession, SkillSessionStatus
from lms.learning.models import EnrolmentStatus
from lms.org.models import Staff
from lms.reports import queries as reports
from tests.certification.factories import give_photo
from tests.exams.factories import make_blueprint
from tests.factories import make_staff, make_user
from tests.learning.factories import make_cohort, make_course, make_enrolment, make_plan

pytestmark = pytest.mark.usefixtures("app")

_numbers = count(1)


def theory(
    staff: Staff, level: int, passed: bool, *, published: bool = True, days_ago: int = 3
) -> None:
    """A scored theory attempt of ``staff`` at ``level`` in a session ``days_ago`` days ago; the
    session's results published or only closed."""
    now = utcnow() - timedelta(days=days_ago - 3)
    session = ExamSession(
        title=f"理论{level}级",
        level=level,
        blueprint_id=make_blueprint(level).id,
        opens_at=now - timedelta(days=3),
        closes_at=now - timedelta(days=2),
        duration_minutes=60,
        status=SessionStatus.RESULTS_PUBLISHED if published else SessionStatus.CLOSED,
        results_published_at=now if published else None,
    )
    db.session.add(session)
    db.session.flush()
    candidate = Candidate(
        session_id=session.id, staff_id=staff.id, admission_number=f"T{next(_numbers):08d}"
    )
    db.session.add(candidate)
    db.session.flush()
    started = now - timedelta(days=3)
    db.session.add(
        Attempt(
            candidate_id=candidate.id,
            seed=1,
            started_at=started,
            deadline_at=started + timedelta(hours=1),
            submitted_at=started + timedelta(minutes=50),
            status=AttemptStatus.SUBMITTED,
            score=85.0 if passed else 40.0,
            passed=passed,
        )
    )
    db.session.flush()


def skills(
    staff: Staff, level: int, passed: bool | None, *, published: bool = True, days_ago: int = 1
) -> SkillCandidate:
    """A skill candidate of ``staff`` at ``level`` (None: not scored yet) in a session
    ``days_ago`` days ago; the session's results published or the session still running."""
    session = SkillSession(
        title=f"技能{level}级",
        level=level,
        starts_at=utcnow() - timedelta(days=days_ago),
        created_by_id=make_user(Role.CITY_ADMIN).id,
        status=SkillSessionStatus.RESULTS_PUBLISHED if published else SkillSessionStatus.PUBLISHED,
    )
    db.session.add(session)
    db.session.flush()
    candidate = SkillCandidate(
        session_id=session.id,
        staff_id=staff.id,
        admission_number=f"J{next(_numbers):08d}",
        skills_score=None if passed is None else (80.0 if passed else 45.0),
        skills_passed=passed,
    )
    db.session.add(candidate)
    db.session.flush()
    return candidate


#: (who, [theory parts], [skills parts], levels passed). A part: (level, passed, published) or
#: (level, passed, published, days ago): a pass counts RESULT_VALID_MONTHS (12) months.
PEOPLE: list[tuple[str, list[tuple[Any, ...]], list[tuple[Any, ...]], set[int]]] = [
    ("both parts at level 5", [(5, True, True)], [(5, True, True)], {5}),
    ("theory at 5, skills at 4", [(5, True, True)], [(4, True, True)], set()),
    ("theory at 4, skills at 5", [(4, True, True)], [(5, True, True)], set()),
    ("theory passed, its session unpublished", [(5, True, False)], [(5, True, True)], set()),
    ("skills passed, results unpublished", [(5, True, True)], [(5, True, False)], set()),
    ("skills failed", [(5, True, True)], [(5, False, True)], set()),
    ("theory failed", [(5, False, True)], [(5, True, True)], set()),
    ("skills not yet scored", [(5, True, True)], [(5, None, True)], set()),
    ("theory failed once, passed later", [(5, False, True), (5, True, True)], [(5, True, True)], {5}),  # noqa: E501
    ("skills failed once, passed later", [(5, True, True)], [(5, False, True), (5, True, True)], {5}),  # noqa: E501
    ("theory at 5 and 4, skills at 4", [(5, True, True), (4, True, True)], [(4, True, True)], {4}),
    ("two levels, each whole", [(5, True, True), (4, True, True)], [(5, True, True), (4, True, True)], {5, 4}),  # noqa: E501
    ("theory only", [(5, True, True)], [], set()),
    ("skills only", [], [(3, True, True)], set()),
    ("nothing yet", [], [], set()),
    # Retakes (补考): the later pass within 12 months of the earlier one.
    ("theory retaken within the year", [(5, False, True, 300), (5, True, True, 10)], [(5, True, True, 300)], {5}),  # noqa: E501
    ("theory retaken after 13 months", [(5, False, True, 420), (5, True, True, 10)], [(5, True, True, 420)], set()),  # noqa: E501
    ("skills retaken within the year", [(5, True, True, 200)], [(5, False, True, 200), (5, True, True, 5)], {5}),  # noqa: E501
    ("skills retaken after 13 months", [(5, True, True, 400)], [(5, False, True, 400), (5, True, True, 5)], set()),  # noqa: E501
    ("old theory lapsed, retaken near skills", [(5, True, True, 800), (5, True, True, 30)], [(5, True, True, 350)], {5}),  # noqa: E501
    ("retake passed, but at level 4", [(5, False, True, 100), (4, True, True, 10)], [(5, True, True, 100)], set()),  # noqa: E501
]  # fmt: skip


@pytest.fixture
def people() -> list[tuple[str, Staff, list[SkillCandidate], set[int]]]:
    made = []
    cohort = make_cohort(make_plan(year=today().year), make_course())
    for name, theory_parts, skill_parts, passed in PEOPLE:
        staff = make_staff(name=name[:20])
        make_enrolment(cohort, staff, status=EnrolmentStatus.COMPLETED)
        give_photo(staff)
        for level, ok, published, *ago in theory_parts:
            theory(staff, level, ok, published=published, days_ago=ago[0] if ago else 3)
        candidates = [
            skills(staff, level, ok, published=published, days_ago=ago[0] if ago else 1)
            for level, ok, published, *ago in skill_parts
        ]
        made.append((name, staff, candidates, passed))
    return made


def test_the_rule_in_python_and_sql_passes_exactly_the_table(people):
    for name, staff, _candidates, passed in people:
        assert {level for level in (5, 4, 3) if results.has_passed(staff.id, level)} == passed, name
        got = db.session.scalar(select(results.passed_some_level(staff.id)))
        assert bool(got) == bool(passed), name


def test_certification_issues_to_exactly_who_passed(people):
    eligible = {(c.staff_id, c.session.level) for c in certification.eligible()}
    wanted = {(staff.id, level) for _name, staff, _c, passed in people for level in passed}
    assert eligible == wanted
    for name, _staff, candidates, passed in people:
        for candidate in candidates:
            if candidate.session.level in passed and candidate.skills_passed:
                assert certification.issue(candidate).level == candidate.session.level, name
            else:
                with pytest.raises(Conflict):
                    certification.issue(candidate)


def test_the_funnel_counts_as_passed_only_who_passed_a_whole_level(people):
    stages = {stage.key: stage.count for stage in reports.funnel(Scope(Role.CITY_ADMIN))}
    assert stages["passed"] == sum(1 for *_rest, passed in people if passed)


def test_theory_at_5_and_skills_at_4_is_not_passed_in_the_funnel():
    cohort = make_cohort(make_plan(year=today().year), make_course())
    staff = make_staff()
    make_enrolment(cohort, staff, status=EnrolmentStatus.COMPLETED)
    theory(staff, 5, True)
    skills(staff, 4, True)
    stages = {stage.key: stage.count for stage in reports.funnel(Scope(Role.CITY_ADMIN))}
    assert stages["sat_theory"] == 1 and stages["sat_skills"] == 1
    assert stages["passed"] == 0
    assert certification.eligible() == []


def test_the_api_and_the_trainees_page_say_the_same(client, people):
    secret, _ = api_tokens.create_token(make_user(Role.CITY_ADMIN), "市智慧托育平台", None, 30)
    answer = client.get(
        "/api/v1/results?per_page=500", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    by_person: dict[int, list[dict[str, Any]]] = {}
    for row in answer["items"]:
        by_person.setdefault(row["staff_id"], []).append(row)
    for name, staff, candidates, passed in people:
        rows = by_person.get(staff.id, [])
        # The API lists skill candidates of sessions whose results are published.
        published = [c for c in candidates if c.session.status == "results_published"]
        assert len(rows) == len(published), name
        page = {row.candidate.id: row.result for row in queries.my_results(staff.id)}
        assert set(page) == {c.id for c in published}, name
        for row, candidate in zip(rows, published, strict=True):
            mine = page[candidate.id]
            assert row["passed"] == mine["passed"], name
            assert row["theory_passed"] == mine["theory_passed"], name
            assert row["theory_score"] == mine["theory_score"], name
            if mine["passed"] is not None:
                assert mine["passed"] == (
                    candidate.skills_passed is True and candidate.session.level in passed
                ), name
        # A level the person passed shows as passed on their page and in the API.
        for level in passed:
            assert any(r["passed"] and r["level"] == level for r in rows), name


def test_pass_rates_count_only_published_scored_parts(people):
    rates = {rate.level: rate for rate in reports.pass_rates(Scope(Role.CITY_ADMIN))}
    theory_5 = [t for *_n, parts, _s, _p in PEOPLE for t in parts if t[0] == 5 and t[2]]
    assert rates[5].theory_sat == len(theory_5)
    assert rates[5].theory_passed == sum(1 for t in theory_5 if t[1])
    skills_5 = [s for *_n, parts, _p in PEOPLE for s in parts if s[0] == 5 and s[2]]
    scored = [s for s in skills_5 if s[1] is not None]
    assert rates[5].skills_sat == len(scored)
    assert rates[5].skills_passed == sum(1 for s in scored if s[1])


@pytest.mark.parametrize(
    ("first", "second", "within"),
    [
        (date(2025, 3, 10), date(2026, 3, 10), True),  # 12 months to the day
        (date(2025, 3, 10), date(2026, 3, 11), False),
        (date(2026, 3, 11), date(2025, 3, 10), False),  # either order
        (date(2024, 2, 29), date(2025, 2, 28), True),  # no 29 February: the month's last day
        (date(2024, 2, 29), date(2025, 3, 1), False),
        (date(2025, 1, 31), date(2025, 12, 31), True),
        (date(2024, 12, 31), date(2025, 12, 31), True),
        (date(2024, 12, 31), date(2026, 1, 1), False),
        (date(2025, 6, 1), date(2025, 6, 1), True),
    ],
)
def test_the_validity_period_is_the_same_in_python_and_sql(first, second, within):
    assert results.within_period(first, second, 12) is within
    assert results.valid_until(date(2024, 2, 29), 12) == date(2025, 2, 28)
    # As the rule reads them: datetimes of the sittings (time of day does not matter).
    a = datetime.combine(first, time(23, 30))
    b = datetime.combine(second, time(1, 0))
    assert (
        bool(db.session.scalar(select(results.within_period_sql(literal(a), literal(b), 12))))
        is within
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    second=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    months=st.sampled_from([1, 6, 12, 24]),
)
def test_python_and_sql_agree_on_any_two_dates(first, second, months):
    a, b = datetime.combine(first, time(8)), datetime.combine(second, time(8))
    sql = db.session.scalar(select(results.within_period_sql(literal(a), literal(b), months)))
    assert bool(sql) is results.within_period(first, second, months)
