"""Staff records: search, export, the staff page, the full ID number, edits."""

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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.forms import ActionForm
from lms.accounts.models import User
from lms.certification import queries as certification_queries
from lms.core import localtime
from lms.core.access import roles_required
from lms.core.errors import NotAllowed
from lms.core.exports import table_response
from lms.core.forms import drop_invalid_filters, options
from lms.core.pagination import paginate, sorted_by
from lms.core.roles import ADMIN_ROLES, Role
from lms.core.validators import mask_mobile
from lms.db import db
from lms.org import queries, services
from lms.org.blueprint import apply_field_errors, bp, page_number
from lms.org.forms import (
    RevealIdForm,
    StaffForm,
    StaffSearchForm,
)
from lms.org.models import Gender, Post, Staff


def _visible_staff(staff_id: int) -> Staff:
    return queries.visible_staff(current_user.scope, staff_id)


# Staff ------------------------------------------------------------------------------------


def _staff_search() -> tuple[StaffSearchForm, Any]:
    scope = current_user.scope
    form = StaffSearchForm(request.args)
    form.institution_id.choices = options(
        [(0, _l("All institutions"))]
        + [(inst.id, inst.name) for inst in queries.institution_choices(scope)]
    )
    form.district_id.choices = options(
        [(0, _l("All districts"))] + [(d.id, d.name) for d in queries.visible_districts(scope)]
    )
    drop_invalid_filters(form)
    statement = queries.staff(
        scope,
        text=form.q.data or "",
        institution_id=form.institution_id.data or None,
        district_id=form.district_id.data or None,
        post=Post(form.post.data) if form.post.data else None,
        in_post_on=localtime.today() if form.in_post.data else None,
    )
    return form, statement


@bp.route("/staff")
@roles_required(*ADMIN_ROLES)
def staff_list() -> Any:
    form, statement = _staff_search()
    statement, sort = sorted_by(statement, queries.STAFF_ORDERS, "institution")
    page = paginate(statement, page_number(), current_app.config["PAGE_SIZE"])
    return render_template(
        "org/staff_list.html",
        form=form,
        page=page,
        sort=sort,
        show_district=len(form.district_id.choices) > 2,
        today=localtime.today(),
    )


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
            apply_field_errors(form, error)
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
    account = db.session.scalar(select(User).where(User.staff_id == staff.id))
    return render_template(
        "org/staff_detail.html",
        staff=staff,
        account=account,
        staff_certificates=certification_queries.certificates_of(staff, current_user.scope),
        full_id=full_id,
        reveal_form=reveal_form or RevealIdForm(),
        action_form=ActionForm(),
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
            apply_field_errors(form, error)
        else:
            flash(_l("The staff record has been updated."), "success")
            return redirect(url_for("org.staff_detail", staff_id=staff.id))
    return render_template("org/staff_form.html", form=form, staff=staff)
