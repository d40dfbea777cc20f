"""API tokens: create (the secret is returned once), authenticate, revoke."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.models import User
from lms.api.models import ApiToken
from lms.core import audit
from lms.core.access import Scope
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.core.roles import Role
from lms.db import db, utcnow

PREFIX = "lms_"
MAX_DAYS = 366
#: last_used_at is written at most this often per token, so reads stay reads.
USE_RECORD_INTERVAL = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_manage(actor: User, district_id: int | None) -> bool:
    """City admins manage every token; district admins those of their own district."""
    return actor.scope.allows_district(district_id)


def create_token(
    actor: User, name: str, district_id: int | None, days: int
) -> tuple[str, ApiToken]:
    """A new token for the city (``district_id`` None) or one district; the secret is only in
    the returned string."""
    if not can_manage(actor, district_id):
        raise NotAllowed(_l("You may only create tokens for your own district"))
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(_l("A token is valid for 1 to 366 days"))
    if not name.strip():
        raise DomainError(_l("Name the token after the system that will use it"))
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        name=name.strip()[:100],
        prefix=secret[:12],
        token_hash=token_hash(secret),
        district_id=district_id,
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", token, name=token.name, district_id=district_id)
    return secret, token


def revoke(token: ApiToken, actor: User) -> None:
    if not can_manage(actor, token.district_id):
        raise NotAllowed(_l("You may only manage tokens of your own district"))
    if token.revoked_at is not None:
        raise Conflict(_l("This token is already revoked"))
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record("api_token.revoked", token, name=token.name)


#: The roles whose accounts may hold API tokens; a token works only while its creator has one.
TOKEN_ROLES = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


def authenticate(secret: str, now: datetime | None = None) -> Scope | None:
    """The data scope a request bearing ``secret`` may read, or None (unknown, expired or
    revoked token, or a creator who may no longer read anything through it)."""
    if not secret.startswith(PREFIX):
        return None
    now = now or utcnow()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if token is None or not token.is_usable(now):
        return None
    scope = scope_of(token)
    if scope is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > USE_RECORD_INTERVAL:
        token.last_used_at = now
    return scope


def scope_of(token: ApiToken) -> Scope | None:
    """What the token may read now: the district (or city) it was made for, narrowed to what
    its creator may see today. A token never outlives its creator's rights: it stops when the
    creator is deactivated or no longer holds a role that manages tokens, and a district
    administrator's tokens follow them to their current district (a token made for another
    district stops; a city-wide token made when they were a city administrator narrows to the
    district they administer now). Read on every request, so a change applies at once."""
    creator = db.session.get(User, token.created_by_id)
    if creator is None or not creator.is_active or creator.role not in TOKEN_ROLES:
        return None
    if creator.role == Role.CITY_ADMIN:
        district_id = token.district_id
    elif creator.district_id is None:
        return None
    elif token.district_id in (None, creator.district_id):
        district_id = creator.district_id
    else:
        return None
    if district_id is None:
        return Scope(Role.CITY_ADMIN)
    return Scope(Role.DISTRICT_ADMIN, district_id=district_id)
