"""The org blueprint (institutions, staff, roster import) and what its view modules share.

Its pages are in views.py (districts and institutions), staff_views.py and roster_views.py;
views.py imports the other two so that registering ``bp`` brings every page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, request

from lms.core.roles import Role
from lms.org import services

bp = Blueprint("org", __name__)
ORG_ADMINS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


def page_number() -> int:
    return request.args.get("page", 1, type=int)


def apply_field_errors(form: Any, error: services.FieldErrors) -> None:
    """Show a service's per-field refusals on the form's fields (others as flashed messages)."""
    for field_name, message in error.errors.items():
        field = getattr(form, field_name, None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")
