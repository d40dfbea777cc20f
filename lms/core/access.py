"""Access decorators and the data scope of the signed-in user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from lms.core.roles import Role

if TYPE_CHECKING:
    from lms.org.models import Staff

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Let only signed-in users with one of ``roles`` reach the view; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Mark a view as reachable without signing in (checked by the access-matrix test)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


@dataclass(frozen=True)
class Scope:
    """Which organisations' data a user may see: the whole city, a district or an institution."""

    role: Role
    district_id: int | None = None
    institution_id: int | None = None
    staff_id: int | None = None

    @property
    def is_city(self) -> bool:
        return self.role == Role.CITY_ADMIN

    def allows_institution(self, institution_id: int, district_id: int) -> bool:
        if self.role == Role.CITY_ADMIN:
            return True
        if self.role == Role.DISTRICT_ADMIN:
            return district_id == self.district_id
        if self.role == Role.INSTITUTION_MANAGER:
            return institution_id == self.institution_id
        return False

    def allows_district(self, district_id: int | None) -> bool:
        if self.role == Role.CITY_ADMIN:
            return True
        return self.role == Role.DISTRICT_ADMIN and district_id == self.district_id

    def allows_staff(self, staff: Staff) -> bool:
        """Whether the person's institution lies in the scope."""
        return self.allows_institution(staff.institution_id, staff.institution.district_id)


def current_scope() -> Scope:
    return current_user.scope


def ensure(condition: bool) -> None:
    """Answer 404 when ``condition`` fails, so what lies outside the user's reach is not revealed.
    For an object looked up by id, use ``visible_or_404``/``get_visible`` instead."""
    if not condition:
        abort(404)


def visible_or_404(found: T | None, allowed: Callable[[T], bool] | None = None) -> T:
    """``found`` when it exists and the user may see it (``allowed(found)``); otherwise answer
    404, the same for "no such thing" and "not yours", so ids outside the scope reveal nothing.

    The one way views check an object they looked up: the result is typed ``T``, not
    ``T | None``, so no ``assert found is not None`` follows."""
    if found is None or (allowed is not None and not allowed(found)):
        abort(404)
    return found


def get_visible(model: type[T], ident: Any, allowed: Callable[[T], bool] | None = None) -> T:
    """The ``model`` row with primary key ``ident`` if the user may see it, else 404."""
    from lms.db import db

    return visible_or_404(db.session.get(model, ident), allowed)
