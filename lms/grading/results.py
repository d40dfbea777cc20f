"""Who passed a level: the one home of the rule, as SQL expressions and as Python.

A person passed level L when, for the same L, both hold:
  * theory: a scored attempt with ``passed`` in a theory session of level L whose results are
    published, and
  * skills: they were a candidate of a skill session of level L whose results are published,
    with ``skills_passed``,
  * and the two passes lie within ``RESULT_VALID_MONTHS`` (default 12) calendar months of each
    other: the later pass is on or before the day N months after the earlier one (a day that
    does not exist, 29 February + 12 months, is the month's last day). The date of a pass is the
    date of its sitting: the theory session's ``opens_at``, the skill session's ``starts_at``,
    taken as the day in Changzhi (a session at 07:00 on 1 July local time, 23:00 UTC on
    30 June, is dated 1 July): ``local_day`` in Python, ``local_date_sql`` in SQL.
So a part failed can be retaken alone (补考) in a later session of the same level, and a part
passed counts for N months. Nothing firmer than "a passed part is kept for a period" was found
in public sources on 职业技能等级认定 补考 / 成绩保留 (searches of 2026-11 for
"单科成绩合格 保留一年" and "在一个考核周期内" found no official text, only the 60-point pass
mark of each part): 12 months is the local practice assumed here, and the period is
configuration (``LMS_RESULT_VALID_MONTHS``) for the city to correct.

Entry for a retake is refused when the person's pass of that part is still valid, or when their
pass of the other part has lapsed by the new sitting (then both parts are retaken; the other
part's entry must be made first): that refusal lives in lms.grading.retakes, which asks this
module for the passes and their validity, so the pass rule itself stays here, in one place.

Certification (eligibility and issue), the API, the dashboards (funnel, pass rates) and the
trainee's results page all ask here; a change of the rule is made here only. The funnel counts
people (a person who failed then passed counts once, as passed); pass rates stay per sitting
(each published result is one sitting: a retake is a second sitting), because they measure how
sessions went, not how many people finally passed -- the funnel says that.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from flask import current_app
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    extract,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from lms.core.localtime import local_date_sql, local_day
from lms.db import db
from lms.exams.models import Attempt, Candidate, ExamSession, SessionStatus
from lms.grading.models import SkillCandidate, SkillSession, SkillSessionStatus

Part = Literal["theory", "skills"]

# The validity period -----------------------------------------------------------------------------


def valid_months() -> int:
    """How many calendar months a passed part counts for (``LMS_RESULT_VALID_MONTHS``)."""
    return int(current_app.config["RESULT_VALID_MONTHS"])


def valid_until(passed_on: date, months: int | None = None) -> date:
    """Python: the last day a part passed on ``passed_on`` counts (``months`` later, clamped to
    the month's last day)."""
    months = valid_months() if months is None else months
    index = passed_on.year * 12 + passed_on.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(passed_on.day, last))


def within_period(first: date, second: date, months: int | None = None) -> bool:
    """Python: the two dates lie within the validity period of each other."""
    earlier, later = sorted((first, second))
    return later <= valid_until(earlier, months)


def _not_later_than_period(earlier: Any, later: Any, months: int) -> ColumnElement[bool]:
    """SQL: the day ``later`` is on or before ``valid_until(earlier)`` (or before ``earlier``),
    by calendar months and days (portable: SQLite and PostgreSQL)."""
    gap = (extract("year", later) * 12 + extract("month", later)) - (
        extract("year", earlier) * 12 + extract("month", earlier)
    )
    return or_(gap < months, and_(gap == months, extract("day", later) <= extract("day", earlier)))


def within_period_sql(first: Any, second: Any, months: int | None = None) -> ColumnElement[bool]:
    """SQL: the two UTC timestamps (columns, or values of ``UTCDateTime``) lie within the
    validity period of each other, judged on their days in Changzhi; the same rule as
    ``within_period``."""
    months = valid_months() if months is None else months
    first_day, second_day = local_date_sql(first), local_date_sql(second)
    return and_(
        _not_later_than_period(first_day, second_day, months),
        _not_later_than_period(second_day, first_day, months),
    )


# The parts ---------------------------------------------------------------------------------------


def theory_results() -> Select[*tuple[Any, ...]]:
    """Scored theory attempts of sessions whose results are published, one row per candidate
    entry: staff_id, level, entry (the exam candidate), score, passed."""
    return (
        select(
            Candidate.staff_id.label("staff_id"),
            ExamSession.level.label("level"),
            Candidate.id.label("entry"),
            Attempt.score.label("score"),
            Attempt.passed.label("passed"),
            ExamSession.opens_at.label("sat_at"),
        )
        .select_from(Attempt)
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .join(ExamSession, ExamSession.id == Candidate.session_id)
        .where(
            ExamSession.status == SessionStatus.RESULTS_PUBLISHED,
            Attempt.score.is_not(None),
        )
    )


def skill_results() -> Select[*tuple[Any, ...]]:
    """Scored skill candidates of sessions whose results are published: staff_id, level, entry
    (the skill candidate), score, passed."""
    return (
        select(
            SkillCandidate.staff_id.label("staff_id"),
            SkillSession.level.label("level"),
            SkillCandidate.id.label("entry"),
            SkillCandidate.skills_score.label("score"),
            SkillCandidate.skills_passed.label("passed"),
            SkillSession.starts_at.label("sat_at"),
        )
        .select_from(SkillCandidate)
        .join(SkillSession, SkillSession.id == SkillCandidate.session_id)
        .where(
            SkillSession.status == SkillSessionStatus.RESULTS_PUBLISHED,
            SkillCandidate.skills_score.is_not(None),
        )
    )


def theory_passed(staff_id: Any, level: Any) -> ColumnElement[bool]:
    """SQL: ``staff_id`` passed the theory of ``level`` (values, or columns of an outer query)."""
    theory = theory_results().subquery()
    return exists().where(
        theory.c.staff_id == staff_id, theory.c.level == level, theory.c.passed.is_(True)
    )


def theory_passed_near(staff_id: Any, level: Any, sat_at: Any) -> ColumnElement[bool]:
    """SQL: ``staff_id`` passed the theory of ``level`` within the validity period of
    ``sat_at`` (the date of a skills pass)."""
    theory = theory_results().subquery()
    return exists().where(
        theory.c.staff_id == staff_id,
        theory.c.level == level,
        theory.c.passed.is_(True),
        within_period_sql(theory.c.sat_at, sat_at),
    )


def theory_sat(staff_id: Any, level: Any) -> ColumnElement[bool]:
    """SQL: ``staff_id`` has a published, scored theory result at ``level``."""
    theory = theory_results().subquery()
    return exists().where(theory.c.staff_id == staff_id, theory.c.level == level)


def theory_outcome(staff_id: Any, level: Any) -> ColumnElement[bool | None]:
    """SQL: True (passed), False (sat, not passed) or NULL (no published result yet)."""
    return case(
        (theory_passed(staff_id, level), literal(True)),
        (theory_sat(staff_id, level), literal(False)),
        else_=null(),
    ).cast(Boolean)


def theory_score(staff_id: Any, level: Any) -> Any:
    """SQL: the best published theory score of ``staff_id`` at ``level`` (NULL without one)."""
    theory = theory_results().subquery()
    return (
        select(func.max(theory.c.score))
        .where(theory.c.staff_id == staff_id, theory.c.level == level)
        .scalar_subquery()
    )


# The rule ----------------------------------------------------------------------------------------


def candidate_passes(candidate: Any = SkillCandidate, session: Any = SkillSession) -> Any:
    """SQL: the skill ``candidate`` (of ``session``, both entities of the enclosing query,
    joined) makes its level passed: THE pass rule (its skills passed, published, and a theory
    pass at the level within the validity period of the skill session)."""
    return and_(
        session.status == SkillSessionStatus.RESULTS_PUBLISHED,
        candidate.skills_passed.is_(True),
        theory_passed_near(candidate.staff_id, session.level, session.starts_at),
    )


def _passing(*conditions: Any) -> ColumnElement[bool]:
    candidate = aliased(SkillCandidate)
    session = aliased(SkillSession)
    return exists(
        select(candidate.id)
        .join(session, session.id == candidate.session_id)
        .where(candidate_passes(candidate, session), *[c(candidate, session) for c in conditions])
    )


def candidate_passed(candidate_id: Any) -> ColumnElement[bool]:
    """SQL: the skill candidate ``candidate_id`` (a value or a column) passed its level."""
    return _passing(lambda candidate, _session: candidate.id == candidate_id)


def passed_level(staff_id: Any, level: Any) -> ColumnElement[bool]:
    """SQL: ``staff_id`` passed ``level`` (values, or columns of an outer query)."""
    return _passing(
        lambda candidate, session: and_(candidate.staff_id == staff_id, session.level == level)
    )


def passed_some_level(staff_id: Any) -> ColumnElement[bool]:
    """SQL: ``staff_id`` passed at least one level (both parts at that same level)."""
    return _passing(lambda candidate, _session: candidate.staff_id == staff_id)


# In Python ---------------------------------------------------------------------------------------


def verdict(theory: bool | None, skills: bool | None, rule: bool | None) -> bool | None:
    """Passed, not passed, or None (pending) while a part has no published result."""
    if theory is None or skills is None:
        return None
    return bool(rule)


def level_result(candidate: SkillCandidate) -> dict[str, Any]:
    """Theory and skills for the skill candidate's level, and whether the level is passed
    (None while a part is pending, including skills whose results are not published)."""
    level = candidate.session.level
    score, theory, rule = db.session.execute(
        select(
            theory_score(candidate.staff_id, level),
            theory_outcome(candidate.staff_id, level),
            candidate_passed(candidate.id),
        )
    ).one()
    published = candidate.session.status == SkillSessionStatus.RESULTS_PUBLISHED
    skills = candidate.skills_passed if published else None
    return {
        "theory_score": score,
        "theory_passed": None if theory is None else bool(theory),
        "skills_score": candidate.skills_score,
        "skills_passed": candidate.skills_passed,
        "passed": verdict(None if theory is None else bool(theory), skills, rule),
    }


def candidate_has_passed(candidate: SkillCandidate) -> bool:
    """Python: the skill candidate's level is passed (what earns its certificate)."""
    return bool(db.session.scalar(select(candidate_passed(candidate.id))))


def has_passed(staff_id: int, level: int) -> bool:
    """Python: ``staff_id`` passed ``level``."""
    return bool(db.session.scalar(select(passed_level(staff_id, level))))


# Retakes and what remains ------------------------------------------------------------------------


def part_passes(staff_id: int, level: int) -> dict[Part, list[date]]:
    """The days (in Changzhi) of the person's published passes of each part at ``level``, oldest
    first."""
    found: dict[Part, list[date]] = {"theory": [], "skills": []}
    for part, results in (("theory", theory_results()), ("skills", skill_results())):
        rows = results.subquery()
        for sat_at in db.session.scalars(
            select(rows.c.sat_at)
            .where(rows.c.staff_id == staff_id, rows.c.level == level, rows.c.passed.is_(True))
            .order_by(rows.c.sat_at)
        ):
            found[part].append(local_day(sat_at))  # type: ignore[index]
    return found


@dataclass(frozen=True)
class PartStanding:
    sat: bool  # has a published result of this part at the level
    passed_on: date | None  # the latest pass
    valid_until: date | None

    def valid_on(self, day: date) -> bool:
        return self.valid_until is not None and day <= self.valid_until


@dataclass(frozen=True)
class LevelStanding:
    level: int
    theory: PartStanding
    skills: PartStanding
    passed: bool


def standing(staff_id: int) -> list[LevelStanding]:
    """Per level the person has a published result of: each part's latest pass and how long it
    counts, and whether the level is passed (what remains is the part not passed or lapsed)."""
    sat: set[tuple[str, int]] = set()
    for part, results in (("theory", theory_results()), ("skills", skill_results())):
        rows = results.subquery()
        for level in db.session.scalars(
            select(rows.c.level).where(rows.c.staff_id == staff_id).distinct()
        ):
            sat.add((part, level))
    found = []
    for level in sorted({level for _part, level in sat}, reverse=True):
        passes = part_passes(staff_id, level)
        parts = {
            part: PartStanding(
                sat=(part, level) in sat,
                passed_on=passes[part][-1] if passes[part] else None,
                valid_until=valid_until(passes[part][-1]) if passes[part] else None,
            )
            for part in ("theory", "skills")
        }
        found.append(
            LevelStanding(
                level=level,
                theory=parts["theory"],
                skills=parts["skills"],
                passed=has_passed(staff_id, level),
            )
        )
    return found
