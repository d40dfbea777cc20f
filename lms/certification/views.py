"""Certificate pages: public verification (QR target and look-up form), trainees' own
certificates, and the city administrator's issuing and revoking."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.accounts.forms import ActionForm
from lms.certification import photos, services, signing
from lms.certification.models import Certificate
from lms.core.access import ensure, public, roles_required
from lms.core.errors import DomainError
from lms.core.levels import level_label
from lms.core.roles import Role
from lms.db import db
from lms.extensions import limiter

bp = Blueprint("certificates", __name__)
VERIFY_LIMIT = "30 per minute"


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only look-up by GET

    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(22, 22)])
    name = StringField(_l("Holder's name"), validators=[DataRequired(), Length(max=50)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


def _certificate(number: str) -> Certificate:
    found = services.by_number(number)
    if found is None:
        abort(404)
    return found


# Public ---------------------------------------------------------------------------------------


@bp.route("/verify/<number>")
@public
@limiter.limit(VERIFY_LIMIT)
def verify(number: str) -> Any:
    certificate = services.by_number(number)
    status = 200 if certificate is not None else 404
    # A scanned QR brings the signed claims: say whether they hold and match the record.
    token = request.args.get("s")
    signature_ok = None
    if token and certificate is not None:
        claims = signing.verify(token, signing.signing_key().public_key())
        signature_ok = claims == signing.claims(certificate)
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        number=number,
        level_label=level_label,
        signature_ok=signature_ok,
    ), status


@bp.route("/verify/public-key.pem")
@public
def public_key() -> Response:
    """The Ed25519 key that signs the claims in certificates' QR codes, for offline checkers."""
    return Response(signing.public_key_pem(), mimetype="application/x-pem-file")


@bp.route("/api/v1/certificates/<number>")
@public
@limiter.limit(VERIFY_LIMIT)
def api_certificate(number: str) -> Any:
    """The verification page's fields as JSON, for the city's platform and offline checkers."""
    certificate = services.by_number(number)
    if certificate is None:
        return jsonify(error={"code": "not_found", "message": "no such certificate"}), 404
    return jsonify(services.public_record(certificate))


@bp.route("/verify")
@public
@limiter.limit(VERIFY_LIMIT)
def lookup() -> Any:
    form = LookupForm(request.args)
    certificate, searched = None, bool(request.args)
    if searched and form.validate():
        found = services.by_number((form.number.data or "").strip().upper())
        if found is not None and found.holder_name == (form.name.data or "").strip():
            certificate = found
    return render_template(
        "certificates/lookup.html",
        form=form,
        certificate=certificate,
        searched=searched,
        level_label=level_label,
    )


# Trainees -------------------------------------------------------------------------------------


@bp.route("/certificates/my")
@roles_required(Role.TRAINEE)
def my_certificates() -> Any:
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.staff_id == current_user.staff_id)
        .order_by(Certificate.issued_on.desc())
    ).all()
    return render_template(
        "certificates/my.html", certificates=certificates, level_label=level_label
    )


class PhotoForm(FlaskForm):
    photo = FileField(
        _l("Photo (JPEG or PNG, white background, up to 5 MB)"),
        validators=[FileRequired(_l("Choose a file"))],
    )


@bp.route("/certificates/photo", methods=["GET", "POST"])
@roles_required(Role.TRAINEE)
def photo() -> Any:
    """The trainee's own 1-inch photo for their certificates."""
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            photos.store(current_user.staff_id, form.photo.data.read())
        except DomainError as error:
            form.photo.errors = [error.message]
        else:
            flash(_l("Photo saved; it is printed on certificates issued from now on."), "success")
            return redirect(url_for("certificates.my_certificates"))
    return render_template(
        "certificates/photo.html",
        form=form,
        has_photo=photos.jpeg_of(current_user.staff_id) is not None,
    )


@bp.route("/certificates/<number>.pdf")
@roles_required(Role.TRAINEE, Role.CITY_ADMIN)
def download(number: str) -> Response:
    certificate = _certificate(number)
    if current_user.role == Role.TRAINEE:
        ensure(certificate.staff_id == current_user.staff_id)
    data = services.stored_pdf(certificate)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{certificate.number}.pdf"'},
    )


# City administrators --------------------------------------------------------------------------


@bp.route("/certificates")
@roles_required(Role.CITY_ADMIN)
def index() -> Any:
    certificates = db.session.scalars(
        select(Certificate).order_by(Certificate.number.desc()).limit(500)
    ).all()
    return render_template(
        "certificates/index.html",
        certificates=certificates,
        eligible=services.eligible(),
        action_form=ActionForm(),
        revoke_form=RevokeForm(),
        level_label=level_label,
    )


@bp.route("/certificates/issue", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def issue_eligible() -> Any:
    if ActionForm().validate_on_submit():
        issued = [services.issue(candidate) for candidate in services.eligible()]
        flash(_l("%(n)d certificates issued.", n=len(issued)), "success")
    return redirect(url_for("certificates.index"))


@bp.route("/certificates/<number>/revoke", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def revoke(number: str) -> Any:
    certificate = _certificate(number)
    form = RevokeForm()
    if form.validate_on_submit():
        services.revoke(certificate, form.reason.data or "")
        flash(_l("Certificate %(n)s revoked.", n=certificate.number), "success")
    else:
        flash(_l("Give the reason for revoking the certificate"), "error")
    return redirect(url_for("certificates.index"))


@bp.route("/certificates/<number>/reissue", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def reissue(number: str) -> Any:
    certificate = _certificate(number)
    if ActionForm().validate_on_submit():
        services.reissue(certificate)
        flash(_l("Certificate %(n)s reissued.", n=certificate.number), "success")
    return redirect(url_for("certificates.index"))
