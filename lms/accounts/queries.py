"""Reads of accounts, narrowed to those the reader may act on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from lms.accounts import policy
from lms.accounts.models import User
from lms.core.roles import Role


def users(
    actor: User,
    *,
    text: str = "",
    role: Role | None = None,
    locked_only: bool = False,
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
    return statement.order_by(User.role, User.username)
