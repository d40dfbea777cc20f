"""The licensed-to-work rate (持证上岗率, DOMAIN.md) at a date.

rate = in-post caregiving staff holding a valid qualifying certificate ÷ in-post caregiving
staff. A certificate qualifies on a day when it was issued by then, has not expired (a
certificate is no longer valid from its ``expires_on``) and was not revoked by the end of that
day. Ours always qualify; one issued elsewhere qualifies once confirmed and when its kind is in
``QUALIFYING_KINDS``.

The rule lives in one place (``qualifying_certificates`` and ``_valid_on``): lists of people
test it per person (``qualifying_on``); counts join staff with their qualifying certificates
once, per institution and day (``counts_per_institution``), which is several times faster; tests
hold both to counting by hand. District, city and trend figures are sums of the institution
counts, so the levels agree, and a change to one institution's staff needs only that
institution counted again (lms/reports/cache.py keeps them)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
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


def qualifying_on(day: date, of_staff: Select[int] | None = None) -> ColumnElement[bool]:
    """Whether the staff row of the outer query holds a qualifying certificate on ``day``; with
    ``of_staff`` (the staff ids the outer query can meet), only their certificates are read."""
    certificates = qualifying_certificates(of_staff)
    return (
        select(certificates.c.staff_id)
        .where(certificates.c.staff_id == Staff.id, _valid_on(certificates, day))
        .exists()
    )


SelectT = TypeVar("SelectT", bound=Select)


def scoped(statement: SelectT, scope: Scope) -> SelectT:
    """``statement`` (which joins Institution) narrowed to the institutions ``scope`` sees."""
    return org_queries.in_scope(statement, scope)


def qualifying_certificates(of_staff: Select[int] | None = None) -> Subquery:
    """Every qualifying certificate, ours and confirmed ones from elsewhere, as
    (staff_id, valid_from, valid_until, revoked_at); only those of ``of_staff`` (staff ids)
    when given, so that counting a few institutions reads only their certificates."""
    ours = select(
        Certificate.staff_id.label("staff_id"),
        Certificate.issued_on.label("valid_from"),
        Certificate.expires_on.label("valid_until"),
        Certificate.revoked_at.label("revoked_at"),
    )
    if of_staff is not None:
        ours = ours.where(Certificate.staff_id.in_(of_staff))
    kinds = current_app.config["QUALIFYING_KINDS"]
    if not kinds:
        return ours.subquery("qualifying")
    kind_qualifies: ColumnElement[bool] = ExternalCertificate.kind.in_(kinds)
    if of_staff is not None:
        # Read them by holder: through the (kind, number) index SQLite would read every
        # certificate of the qualifying kinds; the cast keeps it off that index.
        kind_qualifies = and_(
            ExternalCertificate.staff_id.in_(of_staff),
            cast(ExternalCertificate.kind, String).in_([str(kind) for kind in kinds]),
        )
    elsewhere = select(
        ExternalCertificate.staff_id,
        ExternalCertificate.issued_on,
        ExternalCertificate.expires_on,
        ExternalCertificate.revoked_at,
    ).where(ExternalCertificate.status == ExternalStatus.CONFIRMED, kind_qualifies)
    return union_all(ours, elsewhere).subquery("qualifying")


def _valid_on(certificates: Subquery, day: date) -> ColumnElement[bool]:
    columns = certificates.c
    return and_(
        columns.valid_from <= day,
        or_(columns.valid_until.is_(None), columns.valid_until > day),
        or_(columns.revoked_at.is_(None), columns.revoked_at >= end_of(day)),
    )


def _per_person(days: Sequence[date], only: Collection[int] | None) -> Subquery:
    """One row per caregiver of an active institution (of the ``only`` institutions when
    given) with their institution, post dates and, per day, 1 when they hold a qualifying
    certificate.

    Counting from one join of staff with their certificates, grouped per person, costs a third
    of probing both certificate tables for every person and day (measured in bench/dashboard).
    """
    certificates = qualifying_certificates(
        None if only is None else select(Staff.id).where(Staff.institution_id.in_(sorted(only)))
    )
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
    if only is not None:
        statement = statement.where(Staff.institution_id.in_(sorted(only)))
    return statement.subquery("per_person")


@dataclass(frozen=True)
class Place:
    """An active institution as the rate tables list it."""

    institution_id: int
    name: str
    type: str
    district_id: int
    district: str


def places() -> list[Place]:
    """Every active institution with its district, in the order the tables show them."""
    return [
        Place(id_, name, str(type_), district_id, district)
        for id_, name, type_, district_id, district in db.session.execute(
            select(Institution.id, Institution.name, Institution.type, District.id, District.name)
            .join(District, District.id == Institution.district_id)
            .where(Institution.is_active)
            .order_by(District.position, Institution.name, Institution.id)
        )
    ]


def counts_per_institution(
    days: Sequence[date], only: Collection[int] | None = None
) -> dict[int, tuple[Count, ...]]:
    """Each active institution's count on each of ``days`` (of the ``only`` institutions when
    given), in one pass over their staff; institutions without caregivers are left out."""
    people = _per_person(days, only)
    sums = []
    for index, day in enumerate(days):
        in_post = in_post_clause(people.c.in_post_from, people.c.in_post_to, day)
        sums.append(func.sum(case((in_post, 1), else_=0)))
        sums.append(func.sum(case((and_(in_post, people.c[f"held_{index}"] == 1), 1), else_=0)))
    rows = db.session.execute(
        select(people.c.institution_id, *sums).group_by(people.c.institution_id)
    )
    return {
        row[0]: tuple(
            Count(int(row[1 + 2 * index] or 0), int(row[2 + 2 * index] or 0))
            for index in range(len(days))
        )
        for row in rows
    }


def institution_rows(
    all_places: Iterable[Place],
    counts: Mapping[int, Sequence[Count]],
    index: int,
    scope: Scope,
) -> list[InstitutionCount]:
    """The institutions ``scope`` sees with their count on day number ``index`` of ``counts``."""
    rows = []
    for place in all_places:
        if scope.allows_institution(place.institution_id, place.district_id):
            held = counts.get(place.institution_id)
            rows.append(
                InstitutionCount(
                    place.institution_id,
                    place.name,
                    place.type,
                    place.district_id,
                    place.district,
                    held[index] if held else ZERO,
                )
            )
    return rows


def patch_institution_rows(
    rows: Sequence[InstitutionCount],
    counts: Mapping[int, Sequence[Count]],
    index: int,
    changed: Collection[int],
) -> list[InstitutionCount]:
    """``institution_rows`` for the same places after the ``changed`` institutions' counts
    changed: the other rows are the same."""
    changed = set(changed)
    patched = list(rows)
    for position, row in enumerate(patched):
        if row.institution_id in changed:
            held = counts.get(row.institution_id)
            patched[position] = replace(row, count=held[index] if held else ZERO)
    return patched


def by_institution(day: date, scope: Scope) -> list[InstitutionCount]:
    """Every active institution in scope with its count on ``day`` (zero staff included)."""
    return institution_rows(places(), counts_per_institution([day]), 0, scope)


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
    sums = totals_per_day(places(), counts_per_institution(days), len(days), scope)
    return list(zip(days, sums, strict=True))


def totals_per_day(
    all_places: Iterable[Place], counts: Mapping[int, Sequence[Count]], days: int, scope: Scope
) -> list[Count]:
    """The sum over the institutions ``scope`` sees of their count on each day of ``counts``."""
    in_post, certified = [0] * days, [0] * days
    for place in all_places:
        if scope.allows_institution(place.institution_id, place.district_id):
            for index, count in enumerate(counts.get(place.institution_id, ())):
                in_post[index] += count.in_post
                certified[index] += count.certified
    return [Count(n, c) for n, c in zip(in_post, certified, strict=True)]


def patch_totals_per_day(
    sums: Sequence[Count],
    place_of: Mapping[int, Place],
    before: Mapping[int, Sequence[Count]],
    after: Mapping[int, Sequence[Count]],
    changed: Collection[int],
    scope: Scope,
) -> list[Count]:
    """``totals_per_day`` after the ``changed`` institutions' counts went from ``before`` to
    ``after`` (the same places): the old sums less their old counts, plus their new ones."""
    in_post = [count.in_post for count in sums]
    certified = [count.certified for count in sums]
    for institution_id in changed:
        place = place_of.get(institution_id)
        if place is None or not scope.allows_institution(institution_id, place.district_id):
            continue
        for sign, counts in ((-1, before), (1, after)):
            for index, count in enumerate(counts.get(institution_id, ())):
                in_post[index] += sign * count.in_post
                certified[index] += sign * count.certified
    return [Count(n, c) for n, c in zip(in_post, certified, strict=True)]
