"""Rules of the free-training programme: plans and district quotas, and cohorts (who may run
and see them). Nomination, approval within quota and capacity, and withdrawal are in
lms.learning.nominations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.core import audit, localtime
from lms.core.access import Scope
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import (
    Cohort,
    CohortMode,
    Course,
    DistrictQuota,
    TrainingPlan,
)
from lms.org.models import District, Institution

# Plans and quotas ---------------------------------------------------------------------------


def create_plan(
    year: int, title: str, total_quota: int, quotas: dict[int, int] | None = None
) -> TrainingPlan:
    """Open the free-training plan of a year; ``quotas`` maps district id to places."""
    if db.session.scalar(select(TrainingPlan.id).where(TrainingPlan.year == year)):
        raise Conflict(_l("There is already a plan for %(year)d", year=year))
    if total_quota < 0:
        raise DomainError(_l("The total quota cannot be negative"))
    plan = TrainingPlan(year=year, title=title.strip(), total_quota=total_quota)
    db.session.add(plan)
    db.session.flush()
    set_quotas(plan, quotas or {})
    audit.record("training.plan_created", plan, year=year, total_quota=total_quota)
    return plan


def set_quotas(plan: TrainingPlan, quotas: dict[int, int]) -> None:
    """Split the plan's places across districts; never below places already approved."""
    current = {
        quota.district_id: quota
        for quota in db.session.scalars(
            select(DistrictQuota).where(DistrictQuota.plan_id == plan.id)
        )
    }
    known = set(db.session.scalars(select(District.id).where(District.id.in_(quotas))))
    if set(quotas) - known:
        raise DomainError(_l("There is no such district"))
    merged = {district_id: quota.quota for district_id, quota in current.items()}
    merged.update(quotas)
    if any(value < 0 for value in merged.values()):
        raise DomainError(_l("A quota cannot be negative"))
    if sum(merged.values()) > plan.total_quota:
        raise DomainError(
            _l(
                "District quotas add up to %(s)d, more than the plan's %(t)d places",
                s=sum(merged.values()),
                t=plan.total_quota,
            )
        )
    for district_id, value in quotas.items():
        quota = current.get(district_id)
        if quota is None:
            db.session.add(DistrictQuota(plan_id=plan.id, district_id=district_id, quota=value))
        elif value < quota.used:
            raise DomainError(
                _l("%(d)s already has %(u)d approved places", d=quota.district.name, u=quota.used)
            )
        else:
            quota.quota = value
    db.session.flush()


def current_plan(today: date | None = None) -> TrainingPlan | None:
    year = (today or localtime.today()).year
    return db.session.scalar(
        select(TrainingPlan).where(TrainingPlan.year <= year).order_by(TrainingPlan.year.desc())
    )


# Cohorts --------------------------------------------------------------------------------------


@dataclass
class CohortData:
    plan_id: int
    course_id: int
    district_id: int | None
    title: str
    mode: CohortMode
    starts_on: date
    ends_on: date
    venue: str
    capacity: int
    is_open: bool = True


def _check_cohort(data: CohortData, scope: Scope, cohort: Cohort | None) -> None:
    if scope.role == Role.DISTRICT_ADMIN and data.district_id != scope.district_id:
        raise NotAllowed(_l("District administrators run cohorts for their own district only"))
    if not scope.is_city and scope.role != Role.DISTRICT_ADMIN:
        raise NotAllowed(_l("Only administrators run cohorts"))
    if data.ends_on < data.starts_on:
        raise DomainError(_l("The cohort cannot end before it starts"))
    if data.capacity < 1:
        raise DomainError(_l("The capacity must be at least 1"))
    if cohort is not None and data.capacity < cohort.enrolled:
        raise DomainError(
            _l("%(n)d people are already enrolled; the capacity cannot be lower", n=cohort.enrolled)
        )
    course = db.session.get(Course, data.course_id)
    if course is None or not course.is_active:
        raise DomainError(_l("Choose an active course"))
    if db.session.get(TrainingPlan, data.plan_id) is None:
        raise DomainError(_l("Choose a training plan"))


def create_cohort(data: CohortData, scope: Scope) -> Cohort:
    _check_cohort(data, scope, None)
    cohort = Cohort(**vars(data))
    db.session.add(cohort)
    db.session.flush()
    audit.record("training.cohort_created", cohort, title=cohort.title)
    return cohort


def update_cohort(cohort: Cohort, data: CohortData, scope: Scope) -> None:
    if not can_manage_cohort(scope, cohort):
        raise NotAllowed(_l("This cohort is outside your scope"))
    _check_cohort(data, scope, cohort)
    for name, value in vars(data).items():
        setattr(cohort, name, value)


def can_manage_cohort(scope: Scope, cohort: Cohort) -> bool:
    return scope.is_city or (
        scope.role == Role.DISTRICT_ADMIN and cohort.district_id == scope.district_id
    )


def can_see_cohort(scope: Scope, cohort: Cohort) -> bool:
    """Admins and managers see city-wide cohorts and those of their own district."""
    if scope.is_city or cohort.district_id is None:
        return scope.role in (
            Role.CITY_ADMIN,
            Role.DISTRICT_ADMIN,
            Role.INSTITUTION_MANAGER,
            Role.EXAMINER,
        )
    if scope.role == Role.DISTRICT_ADMIN:
        return cohort.district_id == scope.district_id
    if scope.role == Role.INSTITUTION_MANAGER:
        institution = db.session.get(Institution, scope.institution_id)
        return institution is not None and institution.district_id == cohort.district_id
    return scope.role == Role.EXAMINER


def quota_usage(plan: TrainingPlan) -> list[tuple[District, int, int]]:
    """(district, quota, used) for every district, zero where no quota was set."""
    quotas = {
        quota.district_id: quota
        for quota in db.session.scalars(
            select(DistrictQuota).where(DistrictQuota.plan_id == plan.id)
        )
    }
    districts = db.session.scalars(select(District).order_by(District.position)).all()
    return [
        (
            district,
            quotas[district.id].quota if district.id in quotas else 0,
            quotas[district.id].used if district.id in quotas else 0,
        )
        for district in districts
    ]
