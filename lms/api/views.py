"""/api/v1: read-only JSON for the city's smart-childcare platform, with bearer tokens.

Every operation is declared once (``api_get``): the declaration registers the route and is the
operation's entry in the OpenAPI document. Figures come from the same queries as the
dashboards, so the API and the pages agree."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from lms.api import openapi, services
from lms.api.openapi import (
    COUNT,
    DATE,
    DATE_PARAM,
    DISTRICT_PARAM,
    INTEGER,
    NO_NUL,
    NULLABLE_DATE,
    PAGE_FIELDS,
    PAGE_PARAMS,
    STRING,
    Operation,
    Param,
    obj,
    obj_with_optional,
    page_of,
)
from lms.certification.models import Certificate
from lms.core import params
from lms.core.access import Scope, public
from lms.core.errors import DomainError
from lms.core.levels import level_label
from lms.core.localtime import today
from lms.core.params import MAX_ID
from lms.core.roles import Role
from lms.db import db, write_intent
from lms.extensions import csrf
from lms.grading import results
from lms.grading.models import SkillCandidate, SkillSession, SkillSessionStatus
from lms.learning.models import Cohort, Course
from lms.org.models import District, Institution, Staff
from lms.reports import queries, rates
from lms.reports.rates import Count

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies: a bearer token in a header cannot be forged by another site


def api_error(status: int, code: str, message: Any) -> DomainError:
    return DomainError(message, code=code, status=status)


def api_get(operation: Operation) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    openapi.OPERATIONS.append(operation)
    rule = operation.path.replace("{", "<").replace("}", ">")

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        if operation.public:
            view = public(view)
        else:
            view.api_token = True  # type: ignore[attr-defined]
        view.operation = operation  # type: ignore[attr-defined]
        bp.add_url_rule(rule, view.__name__, view, methods=["GET"])
        return view

    return register


@bp.before_request
def _authenticate() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "is_public", False):
        return
    # Authentication may record the token's last use: declare the write before the first query.
    write_intent.set(True)
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    scope = services.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if scope is None:
        raise api_error(401, "unauthorized", _l("A valid API token is required"))
    g.api_scope = scope


@bp.before_request
def _check_parameters() -> None:
    """Refuse (400) any parameter value the OpenAPI document does not allow, so the API does
    exactly what the document says; runs after authentication (no token, no answer)."""
    view = current_app.view_functions.get(request.endpoint or "")
    operation: Operation | None = getattr(view, "operation", None)
    if operation is None:
        return
    problem = openapi.parameter_problem(operation, request.args)
    if problem is not None:
        raise api_error(400, "invalid_parameter", problem)


@bp.after_request
def _challenge(response: Response) -> Response:
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lms"'
    return response


def _scope() -> Scope:
    scope: Scope = g.api_scope
    return scope


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    """A bounded integer parameter (lms.core.params); 400 invalid_parameter otherwise."""
    return params.int_arg(name, default, low, high)


def _day() -> date:
    """``date`` (YYYY-MM-DD, 2000–2100; today by default); 400 invalid_parameter otherwise."""
    return params.date_arg("date") or today()


def _district_id(scope: Scope) -> int | None:
    code = request.args.get("district")
    if not code:
        return None
    district_id = db.session.scalar(select(District.id).where(District.code == code))
    if district_id is None:
        raise api_error(404, "not_found", f"no district with code {code}")
    if not scope.allows_district(district_id):
        raise api_error(403, "forbidden", "this token does not cover that district")
    return district_id


def _page_args() -> tuple[int, int]:
    return _int_arg("page", 1, 1, 1_000_000), _int_arg("per_page", 100, 1, 500)


def _paged(
    items: list[Any] | Select[*tuple[Any, ...]], serialise: Callable[[Any], dict[str, Any]]
) -> Response:
    return jsonify(_page(items, serialise))


def _page(
    items: list[Any] | Select[*tuple[Any, ...]], serialise: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """The requested page of ``items`` as items, page, per_page, total and pages."""
    page, per_page = _page_args()
    start = (page - 1) * per_page
    if isinstance(items, list):
        total, chosen = len(items), items[start : start + per_page]
    else:
        total = db.session.scalar(select(func.count()).select_from(items.subquery())) or 0
        chosen = list(db.session.execute(items.offset(start).limit(per_page)))
    return {
        "items": [serialise(item) for item in chosen],
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": max(1, math.ceil(total / per_page)),
    }


def _count(count: Count) -> dict[str, Any]:
    return {
        "in_post": count.in_post,
        "certified": count.certified,
        "uncertified": count.uncertified,
        "rate": None if count.rate is None else round(count.rate, 4),
    }


@api_get(
    Operation(
        "/openapi.json",
        "This document",
        {"type": "object"},
        public=True,
        tags=("meta",),
    )
)
def openapi_document() -> Any:
    return jsonify(openapi.document(current_app.config["PUBLIC_URL"]))


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
    scope = _scope()
    day = _day()
    level = request.args.get("level", "city")
    if level not in ("city", "district", "institution"):
        raise api_error(400, "invalid_parameter", "level: city, district or institution")
    district_id = _district_id(scope)
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
        listing = _page(
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
    scope = _scope()
    district_id = _district_id(scope)
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

    return _paged(statement, serialise)


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
    scope = _scope()
    day = _day()
    district_id = _district_id(scope)
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
            Staff.institution_id == _int_arg("institution_id", 0, 1, 2**31 - 1)
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

    return _paged(statement, serialise)


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
    scope = _scope()
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

    return _paged(statement, serialise)


RESULT = obj(
    staff_id=INTEGER,
    name=STRING,
    id_number_masked=STRING,
    level=INTEGER,
    level_label=STRING,
    session=STRING,
    skills_score={"type": ["number", "null"]},
    skills_passed={"type": ["boolean", "null"]},
    theory_score={"type": ["number", "null"]},
    theory_passed={"type": ["boolean", "null"]},
    passed={"type": ["boolean", "null"]},
)


@api_get(
    Operation(
        "/results",
        "Published assessment results: skills and the best published theory result per person",
        page_of(RESULT),
        (
            Param("level", "Only this level (5, 4 or 3)", {"type": "integer", "enum": [5, 4, 3]}),
            *PAGE_PARAMS,
        ),
        tags=("assessment",),
    )
)
def results_view() -> Any:
    scope = _scope()
    statement = rates.scoped(
        select(
            SkillCandidate,
            Staff,
            SkillSession,
            results.theory_score(Staff.id, SkillSession.level),
            results.theory_outcome(Staff.id, SkillSession.level),
            results.candidate_passes(SkillCandidate, SkillSession),
        )
        .join(Staff, Staff.id == SkillCandidate.staff_id)
        .join(SkillSession, SkillSession.id == SkillCandidate.session_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(SkillSession.status == SkillSessionStatus.RESULTS_PUBLISHED),
        scope,
    ).order_by(SkillSession.id, SkillCandidate.id)
    if request.args.get("level"):
        statement = statement.where(SkillSession.level == _int_arg("level", 5, 3, 5))

    def serialise(row: Any) -> dict[str, Any]:
        candidate, staff, session, t_score, t_passed, rule = row
        theory_passed = None if t_passed is None else bool(t_passed)
        passed = results.verdict(theory_passed, candidate.skills_passed, rule)
        return {
            "staff_id": staff.id,
            "name": staff.name,
            "id_number_masked": staff.id_number_masked,
            "level": session.level,
            "level_label": level_label(session.level),
            "session": session.title,
            "skills_score": candidate.skills_score,
            "skills_passed": candidate.skills_passed,
            "theory_score": t_score,
            "theory_passed": theory_passed,
            "passed": passed,
        }

    return _paged(statement, serialise)


CERTIFICATE = obj(
    number=STRING,
    holder_name=STRING,
    id_number_masked=STRING,
    level=INTEGER,
    level_label=STRING,
    issued_on=DATE,
    expires_on=NULLABLE_DATE,
    status={"type": "string", "enum": ["valid", "revoked", "expired"]},
    staff_id=INTEGER,
    verify_url=STRING,
)


@api_get(
    Operation(
        "/certificates",
        "Certificates we issued, with their status on the date (valid, revoked or expired)",
        page_of(CERTIFICATE),
        (
            Param(
                "status",
                "Only this status",
                {"type": "string", "enum": ["valid", "revoked", "expired"]},
            ),
            DATE_PARAM,
            *PAGE_PARAMS,
        ),
        tags=("certificates",),
    )
)
def certificates_view() -> Any:
    scope = _scope()
    day = _day()
    wanted = request.args.get("status")
    if wanted not in (None, "", "valid", "revoked", "expired"):
        raise api_error(400, "invalid_parameter", "status: valid, revoked or expired")
    statement = rates.scoped(
        select(Certificate)
        .join(Staff, Staff.id == Certificate.staff_id)
        .join(Institution, Institution.id == Staff.institution_id),
        scope,
    ).order_by(Certificate.number)
    certificates = list(db.session.scalars(statement))
    if wanted:
        certificates = [c for c in certificates if c.status_on(day) == wanted]
    base = current_app.config["PUBLIC_URL"].rstrip("/")

    def serialise(certificate: Certificate) -> dict[str, Any]:
        return {
            "number": certificate.number,
            "holder_name": certificate.holder_name,
            "id_number_masked": certificate.id_number_masked,
            "level": certificate.level,
            "level_label": level_label(certificate.level),
            "issued_on": certificate.issued_on.isoformat(),
            "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
            "status": certificate.status_on(day),
            "staff_id": certificate.staff_id,
            "verify_url": f"{base}/verify/{certificate.number}",
        }

    return _paged(certificates, serialise)


# The public verification endpoint lives with the verification page (certification.views);
# it is declared here so that the document describes it.
openapi.OPERATIONS.append(
    Operation(
        "/certificates/{number}",
        "Verify a certificate by its number (public, no token; rate-limited). The number alone "
        "confirms status, occupation, level, organisation and dates; the holder's name, masked "
        "ID number, revocation reason and reissue count come only with the holder's name "
        "(`name`) or the signed claims of the certificate's QR code (`s`)",
        obj_with_optional(
            {
                "number": STRING,
                "status": {"type": "string", "enum": ["valid", "revoked", "expired"]},
                "revoked_at": {"type": ["string", "null"], "format": "date-time"},
                "occupation": STRING,
                "level": INTEGER,
                "level_label": STRING,
                "organisation": STRING,
                "issued_on": DATE,
                "expires_on": NULLABLE_DATE,
                "holder_shown": {
                    "type": "boolean",
                    "description": "whether the holder's fields below are in the answer",
                },
            },
            {
                "name": STRING,
                "id_type": STRING,
                "id_number_masked": STRING,
                "revoke_reason": {"type": ["string", "null"]},
                "reissue_count": {"type": "integer", "minimum": 0},
            },
        ),
        (
            Param("number", "证书编号 (22 characters)", {"type": "string"}, location="path"),
            Param(
                "name",
                "The holder's name, as the visitor types it; when it matches, the holder's "
                "fields are shown",
                {"type": "string", "pattern": NO_NUL},
            ),
            Param(
                "s",
                "The signed claims from the certificate's QR code; when they hold and are this "
                "certificate's, the holder's fields are shown",
                {"type": "string", "pattern": NO_NUL},
            ),
        ),
        public=True,
        tags=("certificates",),
        not_found=True,
        limited=True,
    )
)
