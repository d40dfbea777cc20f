"""What the dashboards show: rates (cached, see cache.py), the training funnel, pass rates per
level, the forecast, and the in-post staff without a certificate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, distinct, exists, func, not_, select

from lms.certification.models import Certificate, CertificateStatus
from lms.core.access import Scope
from lms.db import db
from lms.exams.models import Attempt, AttemptStatus, Candidate
from lms.grading import results
from lms.grading.models import SkillCandidate
from lms.learning.models import Cohort, Course, Enrolment, EnrolmentStatus
from lms.learning.services import current_plan
from lms.org.models import Institution, Staff
from lms.reports import cache, rates
from lms.reports.rates import Count, DistrictCount, InstitutionCount

LEVELS = (5, 4, 3)
#: Months of the trend; the counts for a day are kept with its trend's (month_ends ends on it).
TREND_MONTHS = 12


def institution_counts(scope: Scope, day: date) -> list[InstitutionCount]:
    figures = cache.institution_figures(tuple(rates.month_ends(day, TREND_MONTHS)))
    return figures.derive(
        ("rows", scope),
        lambda: rates.institution_rows(figures.places, figures.counts, -1, scope),
        lambda rows, _before, after, changed: rates.patch_institution_rows(
            rows, after.counts, -1, changed
        ),
    )


def district_counts(scope: Scope, day: date) -> list[DistrictCount]:
    return rates.by_district(institution_counts(scope, day), scope)


def overall(scope: Scope, day: date) -> Count:
    return rates.total(institution_counts(scope, day))


def trend(scope: Scope, day: date, months: int = TREND_MONTHS) -> list[tuple[date, Count]]:
    """The scope's count at each month's end (``day`` for its own month)."""
    days = tuple(rates.month_ends(day, months))
    figures = cache.institution_figures(days)
    sums = figures.derive(
        ("sums", scope),
        lambda: rates.totals_per_day(figures.places, figures.counts, len(days), scope),
        lambda sums, before, after, changed: rates.patch_totals_per_day(
            sums, after.place_of, before.counts, after.counts, changed, scope
        ),
    )
    return list(zip(days, sums, strict=True))


@dataclass(frozen=True)
class InstitutionFilter:
    text: str = ""
    district_id: int | None = None
    below_target: bool = False
    sort: str = "rate"
    descending: bool = False


SORT_KEYS: dict[str, Any] = {
    "name": lambda row: row.name,
    "district": lambda row: (row.district, row.name),
    "in_post": lambda row: row.count.in_post,
    "certified": lambda row: row.count.certified,
    "uncertified": lambda row: row.count.uncertified,
    "rate": lambda row: (row.count.rate is None, row.count.rate or 0.0, row.name),
}


def institution_table(
    scope: Scope, day: date, chosen: InstitutionFilter, target: float
) -> list[InstitutionCount]:
    rows = institution_counts(scope, day)
    text = chosen.text.strip()
    picked = [
        row
        for row in rows
        if (not text or text in row.name)
        and (chosen.district_id is None or row.district_id == chosen.district_id)
        and (not chosen.below_target or (row.count.in_post and not row.count.meets(target)))
    ]
    key = SORT_KEYS.get(chosen.sort, SORT_KEYS["rate"])
    return sorted(picked, key=key, reverse=chosen.descending)


def _staff_in_scope(statement: rates.SelectT, scope: Scope) -> rates.SelectT:
    """``statement`` over Staff narrowed to the staff of institutions ``scope`` sees."""
    return rates.scoped(statement.join(Institution, Institution.id == Staff.institution_id), scope)


def uncertified_staff(institution_id: int, day: date) -> list[tuple[Staff, str | None]]:
    """In-post caregivers of the institution without a qualifying certificate on ``day``, each
    with the status of their newest open or finished enrolment, if any."""
    newest_enrolment = (
        select(Enrolment.status)
        .where(
            Enrolment.staff_id == Staff.id,
            Enrolment.status.in_(
                [EnrolmentStatus.NOMINATED, EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED]
            ),
        )
        .order_by(Enrolment.nominated_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Staff, newest_enrolment)
        .where(
            Staff.institution_id == institution_id,
            Staff.caregiver_in_post_on(day),
            not_(
                rates.qualifying_on(
                    day, of_staff=select(Staff.id).where(Staff.institution_id == institution_id)
                )
            ),
        )
        .order_by(Staff.name, Staff.id)
    ).all()
    return [(staff, str(status) if status else None) for staff, status in rows]


def coming_cohorts(district_id: int, day: date) -> list[Cohort]:
    """Open cohorts not yet finished that take staff of the district, soonest first."""
    return list(
        db.session.scalars(
            select(Cohort)
            .join(Course, Course.id == Cohort.course_id)
            .where(
                Cohort.is_open,
                Cohort.ends_on >= day,
                (Cohort.district_id.is_(None)) | (Cohort.district_id == district_id),
            )
            .order_by(Cohort.starts_on, Course.level.desc(), Cohort.id)
        )
    )


@dataclass(frozen=True)
class FunnelStage:
    key: str
    count: int


def funnel(scope: Scope) -> list[FunnelStage]:
    """Distinct people of the current training plan at each stage, widest first."""
    plan = current_plan()
    if plan is None:
        return []
    nominated = _staff_in_scope(
        select(Staff.id)
        .distinct()
        .join(Enrolment, Enrolment.staff_id == Staff.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Cohort.plan_id == plan.id),
        scope,
    )
    enrolled_ids = nominated.where(
        Enrolment.status.in_([EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED])
    )
    completed_ids = nominated.where(Enrolment.status == EnrolmentStatus.COMPLETED)
    people = nominated.subquery()
    person = people.c[0]

    def among(condition: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(people).where(condition)) or 0

    sat_theory = exists().where(
        Candidate.staff_id == person,
        Attempt.candidate_id == Candidate.id,
        Attempt.status == AttemptStatus.SUBMITTED,
    )
    sat_skills = exists().where(
        SkillCandidate.staff_id == person, SkillCandidate.skills_score.is_not(None)
    )
    certified = exists().where(
        Certificate.staff_id == person, Certificate.status == CertificateStatus.VALID
    )

    def count(statement: Select[Any]) -> int:
        return db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0

    return [
        FunnelStage("nominated", count(nominated)),
        FunnelStage("enrolled", count(enrolled_ids)),
        FunnelStage("completed", count(completed_ids)),
        FunnelStage("sat_theory", among(sat_theory)),
        FunnelStage("sat_skills", among(sat_skills)),
        FunnelStage("passed", among(results.passed_some_level(person))),
        FunnelStage("certified", among(certified)),
    ]


@dataclass(frozen=True)
class PassRate:
    level: int
    theory_sat: int
    theory_passed: int
    skills_sat: int
    skills_passed: int

    @staticmethod
    def ratio(passed: int, sat: int) -> float | None:
        return passed / sat if sat else None


def pass_rates(scope: Scope) -> list[PassRate]:
    """Per level, candidates of published sessions who were scored and who passed (each part
    as the pass rule of lms.grading.results counts it)."""

    def per_level(part: Select[*tuple[Any, ...]]) -> dict[int, tuple[int, int]]:
        entries = part.subquery()
        rows = db.session.execute(
            _staff_in_scope(
                select(
                    entries.c.level,
                    func.count(distinct(entries.c.entry)),
                    func.count(distinct(entries.c.entry)).filter(entries.c.passed.is_(True)),
                )
                .select_from(Staff)
                .join(entries, entries.c.staff_id == Staff.id)
                .group_by(entries.c.level),
                scope,
            )
        ).all()
        return {row[0]: (row[1], row[2]) for row in rows}

    by_theory = per_level(results.theory_results())
    by_skills = per_level(results.skill_results())
    return [
        PassRate(level, *by_theory.get(level, (0, 0)), *by_skills.get(level, (0, 0)))
        for level in LEVELS
        if level in by_theory or level in by_skills
    ]


def forecast(scope: Scope, day: date) -> Count:
    """The count if every in-post caregiver now enrolled (not yet certified) passes."""
    now = overall(scope, day)
    in_training = select(Enrolment.staff_id).where(
        Enrolment.status.in_([EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED])
    )
    # Driven by the (few) enrolments, not by every member of staff.
    enrolled_uncertified = db.session.scalar(
        _staff_in_scope(
            select(func.count(Staff.id)).where(
                Staff.id.in_(in_training),
                Staff.caregiver_in_post_on(day),
                not_(rates.qualifying_on(day, of_staff=in_training)),
            ),
            scope,
        )
    )
    return Count(now.in_post, now.certified + int(enrolled_uncertified or 0))


def districts_of(rows: Sequence[InstitutionCount]) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for row in rows:
        seen.setdefault(row.district_id, row.district)
    return list(seen.items())
