"""GET /api/v1/rates: the licensed-to-work rate (持证上岗率), from the dashboards' own counts."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from lms.api.blueprint import api_error, api_get, day_arg, district_arg, page, token_scope
from lms.api.openapi import (
    COUNT,
    DATE,
    DATE_PARAM,
    DISTRICT_PARAM,
    INTEGER,
    PAGE_FIELDS,
    PAGE_PARAMS,
    STRING,
    Operation,
    Param,
    obj,
    obj_with_optional,
)
from lms.core.access import Scope
from lms.core.roles import Role
from lms.reports import queries, rates
from lms.reports.rates import Count


def _count(count: Count) -> dict[str, Any]:
    return {
        "in_post": count.in_post,
        "certified": count.certified,
        "uncertified": count.uncertified,
        "rate": None if count.rate is None else round(count.rate, 4),
    }


@api_get(
    Operation(
        "/rates",
        "Licensed-to-work rate (持证上岗率) for the city, per district or per institution",
        obj_with_optional(
            {
                "date": DATE,
                "level": {"type": "string", "enum": ["city", "district", "institution"]},
                "target": {"type": "number", "minimum": 0, "maximum": 1},
                "total": COUNT,
                "items": {
                    "type": "array",
                    "description": "none for level=city",
                    "items": {
                        "oneOf": [
                            obj(id=INTEGER, code=STRING, name=STRING, count=COUNT),
                            obj(id=INTEGER, name=STRING, district=STRING, count=COUNT),
                        ]
                    },
                },
            },
            # Only level=institution is paginated; "total" stays the whole scope's count.
            PAGE_FIELDS,
        ),
        (
            Param(
                "level",
                "city: one total; district: one item per district; institution: one per "
                "institution (paginated: page, per_page and pages are in the answer)",
                {"type": "string", "enum": ["city", "district", "institution"], "default": "city"},
            ),
            DISTRICT_PARAM,
            DATE_PARAM,
            *PAGE_PARAMS,
        ),
        tags=("rates",),
        not_found=True,
        forbidden=True,
    )
)
def rates_view() -> Any:
    scope = token_scope()
    day = day_arg()
    level = request.args.get("level", "city")
    if level not in ("city", "district", "institution"):
        raise api_error(400, "invalid_parameter", "level: city, district or institution")
    district_id = district_arg(scope)
    if district_id is not None:
        scope = Scope(Role.DISTRICT_ADMIN, district_id=district_id)
    institutions = queries.institution_counts(scope, day)
    body: dict[str, Any] = {
        "date": day.isoformat(),
        "level": level,
        "target": current_app.config["RATE_TARGET"],
        "total": _count(rates.total(institutions)),
        "items": [],
    }
    if level == "district":
        body["items"] = [
            {"id": d.district_id, "code": d.code, "name": d.name, "count": _count(d.count)}
            for d in rates.by_district(institutions, scope)
        ]
    elif level == "institution":
        listing = page(
            institutions,
            lambda r: {
                "id": r.institution_id,
                "name": r.name,
                "district": r.district,
                "count": _count(r.count),
            },
        )
        del listing["total"]  # here "total" is the count of the whole scope
        body.update(listing)
    return jsonify(body)
