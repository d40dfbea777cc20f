"""The list of nominations waiting for a decision: filters (text, institution, cohort), sorting,
the choices the filters offer, and each district's places left in the plan, for the approvals
page. Reads only; the decisions are in lms.learning.nominations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from lms.core.access import Scope
from lms.core.roles import Role
from lms.db import db
from lms.learning.models import Cohort, DistrictQuota, Enrolment, EnrolmentStatus, TrainingPlan
from lms.org.models import District, Institution, Staff

#: The list's sort orders (lms.core.pagination.sorted_by); each ends on a unique column.
ORDERS: dict[str, tuple[Any, ...]] = {
    "cohort": (Cohort.starts_on, Cohort.id, Institution.name, Staff.name, Enrolment.id),
    "name": (Staff.name, Enrolment.id),
    "institution": (Institution.name, Staff.name, Enrolment.id),
    "nominated": (Enrolment.nominated_at, Enrolment.id),
}
DEFAULT_ORDER = "cohort"


@dataclass(frozen=True)
class Wanted:
    """What the list is narrowed to; empty: every nomination waiting in the user's scope."""

    text: str = ""
    institution_id: int | None = None
    cohort_id: int | None = None

    def args(self) -> dict[str, Any]:
        """The filter as address/form fields (``q``, ``institution``, ``cohort``)."""
        found = {"q": self.text, "institution": self.institution_id, "cohort": self.cohort_id}
        return {key: value for key, value in found.items() if value}


def _base(scope: Scope) -> Select[Any]:
    statement = (
        select(Enrolment)
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.status == EnrolmentStatus.NOMINATED)
    )
    if scope.role == Role.DISTRICT_ADMIN:
        return statement.where(Institution.district_id == scope.district_id)
    if not scope.is_city:
        return statement.where(Enrolment.id.is_(None))
    return statement


def pending(scope: Scope, wanted: Wanted = Wanted()) -> Select[Any]:
    """Nominations waiting for a decision that this user decides, narrowed to ``wanted``."""
    statement = _base(scope)
    if wanted.text.strip():
        like = f"%{wanted.text.strip()}%"
        statement = statement.where(
            Staff.name.like(like) | Institution.name.like(like) | Cohort.title.like(like)
        )
    if wanted.institution_id:
        statement = statement.where(Institution.id == wanted.institution_id)
    if wanted.cohort_id:
        statement = statement.where(Cohort.id == wanted.cohort_id)
    return statement.order_by(*ORDERS[DEFAULT_ORDER])


def chosen(scope: Scope, ids: Iterable[int]) -> list[Enrolment]:
    """Those of ``ids`` that wait for this user's decision (others are ignored), in list order."""
    wanted = set(ids)
    if not wanted:
        return []
    return list(db.session.scalars(pending(scope).where(Enrolment.id.in_(wanted))))


def filter_choices(scope: Scope) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The institutions and the cohorts that have nominations waiting for this user."""
    ids = _base(scope).with_only_columns(Enrolment.id).subquery()
    rows = db.session.execute(
        select(Institution.id, Institution.name, Cohort.id, Cohort.title)
        .select_from(Enrolment)
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.id.in_(select(ids.c.id)))
        .distinct()
    ).all()
    institutions = sorted({(row[0], row[1]) for row in rows}, key=lambda pair: pair[1])
    cohorts = sorted({(row[2], row[3]) for row in rows}, key=lambda pair: pair[1])
    return institutions, cohorts


@dataclass(frozen=True)
class PlacesLeft:
    """A district's places in a plan, for the nominations waiting against it."""

    key: str  #: "<plan id>-<district id>", the key the page's checkboxes carry
    district: str
    plan: str
    quota: int
    used: int

    @property
    def left(self) -> int:
        return max(0, self.quota - self.used)


def places_left(scope: Scope) -> list[PlacesLeft]:
    """The places left of every district and plan that nominations wait against."""
    ids = _base(scope).with_only_columns(Enrolment.id).subquery()
    pairs = db.session.execute(
        select(Cohort.plan_id, Institution.district_id)
        .select_from(Enrolment)
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.id.in_(select(ids.c.id)))
        .distinct()
    ).all()
    found = []
    for plan_id, district_id in pairs:
        quota = db.session.scalar(
            select(DistrictQuota).where(
                DistrictQuota.plan_id == plan_id, DistrictQuota.district_id == district_id
            )
        )
        district = db.session.get(District, district_id)
        plan = db.session.get(TrainingPlan, plan_id)
        found.append(
            PlacesLeft(
                key=quota_key(plan_id, district_id),
                district=district.name if district else "",
                plan=plan.title if plan else "",
                quota=quota.quota if quota else 0,
                used=quota.used if quota else 0,
            )
        )
    return sorted(found, key=lambda row: (row.district, row.plan))


def quota_key(plan_id: int, district_id: int) -> str:
    return f"{plan_id}-{district_id}"


def matching_by_quota(scope: Scope, wanted: Wanted) -> dict[str, int]:
    """How many of the nominations ``wanted`` matches wait against each district's places."""
    ids = pending(scope, wanted).order_by(None).with_only_columns(Enrolment.id).subquery()
    rows = db.session.execute(
        select(Cohort.plan_id, Institution.district_id, func.count())
        .select_from(Enrolment)
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.id.in_(select(ids.c.id)))
        .group_by(Cohort.plan_id, Institution.district_id)
    ).all()
    return {quota_key(plan_id, district_id): count for plan_id, district_id, count in rows}
