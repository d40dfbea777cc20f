"""Account rules: sign-in with lockout, creating accounts, roles and passwords."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from lms.accounts import devices, passwords, policy
from lms.accounts.models import TrustedDevice, User
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


class SignIn(NamedTuple):
    user: User
    #: The new device cookie for the browser that signed in (see ``devices``).
    device_cookie: str


def _count_failure(counter: User | TrustedDevice, now: datetime) -> bool:
    """One more failure on the account's untrusted-client count or on one device's own count;
    True when it reaches the limit and locks. Counted in SQL so parallel workers add up."""
    config = current_app.config
    counter.failed_logins = type(counter).failed_logins + 1
    db.session.flush()
    db.session.refresh(counter, ["failed_logins"])
    if counter.failed_logins < config["LOGIN_MAX_FAILURES"]:
        return False
    counter.locked_until = now + config["LOGIN_LOCKOUT"]
    counter.failed_logins = 0
    return True


def authenticate(
    username: str, password: str, *, device_cookie: str | None = None, now: datetime | None = None
) -> SignIn:
    """Check a sign-in attempt (OWASP's device-cookie scheme).

    A browser presenting a valid device cookie for the account is trusted and has its own failure
    budget; every other attempt counts against the account's untrusted clients, which are locked
    out after too many failures while trusted browsers still sign in. Unknown names, wrong
    passwords, locked and deactivated accounts all get the same answer after the same work.
    """
    now = now or utcnow()
    user = find_user(username)
    invalid = LoginRefused(_l("Wrong user name or password"))
    if user is None:
        passwords.burn_verification_time()
        audit.record("login.failed", username=normalize_username(username), reason="unknown_user")
        raise invalid
    device = devices.find(device_cookie, user, now)
    if device is not None and devices.is_locked(device, now):
        device = None  # a trusted browser over its own budget is a stranger until it cools down
    if device is None and user.locked_until is not None and user.locked_until > now:
        passwords.burn_verification_time()
        audit.record("login.refused_locked", user, actor=user)
        raise invalid
    if not passwords.verify_password(user.password_hash, password):
        locked = _count_failure(device or user, now)
        details = {"trusted_device": device is not None}
        audit.record("login.locked" if locked else "login.failed", user, actor=user, **details)
        raise invalid
    if not user.is_active:
        audit.record("login.refused_inactive", user, actor=user)
        raise invalid
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if device is None:
        # The untrusted count restarts; a success from a trusted browser leaves a lockout of
        # strangers in place.
        user.failed_logins = 0
        user.locked_until = None
    user.last_login_at = now
    audit.record("login.succeeded", user, actor=user, trusted_device=device is not None)
    return SignIn(user, devices.remember(user, device, device_cookie, now))


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
    """The account rule (``policy.may_assign``) for a role and scope given to an account."""
    if not policy.may_assign(
        actor_scope, role, district=district, institution=institution, staff=staff
    ):
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


def create_trainee_account(staff: Staff, *, actor_scope: Scope) -> tuple[User, str]:
    """A trainee account for ``staff``: their mobile number as user name and a generated
    password to hand over (changed at first sign-in). Returns the account and that password."""
    password = passwords.generate_password()
    user = create_user(
        username=staff.phone,
        password=password,
        role=Role.TRAINEE,
        display_name=staff.name,
        staff=staff,
        actor_scope=actor_scope,
    )
    return user, password


def create_trainee_accounts(
    people: Iterable[Staff], *, actor_scope: Scope
) -> list[tuple[Staff, User, str]]:
    """Trainee accounts for those of ``people`` who have none, as (person, account, password)."""
    people = list(people)
    with_account = set(
        db.session.scalars(
            select(User.staff_id).where(User.staff_id.in_([person.id for person in people]))
        )
    )
    return [
        (person, *create_trainee_account(person, actor_scope=actor_scope))
        for person in people
        if person.id not in with_account
    ]


def end_sessions(user: User) -> None:
    """End every signed-in session of the account at once, on every device: Flask-Login ids
    carry the session epoch (``load_session_user``) and older epochs no longer sign in."""
    user.session_epoch = User.session_epoch + 1
    db.session.flush()
    db.session.refresh(user, ["session_epoch"])


def change_role(
    user: User,
    *,
    role: Role,
    district: District | None,
    institution: Institution | None,
    actor: User,
) -> None:
    """Give an account another role or scope; its open sessions end."""
    policy.check(actor, user, policy.Action.CHANGE_ROLE)
    _check_scope_links(role, district, institution, user.staff)
    _check_may_grant(actor.scope, role, district, institution, user.staff)
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
        end_sessions(user)
        audit.record("user.role_changed", user, before=before, after=after)


def set_password(user: User, password: str, *, by_self: bool) -> None:
    """Store a new password; every session of the account ends (the view renews the session of
    a user who changed their own)."""
    passwords.check_policy(password, user_inputs=[user.username, user.display_name])
    if by_self and passwords.verify_password(user.password_hash, password):
        raise passwords.WeakPassword(_l("Choose a password different from the current one"))
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = not by_self
    end_sessions(user)
    audit.record("user.password_changed" if by_self else "user.password_reset", user)


def change_own_password(user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise DomainError(_l("The current password is wrong"))
    set_password(user, new, by_self=True)


def reset_password(user: User, *, actor: User) -> str:
    """An administrator gives the account a one-time password, returned to be shown once."""
    policy.check(actor, user, policy.Action.RESET_PASSWORD)
    password = passwords.generate_password()
    set_password(user, password, by_self=False)
    return password


def set_active(user: User, active: bool, *, actor: User) -> None:
    policy.check(actor, user, policy.Action.SET_ACTIVE)
    if user.is_active != active:
        user.is_active = active
        end_sessions(user)
        audit.record("user.activated" if active else "user.deactivated", user)


def unlock(user: User, *, actor: User) -> None:
    """Lift the lockout of untrusted clients (``authenticate``)."""
    policy.check(actor, user, policy.Action.UNLOCK)
    user.locked_until = None
    user.failed_logins = 0
    db.session.execute(
        update(TrustedDevice)
        .where(TrustedDevice.user_id == user.id)
        .values(failed_logins=0, locked_until=None)
    )
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
