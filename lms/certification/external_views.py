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
from lms.core.confirm import step
from lms.core.errors import DomainError
from lms.core.forms import BoundedDateField, options
from lms.core.pagination import paginate, sorted_by
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


#: The list's sort orders (lms.core.pagination.sorted_by); newest recorded first by default.
ORDERS: dict[str, tuple[Any, ...]] = {
    "recorded": (ExternalCertificate.created_at, ExternalCertificate.id),
    "name": (Staff.name, ExternalCertificate.id),
    "institution": (Institution.name, Staff.name, ExternalCertificate.id),
    "kind": (ExternalCertificate.kind, ExternalCertificate.id),
    "issued": (ExternalCertificate.issued_on, ExternalCertificate.id),
}


@bp.route("")
@roles_required(*ADMIN_ROLES)
def index() -> Any:
    scope = current_user.scope
    wanted = request.args.get("status", ExternalStatus.PENDING.value)
    text = (request.args.get("q") or "").strip()[:50]
    kind = request.args.get("kind", "")
    district_id = params.id_arg("district")
    statement = (
        select(ExternalCertificate)
        .join(Staff, Staff.id == ExternalCertificate.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
    )
    if wanted in {s.value for s in ExternalStatus}:
        statement = statement.where(ExternalCertificate.status == wanted)
    if text:
        statement = statement.where(
            Staff.name.contains(text, autoescape=True)
            | ExternalCertificate.number.contains(text, autoescape=True)
            | ExternalCertificate.issuer.contains(text, autoescape=True)
            | Institution.name.contains(text, autoescape=True)
        )
    if kind in {k.value for k in ExternalKind}:
        statement = statement.where(ExternalCertificate.kind == kind)
    if district_id is not None:
        statement = statement.where(Institution.district_id == district_id)
    statement, sort = sorted_by(org_queries.in_scope(statement, scope), ORDERS, "-recorded")
    page = paginate(statement, params.page_arg(), 50)
    districts = org_queries.visible_districts(scope)
    return render_template(
        "certificates/external_index.html",
        page=page,
        wanted=wanted,
        text=text,
        kind=kind,
        district_id=district_id,
        sort=sort,
        statuses=list(ExternalStatus),
        kinds=list(ExternalKind),
        districts=districts if len(districts) > 1 else [],
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


def _back(certificate: ExternalCertificate) -> str:
    """Where a decision returns: the staff page it was taken on, or the list."""
    if request.form.get("back") == "staff":
        return url_for("org.staff_detail", staff_id=certificate.staff_id)
    return url_for("external.index")


def _decide(certificate_id: int, confirm: bool) -> Any:
    certificate = _visible(certificate_id)
    form = DecisionForm()
    return step(
        title=_l("Reject a certificate from elsewhere"),
        what=_l(
            "The certificate %(number)s of %(name)s is rejected: it never counts toward "
            "the licensed-to-work rate, and the same number cannot be recorded again.",
            number=certificate.number,
            name=certificate.staff.name,
        ),
        count=1,
        button=_l("Reject"),
        cancel=_back(certificate),
        form=form,
        # Asked only when the rejection would go through (the service says why it would not).
        ask=not confirm and certificate.status == ExternalStatus.PENDING,
        act=lambda: external.decide(certificate, confirm, current_user, form.note.data or ""),
        done=_l("Confirmed.") if confirm else _l("Rejected."),
    )


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
    return step(
        title=_l("Withdraw a confirmed certificate"),
        what=_l(
            "The certificate %(number)s of %(name)s stops counting toward the "
            "licensed-to-work rate; the withdrawal cannot be taken back.",
            number=certificate.number,
            name=certificate.staff.name,
        ),
        count=1,
        button=_l("Withdraw"),
        cancel=url_for("org.staff_detail", staff_id=certificate.staff_id),
        form=form,
        ask=(
            certificate.status == ExternalStatus.CONFIRMED
            and certificate.revoked_at is None
            and bool((form.note.data or "").strip())
        ),
        act=lambda: external.withdraw(certificate, current_user, form.note.data or ""),
        done=_l("Withdrawn: it no longer counts."),
    )


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
