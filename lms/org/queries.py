"""Reads of organisations and staff, always narrowed to the user's scope."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select

from lms.core import idnumber as idn
from lms.core.access import Scope, get_visible
from lms.core.roles import Role
from lms.db import db
from lms.org.models import District, Institution, InstitutionType, Post, Staff
from lms.org.services import id_number_hash


def districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.position, District.code)))


def visible_districts(scope: Scope) -> list[District]:
    return [district for district in districts() if scope.allows_district(district.id)]


SelectT = TypeVar("SelectT", bound="Select[Any]")


def in_scope(statement: SelectT, scope: Scope) -> SelectT:
    """``statement`` (which joins Institution) narrowed to the institutions ``scope`` sees: the
    SQL form of ``Scope.allows_institution``, used by every list of organisations or staff."""
    if scope.role == Role.CITY_ADMIN:
        return statement
    if scope.role == Role.DISTRICT_ADMIN:
        return statement.where(Institution.district_id == scope.district_id)
    if scope.role == Role.INSTITUTION_MANAGER:
        return statement.where(Institution.id == scope.institution_id)
    return statement.where(Institution.id.is_(None))  # no institutions for other roles


def institutions(
    scope: Scope,
    *,
    text: str = "",
    district_id: int | None = None,
    type: InstitutionType | None = None,
    inclusive: bool | None = None,
) -> Select[Any]:
    statement = select(Institution).join(District)
    statement = in_scope(statement, scope)
    if text.strip():
        pattern = f"%{text.strip()}%"
        statement = statement.where(
            or_(Institution.name.like(pattern), Institution.address.like(pattern))
        )
    if district_id:
        statement = statement.where(Institution.district_id == district_id)
    if type:
        statement = statement.where(Institution.type == type)
    if inclusive is not None:
        statement = statement.where(Institution.is_inclusive == inclusive)
    return statement.order_by(District.position, Institution.name)


#: The institutions list's sort orders (lms.core.pagination.sorted_by); each ends on the id.
INSTITUTION_ORDERS: dict[str, tuple[Any, ...]] = {
    "name": (Institution.name, Institution.id),
    "district": (District.position, Institution.name, Institution.id),
    "type": (Institution.type, Institution.name, Institution.id),
    "places": (Institution.registered_places, Institution.id),
}


def institution_choices(scope: Scope) -> list[Institution]:
    statement = in_scope(
        select(Institution).join(District).where(Institution.is_active.is_(True)), scope
    )
    return list(db.session.scalars(statement.order_by(District.position, Institution.name)))


#: The staff list's sort orders (lms.core.pagination.sorted_by); each ends on the id.
STAFF_ORDERS: dict[str, tuple[Any, ...]] = {
    "name": (Staff.name, Staff.id),
    "institution": (District.position, Institution.name, Staff.name, Staff.id),
    "post": (Staff.post, Staff.name, Staff.id),
    "since": (Staff.in_post_from, Staff.id),
}


def staff(
    scope: Scope,
    *,
    text: str = "",
    institution_id: int | None = None,
    district_id: int | None = None,
    post: Post | None = None,
    in_post_on: date | None = None,
    caregivers_in_post_on: date | None = None,
) -> Select[Any]:
    """Staff visible to ``scope``; ``text`` matches a name part, a mobile or a full ID number."""
    statement = select(Staff).join(Institution).join(District)
    statement = in_scope(statement, scope)
    text = text.strip()
    if text:
        normalized = idn.normalize(text)
        if len(normalized) == 18:
            statement = statement.where(Staff.id_number_hash == id_number_hash(normalized))
        elif text.isdigit():
            statement = statement.where(Staff.phone.like(f"{text}%"))
        else:
            statement = statement.where(Staff.name.like(f"%{text}%"))
    if institution_id:
        statement = statement.where(Staff.institution_id == institution_id)
    if district_id:
        statement = statement.where(Institution.district_id == district_id)
    if post:
        statement = statement.where(Staff.post == post)
    if in_post_on:
        statement = statement.where(Staff.in_post_on(in_post_on))
    if caregivers_in_post_on:
        statement = statement.where(Staff.caregiver_in_post_on(caregivers_in_post_on))
    return statement.order_by(District.position, Institution.name, Staff.name, Staff.id)


def get_institution(institution_id: int) -> Institution | None:
    return db.session.get(Institution, institution_id)


def visible_institution(scope: Scope, institution_id: int) -> Institution:
    """The institution, or 404 when it does not exist or lies outside ``scope``."""
    return get_visible(
        Institution,
        institution_id,
        lambda institution: scope.allows_institution(institution.id, institution.district_id),
    )


def visible_staff(scope: Scope, staff_id: int) -> Staff:
    """The staff record, or 404 when it does not exist or lies outside ``scope``."""
    return get_visible(Staff, staff_id, scope.allows_staff)


def districts_by_id() -> dict[int, District]:
    return {district.id: district for district in districts()}
