"""GET /api/v1/institutions and /api/v1/staff: the registered institutions and their staff
(masked ID numbers, and whether each holds a qualifying certificate on the date)."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import select

from lms.api.blueprint import api_get, day_arg, district_arg, int_arg, paged, token_scope
from lms.api.openapi import (
    DATE,
    DATE_PARAM,
    DISTRICT_PARAM,
    INTEGER,
    NULLABLE_DATE,
    PAGE_PARAMS,
    STRING,
    Operation,
    Param,
    obj,
    page_of,
)
from lms.core.params import MAX_ID
from lms.org.models import District, Institution, Staff
from lms.reports import rates

INSTITUTION = obj(
    id=INTEGER,
    name=STRING,
    type=STRING,
    district_code=STRING,
    district=STRING,
    is_inclusive={"type": "boolean"},
    registered_places=INTEGER,
    is_active={"type": "boolean"},
)


@api_get(
    Operation(
        "/institutions",
        "Registered childcare institutions",
        page_of(INSTITUTION),
        (DISTRICT_PARAM, *PAGE_PARAMS),
        tags=("organisations",),
        not_found=True,
        forbidden=True,
    )
)
def institutions_view() -> Any:
    scope = token_scope()
    district_id = district_arg(scope)
    statement = rates.scoped(
        select(Institution, District).join(District, District.id == Institution.district_id),
        scope,
    ).order_by(District.position, Institution.name, Institution.id)
    if district_id is not None:
        statement = statement.where(Institution.district_id == district_id)

    def serialise(row: Any) -> dict[str, Any]:
        institution, district = row
        return {
            "id": institution.id,
            "name": institution.name,
            "type": institution.type.value,
            "district_code": district.code,
            "district": district.name,
            "is_inclusive": institution.is_inclusive,
            "registered_places": institution.registered_places,
            "is_active": institution.is_active,
        }

    return paged(statement, serialise)


STAFF = obj(
    id=INTEGER,
    name=STRING,
    id_number_masked=STRING,
    institution_id=INTEGER,
    post=STRING,
    in_post_from=DATE,
    in_post_to=NULLABLE_DATE,
    certified={"type": "boolean"},
)


@api_get(
    Operation(
        "/staff",
        "Staff with masked ID numbers, and whether each holds a qualifying certificate on the date",
        page_of(STAFF),
        (
            Param(
                "institution_id",
                "Only this institution (an institution outside the token's scope gives none)",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            ),
            DISTRICT_PARAM,
            DATE_PARAM,
            *PAGE_PARAMS,
        ),
        tags=("organisations",),
        not_found=True,
        forbidden=True,
    )
)
def staff_view() -> Any:
    scope = token_scope()
    day = day_arg()
    district_id = district_arg(scope)
    statement = rates.scoped(
        select(Staff, rates.qualifying_on(day)).join(
            Institution, Institution.id == Staff.institution_id
        ),
        scope,
    ).order_by(Staff.id)
    if district_id is not None:
        statement = statement.where(Institution.district_id == district_id)
    institution_id = request.args.get("institution_id")
    if institution_id:
        statement = statement.where(
            Staff.institution_id == int_arg("institution_id", 0, 1, 2**31 - 1)
        )

    def serialise(row: Any) -> dict[str, Any]:
        staff, certified = row
        return {
            "id": staff.id,
            "name": staff.name,
            "id_number_masked": staff.id_number_masked,
            "institution_id": staff.institution_id,
            "post": staff.post.value,
            "in_post_from": staff.in_post_from.isoformat(),
            "in_post_to": staff.in_post_to.isoformat() if staff.in_post_to else None,
            "certified": bool(certified),
        }

    return paged(statement, serialise)
