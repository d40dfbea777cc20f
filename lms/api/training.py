"""GET /api/v1/cohorts: the training cohorts (培训班次) a token's district takes part in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lms.api.blueprint import api_get, paged, token_scope
from lms.api.openapi import DATE, INTEGER, PAGE_PARAMS, STRING, Operation, obj, page_of
from lms.learning.models import Cohort, Course
from lms.org.models import District

COHORT = obj(
    id=INTEGER,
    title=STRING,
    course=STRING,
    level=INTEGER,
    district_code={"type": ["string", "null"]},
    starts_on=DATE,
    ends_on=DATE,
    capacity=INTEGER,
    enrolled=INTEGER,
    is_open={"type": "boolean"},
)


@api_get(
    Operation(
        "/cohorts",
        "Training cohorts (培训班次)",
        page_of(COHORT),
        PAGE_PARAMS,
        tags=("training",),
    )
)
def cohorts_view() -> Any:
    scope = token_scope()
    statement = (
        select(Cohort, Course, District)
        .join(Course, Course.id == Cohort.course_id)
        .outerjoin(District, District.id == Cohort.district_id)
        .order_by(Cohort.starts_on.desc(), Cohort.id)
    )
    if not scope.is_city:
        statement = statement.where(
            (Cohort.district_id.is_(None)) | (Cohort.district_id == scope.district_id)
        )

    def serialise(row: Any) -> dict[str, Any]:
        cohort, course, district = row
        return {
            "id": cohort.id,
            "title": cohort.title,
            "course": course.title,
            "level": course.level,
            "district_code": district.code if district else None,
            "starts_on": cohort.starts_on.isoformat(),
            "ends_on": cohort.ends_on.isoformat(),
            "capacity": cohort.capacity,
            "enrolled": cohort.enrolled,
            "is_open": cohort.is_open,
        }

    return paged(statement, serialise)
