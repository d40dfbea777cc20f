"""The pass rule ("passed level L": theory and skills passed at the same L, both published) is
decided once, in lms.grading.results; certification, the API, the dashboard funnel and the
trainee's page agree on a table of hand-made people.

Results are written directly here (how they are earned is tested in tests/exams and
tests/grading/test_services.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
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
from lms.core.localtime import from_local, local_date_sql, local_day, today
from lms.core.roles import Role
from lms.db import UTCDateTime, db, utcnow
from lms.exams.models import Attempt, AttemptStatus, Candidate, ExamSession, SessionStatus
from lms.grading import queries, results, retakes
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
    staff: Staff,
    level: int,
    passed: bool,
    *,
    published: bool = True,
    days_ago: int = 3,
    at: datetime | None = None,
) -> None:
    """A scored theory attempt of ``staff`` at ``level`` in a session opening ``days_ago`` days
    ago (or ``at``); the session's results published or only closed."""
    opens = at or utcnow() - timedelta(days=days_ago)
    session = ExamSession(
        title=f"理论{level}级",
        level=level,
        blueprint_id=make_blueprint(level).id,
        opens_at=opens,
        closes_at=opens + timedelta(days=1),
        duration_minutes=60,
        status=SessionStatus.RESULTS_PUBLISHED if published else SessionStatus.CLOSED,
        results_published_at=opens + timedelta(days=3) if published else None,
    )
    db.session.add(session)
    db.session.flush()
    candidate = Candidate(
        session_id=session.id, staff_id=staff.id, admission_number=f"T{next(_numbers):08d}"
    )
    db.session.add(candidate)
    db.session.flush()
    started = opens
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
    staff: Staff,
    level: int,
    passed: bool | None,
    *,
    published: bool = True,
    days_ago: int = 1,
    at: datetime | None = None,
) -> SkillCandidate:
    """A skill candidate of ``staff`` at ``level`` (None: not scored yet) in a session
    ``days_ago`` days ago (or ``at``); the session's results published or still running."""
    session = SkillSession(
        title=f"技能{level}级",
        level=level,
        starts_at=at or utcnow() - timedelta(days=days_ago),
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
    # As the rule reads them: UTC timestamps of sittings at any time of those days in Changzhi
    # (00:30 there is 16:30 UTC the day before; 23:30 there is 15:30 UTC the same day).
    for a_time, b_time in ((time(0, 30), time(23, 30)), (time(23, 30), time(0, 30))):
        a = from_local(datetime.combine(first, a_time))
        b = from_local(datetime.combine(second, b_time))
        assert bool(db.session.scalar(select(_within_sql(a, b, 12)))) is within


def _within_sql(a: datetime, b: datetime, months: int) -> Any:
    """SQL ``within_period_sql`` of two UTC moments bound as the timestamp columns store them."""
    return results.within_period_sql(literal(a, UTCDateTime()), literal(b, UTCDateTime()), months)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)),
    second=st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)),
    months=st.sampled_from([1, 6, 12, 24]),
)
def test_python_and_sql_agree_on_any_two_dates(first, second, months):
    # Any two UTC moments, at any time of day: SQL and Python judge them on Changzhi days.
    a, b = first.replace(tzinfo=UTC), second.replace(tzinfo=UTC)
    sql = db.session.scalar(select(_within_sql(a, b, months)))
    assert bool(sql) is results.within_period(local_day(a), local_day(b), months)


# Pass dates are Changzhi days ---------------------------------------------------------------

#: 07:30 on 1 July 2025 in Changzhi: 23:30 UTC on 30 June.
EARLY_1_JULY = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)


def test_a_session_at_2330_utc_is_dated_the_next_day_in_changzhi():
    staff = make_staff()
    theory(staff, 5, True, at=EARLY_1_JULY)
    skills(staff, 5, True, at=EARLY_1_JULY)
    assert results.part_passes(staff.id, 5) == {
        "theory": [date(2025, 7, 1)],
        "skills": [date(2025, 7, 1)],
    }
    (level,) = results.standing(staff.id)
    assert level.theory.passed_on == date(2025, 7, 1)
    assert level.theory.valid_until == date(2026, 7, 1)
    assert db.session.scalar(select(local_date_sql(ExamSession.opens_at))) == date(2025, 7, 1)
    assert db.session.scalar(select(local_date_sql(SkillSession.starts_at))) == date(2025, 7, 1)


@pytest.mark.parametrize(
    ("theory_at", "skills_at", "passed"),
    [
        # Theory 1 July 2025 in Changzhi (30 June UTC), skills 1 July 2026: 12 months to the day.
        (EARLY_1_JULY, datetime(2026, 7, 1, 2, 0, tzinfo=UTC), True),
        # Theory 1 July 2025, skills 07:30 on 2 July 2026 in Changzhi (1 July UTC): one day late.
        (
            datetime(2025, 7, 1, 2, 0, tzinfo=UTC),
            datetime(2026, 7, 1, 23, 30, tzinfo=UTC),
            False,
        ),
        # Either order: skills first, theory retaken.
        (datetime(2026, 7, 1, 2, 0, tzinfo=UTC), EARLY_1_JULY, True),
    ],
)
def test_the_twelve_month_window_is_judged_on_changzhi_days(theory_at, skills_at, passed):
    staff = make_staff()
    make_enrolment(
        make_cohort(make_plan(year=2025), make_course()), staff, status=EnrolmentStatus.COMPLETED
    )
    give_photo(staff)
    theory(staff, 5, True, at=theory_at)
    candidate = skills(staff, 5, True, at=skills_at)
    assert results.has_passed(staff.id, 5) is passed
    assert results.candidate_has_passed(candidate) is passed
    assert results.standing(staff.id)[0].passed is passed
    assert results.within_period(local_day(theory_at), local_day(skills_at)) is passed
    eligible = {(c.staff_id, c.session.level) for c in certification.eligible()}
    assert ((staff.id, 5) in eligible) is passed


def test_a_retake_entry_is_judged_on_the_changzhi_day_of_both_sittings():
    staff = make_staff()
    theory(staff, 5, True, at=EARLY_1_JULY)  # passed 1 July 2025 in Changzhi
    # 10:00 on 1 July 2026 in Changzhi: the theory pass still counts that day.
    reason = retakes.entry_refusal(staff.id, 5, "theory", datetime(2026, 7, 1, 2, tzinfo=UTC))
    assert reason is not None and "2026年7月1日" in reason
    # 07:30 on 2 July 2026 in Changzhi (23:30 UTC on 1 July): lapsed, a retake may be entered.
    assert (
        retakes.entry_refusal(staff.id, 5, "theory", datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
        is None
    )
