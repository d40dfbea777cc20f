"""Reads of accounts, narrowed to those the reader may act on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from lms.accounts import policy
from lms.accounts.models import User
from lms.core.roles import Role

#: The accounts list's sort orders (lms.core.pagination.sorted_by); each ends on the id. Accounts
#: never signed in come after the others (before them, reversed) on every database.
ORDERS: dict[str, tuple[Any, ...]] = {
    "role": (User.role, User.username, User.id),
    "username": (User.username, User.id),
    "name": (User.display_name, User.id),
    "login": (User.last_login_at.is_(None), User.last_login_at, User.id),
}


def users(
    actor: User,
    *,
    text: str = "",
    role: Role | None = None,
    locked_only: bool = False,
    inactive_only: bool = False,
    now: Any = None,
) -> Select[Any]:
    """Accounts ``actor`` may act on (``policy.may_act_on``): never their own, nor one of equal
    or higher standing, so the list never offers an action that would be refused."""
    statement = select(User).where(policy.actable_clause(actor))
    if text.strip():
        pattern = f"%{text.strip().lower()}%"
        statement = statement.where(
            or_(User.username.like(pattern), User.display_name.like(f"%{text.strip()}%"))
        )
    if role:
        statement = statement.where(User.role == role)
    if locked_only and now is not None:
        statement = statement.where(User.locked_until > now)
    if inactive_only:
        statement = statement.where(User.is_active.is_(False))
    return statement.order_by(User.role, User.username)
