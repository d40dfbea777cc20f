"""Roster import: upload, preview, apply or discard, and the template files."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.forms import ActionForm
from lms.core import confirm
from lms.core.access import get_visible, roles_required
from lms.core.errors import DomainError
from lms.core.roles import ADMIN_ROLES
from lms.db import db
from lms.extensions import limiter
from lms.jobs import services as job_services
from lms.org import queries, roster, roster_files, roster_uploads
from lms.org.blueprint import bp
from lms.org.forms import (
    RosterUploadForm,
)
from lms.org.models import RosterUpload

# Roster import ----------------------------------------------------------------------------


def _per_user() -> str:
    return f"user:{getattr(current_user, 'id', None)}"


@bp.route("/roster/import", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
@limiter.limit(
    lambda: current_app.config["ROSTER_UPLOAD_RATE_LIMIT"], methods=["POST"], key_func=_per_user
)
def roster_upload() -> Any:
    form = RosterUploadForm()
    if form.validate_on_submit():
        upload_file = form.file.data
        try:
            upload = roster_uploads.store_upload(
                current_user, upload_file.filename or "roster", upload_file.stream
            )
        except DomainError as error:
            form.file.errors = [*form.file.errors, error.message]
        else:
            return redirect(url_for("org.roster_preview", upload_id=upload.id))
    recent = db.session.scalars(
        select(RosterUpload)
        .where(RosterUpload.uploaded_by_id == current_user.id)
        .order_by(RosterUpload.id.desc())
        .limit(10)
    ).all()
    return render_template("org/roster_upload.html", form=form, recent=recent)


def _watching_a_job() -> bool:
    """The preview page of an import running in the background refreshes itself every few
    seconds: those refreshes are not counted against the preview limit."""
    upload = db.session.get(RosterUpload, (request.view_args or {}).get("upload_id", 0))
    return (
        upload is not None
        and upload.uploaded_by_id == getattr(current_user, "id", None)
        and roster_uploads.job_running(upload)
    )


def _own_upload(upload_id: int) -> RosterUpload:
    return get_visible(
        RosterUpload, upload_id, lambda upload: upload.uploaded_by_id == current_user.id
    )


PREVIEW_ROWS = 200


@bp.route("/roster/import/<int:upload_id>", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
@limiter.limit(
    lambda: current_app.config["ROSTER_PREVIEW_RATE_LIMIT"],
    methods=["GET"],
    key_func=_per_user,
    exempt_when=lambda: _watching_a_job(),
)
def roster_preview(upload_id: int) -> Any:
    """What the check of the upload found (it is not read again), the import button, and the
    progress of a large import's background job."""
    upload = _own_upload(upload_id)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit() and upload.status == "pending":
        try:
            result = roster_uploads.apply_upload(upload, current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            if isinstance(result, roster.ImportResult):
                flash(
                    _l(
                        "Roster imported: %(c)d added, %(u)d updated, %(n)d unchanged.",
                        c=result.created,
                        u=result.updated,
                        n=result.unchanged,
                    ),
                    "success",
                )
            return redirect(url_for("org.roster_preview", upload_id=upload.id))
    job = roster_uploads.job_of(upload)
    institutions = {inst.id: inst.name for inst in queries.institution_choices(current_user.scope)}
    return render_template(
        "org/roster_preview.html",
        upload=upload,
        form=form,
        can_apply=roster_uploads.can_apply(upload),
        changes=roster_uploads.changes(upload, PREVIEW_ROWS) if upload.status == "pending" else [],
        job=job,
        job_running=roster_uploads.job_running(upload),
        progress=job_services.progress(job) if job is not None else None,
        institutions=institutions,
        preview_rows=PREVIEW_ROWS,
        field_headers=roster_files.FIELD_HEADERS,
    )


@bp.route("/roster/import/<int:upload_id>/discard", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def roster_discard(upload_id: int) -> Any:
    upload = _own_upload(upload_id)
    return confirm.step(
        title=_l("Discard the upload"),
        what=_l(
            "The %(n)d checked rows of %(file)s are deleted and nothing of them is imported; "
            "to import the roster later, upload the file again.",
            n=upload.row_count,
            file=upload.filename,
        ),
        count=upload.row_count,
        button=_l("Discard"),
        cancel=url_for("org.roster_preview", upload_id=upload.id),
        then=url_for("org.roster_upload"),
        form=ActionForm(),
        # Only a pending upload is discarded; for any other, nothing happens (as before).
        ask=upload.status == "pending" and not roster_uploads.job_running(upload),
        act=lambda: roster_uploads.discard_upload(upload),
        done=_l("The upload has been discarded."),
        category="info",
        flash_errors=False,
    )


@bp.route("/roster/template.<fmt>")
@roles_required(*ADMIN_ROLES)
def roster_template(fmt: str) -> Response:
    if fmt == "csv":
        body, mimetype = roster.template_csv(), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = roster.template_xlsx()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=roster-template.{fmt}"
    return response
