"""The /api/v1 blueprint and what every operation shares: declaring an operation (``api_get``:
the route and its entry in the OpenAPI document at once), bearer-token authentication, refusing
parameters the document does not allow, the token's scope, bounded parameters and pages."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from lms.api import openapi, services
from lms.api.openapi import Operation
from lms.core import params
from lms.core.access import Scope, public
from lms.core.errors import DomainError
from lms.core.localtime import today
from lms.db import db, write_intent
from lms.extensions import csrf
from lms.org.models import District

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


def token_scope() -> Scope:
    """What the request's token may see."""
    scope: Scope = g.api_scope
    return scope


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A bounded integer parameter (lms.core.params); 400 invalid_parameter otherwise."""
    return params.int_arg(name, default, low, high)


def day_arg() -> date:
    """``date`` (YYYY-MM-DD, 2000–2100; today by default); 400 invalid_parameter otherwise."""
    return params.date_arg("date") or today()


def district_arg(scope: Scope) -> int | None:
    """The ``district`` parameter (a code) as an id: 404 unknown, 403 outside the token."""
    code = request.args.get("district")
    if not code:
        return None
    district_id = db.session.scalar(select(District.id).where(District.code == code))
    if district_id is None:
        raise api_error(404, "not_found", f"no district with code {code}")
    if not scope.allows_district(district_id):
        raise api_error(403, "forbidden", "this token does not cover that district")
    return district_id


def page_args() -> tuple[int, int]:
    return int_arg("page", 1, 1, 1_000_000), int_arg("per_page", 100, 1, 500)


def paged(
    items: list[Any] | Select[*tuple[Any, ...]], serialise: Callable[[Any], dict[str, Any]]
) -> Response:
    return jsonify(page(items, serialise))


def page(
    items: list[Any] | Select[*tuple[Any, ...]], serialise: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """The requested page of ``items`` as items, page, per_page, total and pages; a query is
    counted and sliced in the database."""
    number, per_page = page_args()
    start = (number - 1) * per_page
    if isinstance(items, list):
        total, chosen = len(items), items[start : start + per_page]
    else:
        total = db.session.scalar(select(func.count()).select_from(items.subquery())) or 0
        chosen = list(db.session.execute(items.offset(start).limit(per_page)))
    return {
        "items": [serialise(item) for item in chosen],
        "page": number,
        "per_page": per_page,
        "total": total,
        "pages": max(1, math.ceil(total / per_page)),
    }
