"""Pages for certificates issued elsewhere: record with a scan, confirm or reject, withdraw."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from lms.certification import external
from lms.certification.models import (
    STATUS_LABELS,
    ExternalCertificate,
    ExternalKind,
    ExternalStatus,
)
from lms.core import audit, params
from lms.core.access import get_visible, roles_required
from lms.core.errors import DomainError
from lms.core.forms import BoundedDateField, options
from lms.core.pagination import paginate
from lms.core.roles import ADMIN_ROLES, Role
from lms.org import queries as org_queries
from lms.org.models import Institution, Staff

bp = Blueprint("external", __name__, url_prefix="/external-certificates")

DECIDERS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


@bp.app_template_filter("certificate_status")
def _status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


class RecordForm(FlaskForm):
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(max=40)])
    issuer = StringField(_l("Issued by"), validators=[DataRequired(), Length(max=100)])
    level = SelectField(_l("Level"), coerce=int, validators=[Optional()])
    issued_on = BoundedDateField(_l("Date of issue"), validators=[DataRequired()])
    expires_on = BoundedDateField(_l("Valid until (if printed)"), validators=[Optional()])
    scan = FileField(
        _l("Scan or photo of the certificate (JPEG, PNG or PDF, up to 10 MB)"),
        validators=[FileRequired(_l("Choose the scan of the certificate"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = options([(k.value, k.label) for k in ExternalKind])
        self.level.choices = options(
            [(0, _l("Not stated"))]
            + [
                (n, label)
                for n, label in ((5, "五级/初级工"), (4, "四级/中级工"), (3, "三级/高级工"))
            ]
        )


class DecisionForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


def _visible(certificate_id: int) -> ExternalCertificate:
    return get_visible(
        ExternalCertificate,
        certificate_id,
        lambda found: external.can_record(current_user.scope, found.staff),
    )


@bp.route("")
@roles_required(*ADMIN_ROLES)
def index() -> Any:
    scope = current_user.scope
    wanted = request.args.get("status", ExternalStatus.PENDING.value)
    statement = (
        select(ExternalCertificate)
        .join(Staff, Staff.id == ExternalCertificate.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .order_by(ExternalCertificate.created_at.desc(), ExternalCertificate.id.desc())
    )
    if wanted in {s.value for s in ExternalStatus}:
        statement = statement.where(ExternalCertificate.status == wanted)
    statement = org_queries.in_scope(statement, scope)
    page = paginate(statement, params.page_arg(), 50)
    return render_template(
        "certificates/external_index.html",
        page=page,
        wanted=wanted,
        statuses=list(ExternalStatus),
        form=DecisionForm(),
        can_decide=scope.role in DECIDERS,
    )


@bp.route("/new/<int:staff_id>", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def record(staff_id: int) -> Any:
    staff = org_queries.visible_staff(current_user.scope, staff_id)
    form = RecordForm()
    if form.validate_on_submit():
        data = external.ExternalData(
            kind=ExternalKind(form.kind.data),
            number=form.number.data or "",
            issuer=form.issuer.data or "",
            level=form.level.data or None,
            issued_on=form.issued_on.data,
            expires_on=form.expires_on.data,
        )
        try:
            external.record(staff, data, form.scan.data.read(), current_user)
        except DomainError as error:
            form.scan.errors = [*form.scan.errors, error.message]
        else:
            flash(
                _l("Recorded; it counts once a district or city administrator confirms it."),
                "success",
            )
            return redirect(url_for("org.staff_detail", staff_id=staff.id))
    status = 400 if form.is_submitted() else 200
    return render_template("certificates/external_form.html", staff=staff, form=form), status


def _decide(certificate_id: int, confirm: bool) -> Any:
    certificate = _visible(certificate_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            external.decide(certificate, confirm, current_user, form.note.data or "")
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_l("Confirmed.") if confirm else _l("Rejected."), "success")
    if request.form.get("back") == "staff":
        return redirect(url_for("org.staff_detail", staff_id=certificate.staff_id))
    return redirect(url_for("external.index"))


@bp.route("/<int:certificate_id>/confirm", methods=["POST"])
@roles_required(*DECIDERS)
def confirm(certificate_id: int) -> Any:
    return _decide(certificate_id, True)


@bp.route("/<int:certificate_id>/reject", methods=["POST"])
@roles_required(*DECIDERS)
def reject(certificate_id: int) -> Any:
    return _decide(certificate_id, False)


@bp.route("/<int:certificate_id>/withdraw", methods=["POST"])
@roles_required(*DECIDERS)
def withdraw(certificate_id: int) -> Any:
    certificate = _visible(certificate_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            external.withdraw(certificate, current_user, form.note.data or "")
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_l("Withdrawn: it no longer counts."), "success")
    return redirect(url_for("org.staff_detail", staff_id=certificate.staff_id))


@bp.route("/<int:certificate_id>/scan")
@roles_required(*ADMIN_ROLES)
def scan(certificate_id: int) -> Response:
    """The evidence shows the full ID number: every view is recorded."""
    certificate = _visible(certificate_id)
    audit.record("external_certificate.scan_viewed", certificate)
    response = Response(external.scan_of(certificate), mimetype=certificate.scan_type)
    # Pictures open in the browser; a PDF (whose content we do not re-encode) is downloaded.
    if certificate.scan_type == "application/pdf":
        disposition = f"attachment; filename=scan-{certificate.id}.pdf"
    else:
        disposition = f"inline; filename=scan-{certificate.id}.jpg"
    response.headers["Content-Disposition"] = disposition
    return response
