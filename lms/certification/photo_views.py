"""Holder photos for certificates: the trainee's own, a manager's upload for their staff and
the administrators' ZIP import."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge

from lms.certification import photos, services
from lms.certification.blueprint import bp
from lms.core.access import current_scope, get_visible, roles_required
from lms.core.errors import DomainError, error_response
from lms.core.roles import ADMIN_ROLES, Role
from lms.org.models import Staff


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
    return _import_page(form, report)


def _import_page(form: PhotoZipForm, report: photos.ImportReport | None) -> Any:
    return render_template(
        "certificates/photo_import.html",
        form=form,
        report=report,
        limit_mb=photos.max_zip_total() >> 20,
        max_files=photos.MAX_ZIP_FILES,
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> Any:
    """An upload past its limit (read before any view runs): on the photo import, its page
    says the limit in Chinese; elsewhere the usual answer."""
    importer = getattr(current_user, "role", None) in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
    if request.endpoint != photos.IMPORT_ENDPOINT or not importer:
        return error_response(413)
    form = PhotoZipForm(formdata=None)
    form.archive.errors = [
        _l(
            "The ZIP file is larger than %(mb)d MB; split it into several files",
            mb=photos.max_zip_total() >> 20,
        )
    ]
    return _import_page(form, None), 413
