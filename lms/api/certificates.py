"""GET /api/v1/certificates: the certificates we issued, with their status on the date, filtered
and paged in the database; and the declaration of the public verification endpoint."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from sqlalchemy import select

from lms.api import openapi
from lms.api.blueprint import api_error, api_get, day_arg, paged, token_scope
from lms.api.openapi import (
    DATE,
    DATE_PARAM,
    INTEGER,
    NO_NUL,
    NULLABLE_DATE,
    PAGE_PARAMS,
    STRING,
    Operation,
    Param,
    obj,
    obj_with_optional,
    page_of,
)
from lms.certification.models import Certificate
from lms.core.levels import level_label
from lms.org.models import Institution, Staff
from lms.reports import rates

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
    scope = token_scope()
    day = day_arg()
    wanted = request.args.get("status")
    if wanted not in (None, "", "valid", "revoked", "expired"):
        raise api_error(400, "invalid_parameter", "status: valid, revoked or expired")
    status = Certificate.status_on_sql(day)
    statement = rates.scoped(
        select(Certificate, status)
        .join(Staff, Staff.id == Certificate.staff_id)
        .join(Institution, Institution.id == Staff.institution_id),
        scope,
    ).order_by(Certificate.number)
    if wanted:
        statement = statement.where(status == wanted)
    base = current_app.config["PUBLIC_URL"].rstrip("/")

    def serialise(row: Any) -> dict[str, Any]:
        certificate, status_then = row
        return {
            "number": certificate.number,
            "holder_name": certificate.holder_name,
            "id_number_masked": certificate.id_number_masked,
            "level": certificate.level,
            "level_label": level_label(certificate.level),
            "issued_on": certificate.issued_on.isoformat(),
            "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
            "status": status_then,
            "staff_id": certificate.staff_id,
            "verify_url": f"{base}/verify/{certificate.number}",
        }

    return paged(statement, serialise)


# The public verification endpoint lives with the verification page (certification.verify_views);
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
