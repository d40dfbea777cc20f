"""The licensed-to-work rate (持证上岗率, DOMAIN.md) at a date.

rate = in-post caregiving staff holding a valid qualifying certificate ÷ in-post caregiving
staff. A certificate qualifies on a day when it was issued by then, has not expired (a
certificate is no longer valid from its ``expires_on``) and was not revoked by the end of that
day. Ours always qualify; one issued elsewhere qualifies once confirmed and when its kind is in
``QUALIFYING_KINDS``.

Everything here is one query per call that counts in the database, grouped by institution; the
district and city figures are sums of the institution rows, so the three levels always agree."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select

from lms.certification.models import (
    Certificate,
    CertificateStatus,
    ExternalCertificate,
    ExternalStatus,
)
from lms.core.access import Scope
from lms.core.localtime import from_local
from lms.db import db
from lms.org.models import District, Institution, Post, Staff

#: Posts whose holders count: caregiving staff (保育人员), not managers or cooks.
CAREGIVING_POSTS = (Post.CAREGIVER,)


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


def in_post_on(day: date) -> ColumnElement[bool]:
    return and_(
        Staff.post.in_(CAREGIVING_POSTS),
        Staff.in_post_from <= day,
        or_(Staff.in_post_to.is_(None), Staff.in_post_to >= day),
    )


def qualifying_on(day: date) -> ColumnElement[bool]:
    """Whether the staff row of the outer query holds a qualifying certificate on ``day``."""
    cutoff = end_of(day)
    ours = exists().where(
        Certificate.staff_id == Staff.id,
        Certificate.issued_on <= day,
        or_(Certificate.expires_on.is_(None), Certificate.expires_on > day),
        or_(Certificate.status == CertificateStatus.VALID, Certificate.revoked_at >= cutoff),
    )
    kinds = current_app.config["QUALIFYING_KINDS"]
    elsewhere = exists().where(
        ExternalCertificate.staff_id == Staff.id,
        ExternalCertificate.status == ExternalStatus.CONFIRMED,
        ExternalCertificate.kind.in_(kinds),
        ExternalCertificate.issued_on <= day,
        or_(ExternalCertificate.expires_on.is_(None), ExternalCertificate.expires_on > day),
        or_(ExternalCertificate.revoked_at.is_(None), ExternalCertificate.revoked_at >= cutoff),
    )
    return or_(ours, elsewhere) if kinds else ours


SelectT = TypeVar("SelectT", bound=Select)


def scoped(statement: SelectT, scope: Scope) -> SelectT:
    """``statement`` (which joins Institution) narrowed to the institutions ``scope`` sees."""
    if scope.is_city:
        return statement
    if scope.institution_id is not None:
        return statement.where(Institution.id == scope.institution_id)
    if scope.district_id is not None:
        return statement.where(Institution.district_id == scope.district_id)
    return statement.where(false())


def by_institution(day: date, scope: Scope) -> list[InstitutionCount]:
    """Every active institution in scope with its count on ``day`` (zero staff included)."""
    certified = func.coalesce(func.sum(case((qualifying_on(day), 1), else_=0)), 0)
    statement = (
        select(
            Institution.id,
            Institution.name,
            Institution.type,
            District.id,
            District.name,
            func.count(Staff.id),
            certified,
        )
        .join(District, District.id == Institution.district_id)
        .outerjoin(Staff, and_(Staff.institution_id == Institution.id, in_post_on(day)))
        .where(Institution.is_active)
        .group_by(Institution.id, Institution.name, Institution.type, District.id, District.name)
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
    statement = (
        select(func.count(Staff.id), func.sum(case((qualifying_on(day), 1), else_=0)))
        .join(Institution, Institution.id == Staff.institution_id)
        .where(in_post_on(day), Institution.is_active)
    )
    in_post, certified = db.session.execute(scoped(statement, scope)).one()
    return Count(int(in_post or 0), int(certified or 0))


def month_ends(today: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months up to today's (today for this month)."""
    ends = [today]
    first = today.replace(day=1)
    for _ in range(months - 1):
        ends.append(first - timedelta(days=1))
        first = (first - timedelta(days=1)).replace(day=1)
    return sorted(ends)


def trend(days: Sequence[date], scope: Scope) -> list[tuple[date, Count]]:
    return [(day, overall(day, scope)) for day in days]
