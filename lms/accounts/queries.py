"""Reads of accounts, narrowed to the user's scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased

from lms.accounts.models import User
from lms.core.access import Scope
from lms.core.roles import Role
from lms.org.models import Institution, Staff


def users(
    scope: Scope,
    *,
    text: str = "",
    role: Role | None = None,
    locked_only: bool = False,
    now: Any = None,
) -> Select[Any]:
    """Accounts a user may administer: district admins see the accounts tied to their district,
    institution managers the trainee accounts of their own staff."""
    managed_institution = aliased(Institution)
    staff_institution = aliased(Institution)
    statement = (
        select(User)
        .outerjoin(managed_institution, managed_institution.id == User.institution_id)
        .outerjoin(Staff, Staff.id == User.staff_id)
        .outerjoin(staff_institution, staff_institution.id == Staff.institution_id)
    )
    if scope.role == Role.DISTRICT_ADMIN:
        statement = statement.where(
            or_(
                User.district_id == scope.district_id,
                managed_institution.district_id == scope.district_id,
                staff_institution.district_id == scope.district_id,
            )
        )
    elif scope.role == Role.INSTITUTION_MANAGER:
        statement = statement.where(
            User.role == Role.TRAINEE, Staff.institution_id == scope.institution_id
        )
    elif scope.role != Role.CITY_ADMIN:
        statement = statement.where(User.id.is_(None))
    if text.strip():
        pattern = f"%{text.strip().lower()}%"
        statement = statement.where(
            or_(User.username.like(pattern), User.display_name.like(f"%{text.strip()}%"))
        )
    if role:
        statement = statement.where(User.role == role)
    if locked_only and now is not None:
        statement = statement.where(User.locked_until > now)
    return statement.order_by(User.role, User.username)


def can_administer(scope: Scope, user: User) -> bool:
    from lms.db import db

    return db.session.scalar(users(scope).where(User.id == user.id).limit(1)) is not None
