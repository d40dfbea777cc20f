"""The certificates blueprint, shared by its view modules (verify_views, photo_views, views),
and the look-ups they share. lms.certification.views imports every view module, so importing it
registers all routes on ``bp`` before web.py registers the blueprint."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort
from flask_login import current_user

from lms.certification import services
from lms.certification.models import STATUS_LABELS, Certificate
from lms.core.access import ensure
from lms.core.roles import Role

bp = Blueprint("certificates", __name__)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS}


def certificate_or_404(number: str) -> Certificate:
    found = services.by_number(number)
    if found is None:
        abort(404)
    return found


def own_certificate(number: str) -> Certificate:
    """The certificate, when it is the trainee's own (administrators reach every one)."""
    certificate = certificate_or_404(number)
    if current_user.role == Role.TRAINEE:
        ensure(certificate.staff_id == current_user.staff_id)
    return certificate
