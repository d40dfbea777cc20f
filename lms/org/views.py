"""Institutions, staff records and roster import pages."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, func, select

from lms.accounts.forms import ActionForm
from lms.accounts.models import User
from lms.core import localtime
from lms.core.access import get_visible, roles_required
from lms.core.errors import DomainError, NotAllowed
from lms.core.exports import table_response
from lms.core.forms import drop_invalid_filters, options
from lms.core.pagination import paginate
from lms.core.roles import ADMIN_ROLES, Role
from lms.core.validators import mask_mobile
from lms.db import db
from lms.extensions import limiter
from lms.jobs import services as job_services
from lms.org import queries, roster, roster_uploads, services
from lms.org.forms import (
    InstitutionContactForm,
    InstitutionForm,
    InstitutionSearchForm,
    RevealIdForm,
    RosterUploadForm,
    StaffForm,
    StaffSearchForm,
)
from lms.org.models import District, Gender, Institution, InstitutionType, Post, RosterUpload, Staff

bp = Blueprint("org", __name__)
ORG_ADMINS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


def _visible_institution(institution_id: int) -> Institution:
    return queries.visible_institution(current_user.scope, institution_id)


def _visible_staff(staff_id: int) -> Staff:
    return queries.visible_staff(current_user.scope, staff_id)


def _apply_field_errors(form: Any, error: services.FieldErrors) -> None:
    for field_name, message in error.errors.items():
        field = getattr(form, field_name, None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")


# Districts --------------------------------------------------------------------------------


@bp.route("/districts")
@roles_required(*ORG_ADMINS)
def districts() -> Any:
    caregivers = func.sum(case((Staff.caregiver_in_post_on(localtime.today()), 1), else_=0))
    rows = db.session.execute(
        select(District, func.count(func.distinct(Institution.id)), caregivers)
        .outerjoin(Institution, Institution.district_id == District.id)
        .outerjoin(Staff, Staff.institution_id == Institution.id)
        .group_by(District.id)
        .order_by(District.position)
    ).all()
    rows = [row for row in rows if current_user.scope.allows_district(row[0].id)]
    return render_template("org/districts.html", rows=rows)


# Institutions -----------------------------------------------------------------------------


@bp.route("/institutions")
@roles_required(*ADMIN_ROLES)
def institutions() -> Any:
    scope = current_user.scope
    form = InstitutionSearchForm(request.args)
    form.district_id.choices = options(
        [(0, _l("All districts"))] + [(d.id, d.name) for d in queries.visible_districts(scope)]
    )
    drop_invalid_filters(form)
    inclusive = {"1": True, "0": False}.get(form.inclusive.data or "")
    statement = queries.institutions(
        scope,
        text=form.q.data or "",
        district_id=form.district_id.data or None,
        type=InstitutionType(form.type.data) if form.type.data else None,
        inclusive=inclusive,
    )
    page = paginate(statement, _page_number(), current_app.config["PAGE_SIZE"])
    return render_template(
        "org/institutions.html", form=form, page=page, can_create=scope.role in ORG_ADMINS
    )


def _institution_form(institution: Institution | None = None) -> InstitutionForm:
    form = InstitutionForm(obj=institution)
    form.district_id.choices = options(
        [(d.id, d.name) for d in queries.visible_districts(current_user.scope)]
    )
    return form


def _institution_data(
    form: InstitutionForm | InstitutionContactForm, institution: Institution | None = None
) -> services.InstitutionData:
    """The submitted values; fields a contact-only form lacks keep the institution's values."""

    def value(name: str) -> Any:
        field = getattr(form, name, None)
        return field.data if field is not None else getattr(institution, name)

    return services.InstitutionData(
        name=value("name") or "",
        district_id=value("district_id") or 0,
        type=InstitutionType(value("type")),
        is_inclusive=bool(value("is_inclusive")),
        registered_places=form.registered_places.data or 0,
        address=form.address.data or "",
        contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "",
        is_active=bool(value("is_active")),
    )


@bp.route("/institutions/new", methods=["GET", "POST"])
@roles_required(*ORG_ADMINS)
def new_institution() -> Any:
    form = _institution_form()
    if form.validate_on_submit():
        try:
            institution = services.create_institution(_institution_data(form), current_user.scope)
        except services.FieldErrors as error:
            _apply_field_errors(form, error)
        else:
            flash(_l("The institution has been registered."), "success")
            return redirect(url_for("org.institution_detail", institution_id=institution.id))
    return render_template("org/institution_form.html", form=form, institution=None)


@bp.route("/institutions/<int:institution_id>")
@roles_required(*ADMIN_ROLES)
def institution_detail(institution_id: int) -> Any:
    institution = _visible_institution(institution_id)
    today = localtime.today()
    counts = dict(
        db.session.execute(
            select(Staff.post, func.count())
            .where(Staff.institution_id == institution.id, Staff.in_post_on(today))
            .group_by(Staff.post)
        ).all()
    )
    return render_template("org/institution_detail.html", institution=institution, counts=counts)


@bp.route("/institutions/<int:institution_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def edit_institution(institution_id: int) -> Any:
    institution = _visible_institution(institution_id)
    form: InstitutionForm | InstitutionContactForm
    if current_user.role == Role.INSTITUTION_MANAGER:
        form = InstitutionContactForm(obj=institution)
    else:
        form = _institution_form(institution)
    if form.validate_on_submit():
        try:
            services.update_institution(
                institution, _institution_data(form, institution), current_user.scope
            )
        except services.FieldErrors as error:
            _apply_field_errors(form, error)
        else:
            flash(_l("The institution has been updated."), "success")
            return redirect(url_for("org.institution_detail", institution_id=institution.id))
    return render_template("org/institution_form.html", form=form, institution=institution)


# Staff ------------------------------------------------------------------------------------


def _staff_search() -> tuple[StaffSearchForm, Any]:
    scope = current_user.scope
    form = StaffSearchForm(request.args)
    form.institution_id.choices = options(
        [(0, _l("All institutions"))]
        + [(inst.id, inst.name) for inst in queries.institution_choices(scope)]
    )
    drop_invalid_filters(form)
    statement = queries.staff(
        scope,
        text=form.q.data or "",
        institution_id=form.institution_id.data or None,
        post=Post(form.post.data) if form.post.data else None,
        in_post_on=localtime.today() if form.in_post.data else None,
    )
    return form, statement


@bp.route("/staff")
@roles_required(*ADMIN_ROLES)
def staff_list() -> Any:
    form, statement = _staff_search()
    page = paginate(statement, _page_number(), current_app.config["PAGE_SIZE"])
    return render_template("org/staff_list.html", form=form, page=page, today=localtime.today())


@bp.route("/staff/export.<fmt>")
@roles_required(*ADMIN_ROLES)
def staff_export(fmt: str) -> Response:
    """Masked by default; a city admin may ask for full numbers (``full=1``), which is audited."""
    _form, statement = _staff_search()
    people = list(db.session.scalars(statement))
    full = request.args.get("full") == "1"
    try:
        id_number = services.export_id_numbers(
            people,
            current_user.scope,
            full=full,
            export="staff",
            query=request.query_string.decode(),
        )
    except NotAllowed:
        abort(403)
    header = [
        _("Name"),
        _("Gender"),
        _("Resident ID number"),
        _("Mobile number"),
        _("Institution"),
        _("District"),
        _("Post"),
        _("In post since"),
        _("In post until"),
    ]
    rows = (
        [
            person.name,
            person.gender.label,
            id_number(person),
            person.phone if full else mask_mobile(person.phone),
            person.institution.name,
            person.institution.district.name,
            person.post.label,
            person.in_post_from,
            person.in_post_to,
        ]
        for person in people
    )
    return table_response(fmt, _("staff") + f"-{localtime.today():%Y%m%d}", header, rows)


def _staff_form(staff: Staff | None = None) -> StaffForm:
    form = StaffForm(obj=staff)
    if staff is not None and request.method == "GET":
        form.gender.data = staff.gender.value
        form.post.data = staff.post.value
        form.id_number.data = ""
    form.institution_id.choices = options(
        [
            (inst.id, f"{inst.district.name} · {inst.name}")
            for inst in queries.institution_choices(current_user.scope)
        ]
    )
    return form


def _staff_data(form: StaffForm) -> services.StaffData:
    return services.StaffData(
        name=form.name.data or "",
        gender=Gender(form.gender.data) if form.gender.data else None,
        id_number=form.id_number.data or None,
        phone=form.phone.data or "",
        institution_id=form.institution_id.data or 0,
        post=Post(form.post.data),
        in_post_from=form.in_post_from.data,
        in_post_to=form.in_post_to.data,
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def new_staff() -> Any:
    form = _staff_form()
    if form.validate_on_submit():
        try:
            staff = services.create_staff(_staff_data(form), current_user.scope)
        except services.FieldErrors as error:
            _apply_field_errors(form, error)
        else:
            flash(_l("The staff record has been added."), "success")
            return redirect(url_for("org.staff_detail", staff_id=staff.id))
    return render_template("org/staff_form.html", form=form, staff=None)


@bp.route("/staff/<int:staff_id>")
@roles_required(*ADMIN_ROLES)
def staff_detail(staff_id: int) -> Any:
    staff = _visible_staff(staff_id)
    return _render_staff_detail(staff)


def _render_staff_detail(
    staff: Staff, full_id: str | None = None, reveal_form: RevealIdForm | None = None
) -> str:
    from lms.certification.external import can_decide, qualifies
    from lms.certification.external_views import DecisionForm
    from lms.certification.models import Certificate, ExternalCertificate

    account = db.session.scalar(select(User).where(User.staff_id == staff.id))
    return render_template(
        "org/staff_detail.html",
        staff=staff,
        account=account,
        certificates=db.session.scalars(
            select(Certificate).where(Certificate.staff_id == staff.id).order_by(Certificate.level)
        ).all(),
        external_certificates=db.session.scalars(
            select(ExternalCertificate)
            .where(ExternalCertificate.staff_id == staff.id)
            .order_by(ExternalCertificate.issued_on.desc())
        ).all(),
        qualifies=qualifies,
        can_decide=can_decide(current_user.scope, staff),
        decision_form=DecisionForm(),
        full_id=full_id,
        reveal_form=reveal_form or RevealIdForm(),
        action_form=ActionForm(),
        today=localtime.today(),
    )


@bp.route("/staff/<int:staff_id>/id-number", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def reveal_id_number(staff_id: int) -> Any:
    staff = _visible_staff(staff_id)
    form = RevealIdForm()
    full_id = None
    if form.validate_on_submit():
        full_id = services.reveal_id_number(staff, current_user.scope, reason=form.reason.data)
    return _render_staff_detail(staff, full_id=full_id, reveal_form=form)


@bp.route("/staff/<int:staff_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def edit_staff(staff_id: int) -> Any:
    staff = _visible_staff(staff_id)
    form = _staff_form(staff)
    if form.validate_on_submit():
        try:
            services.update_staff(staff, _staff_data(form), current_user.scope)
        except services.FieldErrors as error:
            _apply_field_errors(form, error)
        else:
            flash(_l("The staff record has been updated."), "success")
            return redirect(url_for("org.staff_detail", staff_id=staff.id))
    return render_template("org/staff_form.html", form=form, staff=staff)


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
        field_headers=roster.FIELD_HEADERS,
    )


@bp.route("/roster/import/<int:upload_id>/discard", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def roster_discard(upload_id: int) -> Any:
    upload = _own_upload(upload_id)
    if ActionForm().validate_on_submit():
        roster_uploads.discard_upload(upload)
        flash(_l("The upload has been discarded."), "info")
    return redirect(url_for("org.roster_upload"))


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
