"""Certificate pages: public verification (QR target and look-up form), trainees' own
certificates, and the city administrator's issuing and revoking."""

from __future__ import annotations

import json
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
    send_file,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.accounts.forms import ActionForm
from lms.api import openapi
from lms.certification import badges, bulk, photos, queries, services, signing, verification
from lms.certification.models import STATUS_LABELS, Certificate
from lms.core import exports, localtime, params
from lms.core.access import current_scope, ensure, get_visible, public, roles_required
from lms.core.errors import DomainError
from lms.core.levels import level_label
from lms.core.pagination import paginate
from lms.core.roles import ADMIN_ROLES, Role
from lms.db import db
from lms.extensions import limiter
from lms.jobs.services import open_job
from lms.org.models import Staff

bp = Blueprint("certificates", __name__)
VERIFY_LIMIT = "30 per minute"


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS}


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only look-up by GET

    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(22, 22)])
    name = StringField(_l("Holder's name"), validators=[Optional(), Length(max=50)])


class HolderForm(FlaskForm):
    """The verification page's question for the holder's name (GET: nothing is changed)."""

    class Meta:
        csrf = False

    name = StringField(_l("Holder's name"), validators=[Length(max=50)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


def _certificate(number: str) -> Certificate:
    found = services.by_number(number)
    if found is None:
        abort(404)
    return found


def _own_certificate(number: str) -> Certificate:
    """The certificate, when it is the trainee's own (administrators reach every one)."""
    certificate = _certificate(number)
    if current_user.role == Role.TRAINEE:
        ensure(certificate.staff_id == current_user.staff_id)
    return certificate


class ArchiveForm(FlaskForm):
    """The choice of a district or a cohort (GET; the view reads the two numbers itself)."""

    class Meta:
        csrf = False

    district = SelectField(_l("District"))
    cohort = SelectField(_l("Cohort"))


# Public ---------------------------------------------------------------------------------------


@bp.route("/verify/<number>")
@public
@limiter.limit(VERIFY_LIMIT)
def verify(number: str) -> Any:
    """The QR code's target: what the certificate is; who holds it only with the QR code's
    signed claims (``s``) or the holder's name typed in (``name``)."""
    certificate = services.by_number(number)
    if certificate is None:
        return render_template("certificates/verify.html", seen=None, number=number), 404
    seen = verification.verify(
        certificate, name=request.args.get("name"), signed=request.args.get("s")
    )
    form = HolderForm(request.args)
    if seen.name_mismatch:
        form.name.data = ""  # the answer to a wrong name is the bare number's, word for word
    return render_template(
        "certificates/verify.html",
        seen=seen,
        record=seen.record(),
        number=number,
        form=form,
    )


@bp.route("/verify/jwks.json")
@public
def jwks() -> Any:
    """The same key as a JSON Web Key Set, for checking Open Badges credentials (VC-JWT)."""
    return jsonify(keys=[badges.public_jwk()])


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
    problem = openapi.parameter_problem(
        openapi.operation_at("/certificates/{number}"), request.args
    )
    if problem is not None:
        return jsonify(error={"code": "invalid_parameter", "message": str(problem)}), 400
    certificate = services.by_number(number)
    if certificate is None:
        return jsonify(error={"code": "not_found", "message": "no such certificate"}), 404
    seen = verification.verify(
        certificate, name=request.args.get("name"), signed=request.args.get("s")
    )
    return jsonify(seen.json())


@bp.route("/verify")
@public
@limiter.limit(VERIFY_LIMIT)
def lookup() -> Any:
    """The look-up form: a number alone confirms what the certificate is, the number with the
    holder's name shows who holds it (as the national look-up does)."""
    form = LookupForm(request.args)
    seen, searched = None, bool(request.args)
    if searched and form.validate():
        found = services.by_number((form.number.data or "").strip().upper())
        if found is not None:
            seen = verification.verify(found, name=form.name.data)
            if seen.name_mismatch:
                form.name.data = ""
    return render_template(
        "certificates/lookup.html",
        form=form,
        seen=seen,
        record=seen.record() if seen else None,
        searched=searched,
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
        has_photo=services.has_photo(current_user.staff_id),
        staff=None,
    )


@bp.route("/staff/<int:staff_id>/photo", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def staff_photo(staff_id: int) -> Any:
    """A manager's (or district or city administrator's) upload of the photo of a person in
    their scope; others' staff are not found (404)."""
    staff = get_visible(Staff, staff_id, current_scope().allows_staff)
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            photos.store(staff.id, form.photo.data.read())
        except DomainError as error:
            form.photo.errors = [error.message]
        else:
            flash(_l("Photo saved; it is printed on certificates issued from now on."), "success")
            return redirect(url_for("org.staff_detail", staff_id=staff.id))
    return render_template(
        "certificates/photo.html", form=form, has_photo=services.has_photo(staff.id), staff=staff
    )


class PhotoZipForm(FlaskForm):
    archive = FileField(
        _l("ZIP of photos named by ID number or admission number"),
        validators=[FileRequired(_l("Choose a file"))],
    )


@bp.route("/certificates/photos/import", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def import_photos() -> Any:
    """A ZIP of photos for the people of the administrator's district (or the city)."""
    form = PhotoZipForm()
    report = None
    if form.validate_on_submit():
        try:
            report = photos.import_zip(form.archive.data.stream, current_scope().allows_staff)
        except DomainError as error:
            form.archive.errors = [error.message]
        finally:
            form.archive.data.close()  # a large upload is spooled to a temporary file
    return render_template("certificates/photo_import.html", form=form, report=report)


@bp.route("/certificates/<number>.pdf")
@roles_required(Role.TRAINEE, Role.CITY_ADMIN)
def download(number: str) -> Response:
    certificate = _own_certificate(number)
    data = services.stored_pdf(certificate)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{certificate.number}.pdf"'},
    )


# City administrators --------------------------------------------------------------------------


REGISTER_PAGE_SIZE = 50


def _register_filter() -> queries.RegisterFilter:
    """The register's query arguments, each bounded (an out-of-range value answers 400)."""
    status = request.args.get("status", "")
    return queries.RegisterFilter(
        text=request.args.get("q", "")[:50],
        district_id=params.id_arg("district"),
        cohort_id=params.id_arg("cohort"),
        level=params.int_arg("level", 0, 0, 5) or None,
        status=status if status in queries.REGISTER_STATUSES else None,
        issued_from=params.date_arg("from"),
        issued_to=params.date_arg("to"),
    )


@bp.route("/certificates")
@roles_required(Role.CITY_ADMIN)
def index() -> Any:
    """The register: search and filters, a page at a time."""
    wanted = _register_filter()
    today = localtime.today()
    page = paginate(queries.register(wanted, today), params.page_arg(), REGISTER_PAGE_SIZE)
    archive_form = ArchiveForm()
    archive_form.district.choices = [("", _l("District"))] + [
        (str(d.id), d.name) for d in queries.districts()
    ]
    archive_form.cohort.choices = [("", _l("Cohort"))] + [
        (str(c.id), c.title) for c in queries.cohorts()
    ]
    return render_template(
        "certificates/index.html",
        page=page,
        certificates=page.items,
        wanted=wanted,
        today=today,
        statuses=queries.REGISTER_STATUSES,
        districts=queries.districts(),
        cohorts=queries.cohorts(),
        eligible=services.eligible(),
        waiting=services.waiting_for_photo(),
        job=open_job(bulk.KIND),
        archive_form=archive_form,
        action_form=ActionForm(),
        revoke_form=RevokeForm(),
        level_label=level_label,
    )


@bp.route("/certificates/issue", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def issue_eligible() -> Any:
    """Start the bulk issue as a background job and show its progress."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("certificates.index"))
    job = bulk.submit(current_user)
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/certificates/archive.zip")
@roles_required(Role.CITY_ADMIN)
def archive() -> Any:
    """The valid certificates of a district and/or a cohort, as a ZIP of PDFs. Nothing chosen,
    or a choice without valid certificates, is said on the register page, not as an empty file."""
    district_id, cohort_id = params.id_arg("district"), params.id_arg("cohort")
    if district_id is None and cohort_id is None:
        flash(_l("Choose a district or a cohort to download its certificates."), "error")
        return redirect(url_for("certificates.index"))
    certificates = queries.for_archive(district_id=district_id, cohort_id=cohort_id)
    if not certificates:
        flash(_l("There are no valid certificates for this choice: no file was made."), "error")
        return redirect(url_for("certificates.index"))
    parts = [f"district-{district_id}"] if district_id else []
    parts += [f"cohort-{cohort_id}"] if cohort_id else []
    name = "certificates-" + "-".join(parts)
    return send_file(
        services.archive(certificates),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{name}.zip",
    )


@bp.route("/certificates/<number>/badge.json")
@roles_required(Role.TRAINEE, Role.CITY_ADMIN)
def badge(number: str) -> Response:
    """The Open Badges 3.0 credential, as JSON."""
    certificate = _own_certificate(number)
    return Response(
        json.dumps(badges.credential(certificate), ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{number}-badge.json"'},
    )


@bp.route("/certificates/<number>/badge.jwt")
@roles_required(Role.TRAINEE, Role.CITY_ADMIN)
def badge_jwt(number: str) -> Response:
    """The Open Badges 3.0 credential signed as a VC-JWT."""
    certificate = _own_certificate(number)
    return Response(
        badges.signed_jwt(certificate),
        mimetype="application/vc+jwt",
        headers={"Content-Disposition": f'attachment; filename="{number}-badge.jwt"'},
    )


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


# The provincial platform's batch ----------------------------------------------------------------


def _report_range() -> tuple[Any, Any]:
    """The report's dates: this month so far unless asked (bounded, see lms.core.params)."""
    today = localtime.today()
    start = params.date_arg("from", today.replace(day=1))
    end = params.date_arg("to", today)
    assert start is not None and end is not None
    return start, end


@bp.route("/certificates/report")
@roles_required(Role.CITY_ADMIN)
def report_page() -> Any:
    """What a date range's batch holds, with its downloads and the holders without a photo."""
    from lms.certification import report

    start, end = _report_range()
    batch, problem = None, None
    try:
        batch = report.batch(start, end)
    except DomainError as error:
        problem = error.message
    return render_template(
        "certificates/report.html",
        start=start,
        end=end,
        batch=batch,
        problem=problem,
        labels=report.EVENT_LABELS,
        level_label=level_label,
    )


@bp.route("/certificates/report/<kind>")
@roles_required(Role.CITY_ADMIN)
def report_download(kind: str) -> Any:
    """The batch's table (CSV or XLSX, full ID numbers, audited) or its photos (ZIP)."""
    from lms.certification import report

    if kind not in ("csv", "xlsx", "zip"):
        abort(404)
    start, end = _report_range()
    try:
        batch = report.batch(start, end)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("certificates.report_page"))
    if not batch.entries:
        flash(
            _l("Nothing was issued, reissued or revoked in these dates: no file was made."), "error"
        )
        return redirect(url_for("certificates.report_page", **{"from": start, "to": end}))
    name = report.base_name(batch)
    if kind == "zip":
        return Response(
            report.photos_zip(batch),
            mimetype="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}-photos.zip"'},
        )
    return Response(
        report.table(batch, kind),
        mimetype=exports.FORMATS[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )
