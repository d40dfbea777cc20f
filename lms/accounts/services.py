"""Account rules: sign-in with lockout, creating accounts, roles and passwords."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.accounts import passwords
from lms.accounts.models import User
from lms.core import audit
from lms.core.access import Scope
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.org.models import District, Institution, Staff


class LoginRefused(DomainError):
    code = "login_refused"


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalize_username(username)))


def authenticate(username: str, password: str, *, now: datetime | None = None) -> User:
    """Check a sign-in attempt; count failures and lock the account after too many."""
    now = now or utcnow()
    config = current_app.config
    user = find_user(username)
    invalid = LoginRefused(_l("Wrong user name or password"))
    if user is None:
        passwords.burn_verification_time()
        audit.record("login.failed", username=normalize_username(username), reason="unknown_user")
        raise invalid
    if user.locked_until is not None and user.locked_until > now:
        audit.record("login.refused_locked", user, actor=user)
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise LoginRefused(
            _l(
                "This account is locked after repeated failed sign-ins. "
                "Try again in %(m)d minutes.",
                m=minutes,
            )
        )
    if not passwords.verify_password(user.password_hash, password):
        user.failed_logins += 1
        details = {"failures": user.failed_logins}
        if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + config["LOGIN_LOCKOUT"]
            user.failed_logins = 0
            audit.record("login.locked", user, actor=user, **details)
        else:
            audit.record("login.failed", user, actor=user, **details)
        raise invalid
    if not user.is_active:
        audit.record("login.refused_inactive", user, actor=user)
        raise invalid
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("login.succeeded", user, actor=user)
    return user


def _check_scope_links(
    role: Role,
    district: District | None,
    institution: Institution | None,
    staff: Staff | None,
) -> None:
    if role == Role.DISTRICT_ADMIN and district is None:
        raise DomainError(_l("A district administrator needs a district"))
    if role == Role.INSTITUTION_MANAGER and institution is None:
        raise DomainError(_l("An institution manager needs an institution"))
    if role == Role.TRAINEE and staff is None:
        raise DomainError(_l("A trainee account belongs to a staff record"))


def _check_may_grant(
    actor_scope: Scope | None,
    role: Role,
    district: District | None,
    institution: Institution | None,
    staff: Staff | None,
) -> None:
    """City admins grant any role; district admins manage managers and trainees of their
    district; institution managers manage trainee accounts of their own staff."""
    if actor_scope is None or actor_scope.is_city:
        return
    if actor_scope.role == Role.DISTRICT_ADMIN and role in (
        Role.INSTITUTION_MANAGER,
        Role.TRAINEE,
    ):
        target_institution = institution or (staff.institution if staff else None)
        if target_institution and target_institution.district_id == actor_scope.district_id:
            return
    if (
        actor_scope.role == Role.INSTITUTION_MANAGER
        and role == Role.TRAINEE
        and staff is not None
        and staff.institution_id == actor_scope.institution_id
    ):
        return
    raise NotAllowed(_l("You may not create or change accounts with this role or scope"))


def create_user(
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str,
    district: District | None = None,
    institution: Institution | None = None,
    staff: Staff | None = None,
    actor_scope: Scope | None = None,
    chosen_by_user: bool = False,
) -> User:
    """Create an account; ``actor_scope`` limits what a non-city admin may create."""
    username = normalize_username(username)
    if not username or len(username) > 64:
        raise DomainError(_l("User name is required (at most 64 characters)"))
    _check_scope_links(role, district, institution, staff)
    _check_may_grant(actor_scope, role, district, institution, staff)
    if db.session.scalar(select(func.count()).where(User.username == username)):
        raise Conflict(_l("The user name %(name)s is taken", name=username))
    if staff is not None and db.session.scalar(
        select(func.count()).where(User.staff_id == staff.id)
    ):
        raise Conflict(_l("This person already has an account"))
    passwords.check_policy(password, user_inputs=[username, display_name])
    user = User(
        username=username,
        display_name=display_name,
        password_hash=passwords.hash_password(password),
        role=role,
        district_id=district.id if district and role == Role.DISTRICT_ADMIN else None,
        institution_id=(
            institution.id if institution and role == Role.INSTITUTION_MANAGER else None
        ),
        staff_id=staff.id if staff else None,
        must_change_password=not chosen_by_user,
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, role=role.value, username=username)
    return user


def change_role(
    user: User,
    *,
    role: Role,
    district: District | None,
    institution: Institution | None,
    actor_scope: Scope,
) -> None:
    """Give an account another role or scope; its open sessions end."""
    _check_scope_links(role, district, institution, user.staff)
    _check_may_grant(actor_scope, user.role, user.district, user.institution, user.staff)
    _check_may_grant(actor_scope, role, district, institution, user.staff)
    before = {
        "role": user.role.value,
        "district_id": user.district_id,
        "institution_id": user.institution_id,
    }
    user.role = role
    user.district_id = district.id if district and role == Role.DISTRICT_ADMIN else None
    user.institution_id = (
        institution.id if institution and role == Role.INSTITUTION_MANAGER else None
    )
    after = {
        "role": role.value,
        "district_id": user.district_id,
        "institution_id": user.institution_id,
    }
    if before != after:
        user.session_epoch += 1
        audit.record("user.role_changed", user, before=before, after=after)


def set_password(user: User, password: str, *, by_self: bool) -> None:
    """Store a new password; every other session of the account ends."""
    passwords.check_policy(password, user_inputs=[user.username, user.display_name])
    if by_self and passwords.verify_password(user.password_hash, password):
        raise passwords.WeakPassword(_l("Choose a password different from the current one"))
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = not by_self
    user.session_epoch += 1
    audit.record("user.password_changed" if by_self else "user.password_reset", user)


def change_own_password(user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise DomainError(_l("The current password is wrong"))
    set_password(user, new, by_self=True)


def set_active(user: User, active: bool, *, actor_scope: Scope) -> None:
    _check_may_grant(actor_scope, user.role, user.district, user.institution, user.staff)
    if user.is_active != active:
        user.is_active = active
        user.session_epoch += 1
        audit.record("user.activated" if active else "user.deactivated", user)


def unlock(user: User, *, actor_scope: Scope) -> None:
    _check_may_grant(actor_scope, user.role, user.district, user.institution, user.staff)
    user.locked_until = None
    user.failed_logins = 0
    audit.record("user.unlocked", user)


def load_session_user(token: str) -> User | None:
    """Resolve the Flask-Login id ``<user id>:<session epoch>``; stale epochs sign out."""
    user_id, _, epoch = token.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    return user
