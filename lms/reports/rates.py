"""The licensed-to-work rate (持证上岗率, DOMAIN.md) at a date.

rate = in-post caregiving staff holding a valid qualifying certificate ÷ in-post caregiving
staff. A certificate qualifies on a day when it was issued by then, has not expired (a
certificate is no longer valid from its ``expires_on``) and was not revoked by the end of that
day. Ours always qualify; one issued elsewhere qualifies once confirmed and when its kind is in
``QUALIFYING_KINDS``.

Each figure is one query that counts in the database. The rule lives in one place
(``qualifying_certificates`` and ``_valid_on``): lists of people test it per person
(``qualifying_on``), counts join staff with their qualifying certificates once, which is several
times faster; tests hold both to counting by hand.
District and city figures on a page are sums of its institution rows, so the levels agree."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    func,
    or_,
    select,
    union_all,
)

from lms.certification.models import (
    Certificate,
    ExternalCertificate,
    ExternalStatus,
)
from lms.core.access import Scope
from lms.core.localtime import from_local
from lms.db import db
from lms.org import queries as org_queries
from lms.org.models import District, Institution, Staff, in_post_clause


@dataclass(frozen=True)
class Count:
    """In-post caregivers and how many of them hold a qualifying certificate."""

    in_post: int
    certified: int

    @property
    def uncertified(self) -> int:
        return self.in_post - self.certified

    @property
    def rate(self) -> float | None:
        return self.certified / self.in_post if self.in_post else None

    def meets(self, target: float) -> bool:
        return self.rate is not None and self.rate >= target

    def __add__(self, other: Count) -> Count:
        return Count(self.in_post + other.in_post, self.certified + other.certified)


ZERO = Count(0, 0)


@dataclass(frozen=True)
class InstitutionCount:
    institution_id: int
    name: str
    type: str
    district_id: int
    district: str
    count: Count


@dataclass(frozen=True)
class DistrictCount:
    district_id: int
    code: str
    name: str
    count: Count


def end_of(day: date) -> datetime:
    """The first moment after ``day`` in Changzhi, in UTC."""
    return from_local(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def qualifying_on(day: date) -> ColumnElement[bool]:
    """Whether the staff row of the outer query holds a qualifying certificate on ``day``."""
    certificates = qualifying_certificates()
    return (
        select(certificates.c.staff_id)
        .where(certificates.c.staff_id == Staff.id, _valid_on(certificates, day))
        .exists()
    )


SelectT = TypeVar("SelectT", bound=Select)


def scoped(statement: SelectT, scope: Scope) -> SelectT:
    """``statement`` (which joins Institution) narrowed to the institutions ``scope`` sees."""
    return org_queries.in_scope(statement, scope)


def qualifying_certificates() -> Subquery:
    """Every qualifying certificate, ours and confirmed ones from elsewhere, as
    (staff_id, valid_from, valid_until, revoked_at)."""
    ours = select(
        Certificate.staff_id.label("staff_id"),
        Certificate.issued_on.label("valid_from"),
        Certificate.expires_on.label("valid_until"),
        Certificate.revoked_at.label("revoked_at"),
    )
    kinds = current_app.config["QUALIFYING_KINDS"]
    if not kinds:
        return ours.subquery("qualifying")
    elsewhere = select(
        ExternalCertificate.staff_id,
        ExternalCertificate.issued_on,
        ExternalCertificate.expires_on,
        ExternalCertificate.revoked_at,
    ).where(
        ExternalCertificate.status == ExternalStatus.CONFIRMED,
        ExternalCertificate.kind.in_(kinds),
    )
    return union_all(ours, elsewhere).subquery("qualifying")


def _valid_on(certificates: Subquery, day: date) -> ColumnElement[bool]:
    columns = certificates.c
    return and_(
        columns.valid_from <= day,
        or_(columns.valid_until.is_(None), columns.valid_until > day),
        or_(columns.revoked_at.is_(None), columns.revoked_at >= end_of(day)),
    )


def _per_person(days: Sequence[date], scope: Scope, in_post_day: date | None) -> Subquery:
    """One row per caregiver in scope (in post on ``in_post_day`` when given) with their
    institution, post dates and, per day, 1 when they hold a qualifying certificate.

    Counting from one join of staff with their certificates, grouped per person, costs a third
    of probing both certificate tables for every person and day (measured in bench/dashboard).
    """
    certificates = qualifying_certificates()
    held = [
        func.max(case((_valid_on(certificates, day), 1), else_=0)).label(f"held_{index}")
        for index, day in enumerate(days)
    ]
    statement = (
        select(
            Staff.id,
            Staff.institution_id.label("institution_id"),
            Staff.in_post_from.label("in_post_from"),
            Staff.in_post_to.label("in_post_to"),
            *held,
        )
        .join(Institution, Institution.id == Staff.institution_id)
        .outerjoin(certificates, certificates.c.staff_id == Staff.id)
        .where(Staff.is_caregiving, Institution.is_active)
        .group_by(Staff.id, Staff.institution_id, Staff.in_post_from, Staff.in_post_to)
    )
    if in_post_day is not None:
        statement = statement.where(Staff.in_post_on(in_post_day))
    return scoped(statement, scope).subquery("per_person")


def by_institution(day: date, scope: Scope) -> list[InstitutionCount]:
    """Every active institution in scope with its count on ``day`` (zero staff included)."""
    people = _per_person([day], scope, in_post_day=day)
    counts = (
        select(
            people.c.institution_id,
            func.count().label("in_post"),
            func.sum(people.c.held_0).label("certified"),
        )
        .group_by(people.c.institution_id)
        .subquery("counts")
    )
    statement = (
        select(
            Institution.id,
            Institution.name,
            Institution.type,
            District.id,
            District.name,
            func.coalesce(counts.c.in_post, 0),
            func.coalesce(counts.c.certified, 0),
        )
        .join(District, District.id == Institution.district_id)
        .outerjoin(counts, counts.c.institution_id == Institution.id)
        .where(Institution.is_active)
        .order_by(District.position, Institution.name)
    )
    return [
        InstitutionCount(id_, name, str(type_), district_id, district, Count(int(n), int(c)))
        for id_, name, type_, district_id, district, n, c in db.session.execute(
            scoped(statement, scope)
        )
    ]


def by_district(rows: Iterable[InstitutionCount], scope: Scope) -> list[DistrictCount]:
    """The districts in scope (in their usual order) with the sum of their institutions."""
    sums: dict[int, list[int]] = {}
    for row in rows:
        pair = sums.setdefault(row.district_id, [0, 0])
        pair[0] += row.count.in_post
        pair[1] += row.count.certified
    districts = db.session.execute(select(District).order_by(District.position)).scalars()
    return [
        DistrictCount(d.id, d.code, d.name, Count(*sums.get(d.id, (0, 0))))
        for d in districts
        if scope.allows_district(d.id) or d.id in sums
    ]


def total(rows: Sequence[InstitutionCount] | Sequence[DistrictCount]) -> Count:
    return Count(sum(row.count.in_post for row in rows), sum(row.count.certified for row in rows))


def overall(day: date, scope: Scope) -> Count:
    """The scope's count on ``day`` without the per-institution rows."""
    return trend([day], scope)[0][1]


def month_ends(today: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months up to today's (today for this month)."""
    ends = [today]
    first = today.replace(day=1)
    for _ in range(months - 1):
        ends.append(first - timedelta(days=1))
        first = (first - timedelta(days=1)).replace(day=1)
    return sorted(ends)


def trend(days: Sequence[date], scope: Scope) -> list[tuple[date, Count]]:
    """The scope's count on each of ``days``, in one pass over the staff."""
    people = _per_person(days, scope, in_post_day=None)
    sums = []
    for index, day in enumerate(days):
        in_post = in_post_clause(people.c.in_post_from, people.c.in_post_to, day)
        sums.append(func.sum(case((in_post, 1), else_=0)))
        sums.append(func.sum(case((and_(in_post, people.c[f"held_{index}"] == 1), 1), else_=0)))
    row = db.session.execute(select(*sums)).one()
    return [
        (day, Count(int(row[2 * index] or 0), int(row[2 * index + 1] or 0)))
        for index, day in enumerate(days)
    ]
