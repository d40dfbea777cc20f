"""Who may act on which account: the one rule behind every account action.

* Nobody acts on their own account through the administrators' actions (they use
  /account/password); a city administrator acts on every other account.
* A district administrator acts on institution managers of institutions in their district and on
  trainee accounts of staff employed there, nothing else: an examiner or an administrator whose
  staff record lies in the district is not theirs.
* An institution manager acts on trainee accounts of their own institution's staff.
* Examiners and trainees act on no account.

The same rule decides which roles and scopes an actor may give an account (``may_assign``), and
is written once more as SQL (``actable_clause``) for the list of accounts; the tests check that
the two agree for every pair of roles and scopes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, false, select, true

from lms.accounts.models import User
from lms.core.access import Scope
from lms.core.errors import NotAllowed
from lms.core.roles import Role
from lms.db import db
from lms.org.models import District, Institution, Staff


class Action(StrEnum):
    VIEW = "view"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (an action, not a password)
    UNLOCK = "unlock"
    SET_ACTIVE = "set_active"
    #: The account page's form: role and scope, the only fields an administrator edits.
    CHANGE_ROLE = "change_role"
    TOKENS = "tokens"


#: Roles that may give accounts another role or scope (managers only look after trainees).
ROLE_GRANTORS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


def may_assign(
    actor: Scope | None,
    role: Role,
    *,
    district: District | None = None,
    institution: Institution | None = None,
    staff: Staff | None = None,
) -> bool:
    """May ``actor`` hold sway over an account of ``role`` with these links (create it, or
    have it after a change)? ``None`` is the system itself (command line, imports)."""
    if actor is None or actor.role == Role.CITY_ADMIN:
        return True
    if actor.role == Role.DISTRICT_ADMIN:
        if role == Role.INSTITUTION_MANAGER:
            return institution is not None and institution.district_id == actor.district_id
        if role == Role.TRAINEE:
            return staff is not None and staff.institution.district_id == actor.district_id
        return False
    if actor.role == Role.INSTITUTION_MANAGER and role == Role.TRAINEE:
        return staff is not None and staff.institution_id == actor.institution_id
    return False


def may_act_on(actor: User, target: User, action: Action) -> bool:
    """The rule itself: may ``actor`` perform ``action`` on the account ``target``?"""
    if not actor.is_active or target.id == actor.id:
        return False
    if action == Action.CHANGE_ROLE and actor.role not in ROLE_GRANTORS:
        return False
    return may_assign(
        actor.scope,
        target.role,
        district=target.district,
        institution=target.institution,
        staff=target.staff,
    )


def check(actor: User, target: User, action: Action) -> None:
    """For services: refuse with NotAllowed."""
    if not may_act_on(actor, target, action):
        raise NotAllowed(_l("You may not act on this account"))


def target_or_404(actor: User, user_id: int, action: Action) -> User:
    """For views: the account, or 404 when it does not exist or is not the actor's to act on
    (whether it exists is not revealed)."""
    target = db.session.get(User, user_id)
    if target is None or not may_act_on(actor, target, action):
        abort(404)
    return target


def actable_clause(actor: User) -> ColumnElement[bool]:
    """``may_act_on(actor, User, Action.VIEW)`` as a condition on ``User`` rows."""
    if not actor.is_active:
        return false()
    not_self = User.id != actor.id
    if actor.role == Role.CITY_ADMIN:
        return and_(true(), not_self)
    if actor.role == Role.DISTRICT_ADMIN:
        managed: Any = select(Institution.id).where(Institution.district_id == actor.district_id)
        employed: Any = (
            select(Staff.id)
            .join(Institution, Institution.id == Staff.institution_id)
            .where(Institution.district_id == actor.district_id)
        )
        return and_(
            not_self,
            (
                and_(User.role == Role.INSTITUTION_MANAGER, User.institution_id.in_(managed))
                | and_(User.role == Role.TRAINEE, User.staff_id.in_(employed))
            ),
        )
    if actor.role == Role.INSTITUTION_MANAGER:
        own_staff: Any = select(Staff.id).where(Staff.institution_id == actor.institution_id)
        return and_(not_self, User.role == Role.TRAINEE, User.staff_id.in_(own_staff))
    return false()
