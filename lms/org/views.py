"""Districts and institutions; the blueprint's other pages are in staff_views and roster_views."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, case, func, select

from lms.core import localtime
from lms.core.access import roles_required
from lms.core.forms import drop_invalid_filters, options
from lms.core.pagination import paginate, sorted_by
from lms.core.roles import ADMIN_ROLES, Role
from lms.db import db
from lms.org import queries, roster_views, services, staff_views
from lms.org.blueprint import ORG_ADMINS, apply_field_errors, bp, page_number
from lms.org.forms import (
    InstitutionContactForm,
    InstitutionForm,
    InstitutionSearchForm,
)
from lms.org.models import District, Institution, InstitutionType, Staff

#: The blueprint's other page modules: importing them here registers their pages on ``bp``.
PAGE_MODULES = (staff_views, roster_views)


def _visible_institution(institution_id: int) -> Institution:
    return queries.visible_institution(current_user.scope, institution_id)


# Districts --------------------------------------------------------------------------------


@bp.route("/districts")
@roles_required(*ORG_ADMINS)
def districts() -> Any:
    caregivers = func.sum(case((Staff.caregiver_in_post_on(localtime.today()), 1), else_=0))
    institutions = func.count(func.distinct(Institution.id))
    # Rows of any shape: what sorted_by (lms/core/pagination.py) takes.
    listed: Select[*tuple[Any, ...]] = (
        select(District, institutions, caregivers)
        .outerjoin(Institution, Institution.district_id == District.id)
        .outerjoin(Staff, Staff.institution_id == Institution.id)
        .group_by(District.id)
    )
    statement, sort = sorted_by(
        listed,
        {
            "position": (District.position, District.id),
            "code": (District.code, District.id),
            "name": (District.name, District.id),
            "institutions": (institutions, District.id),
            "caregivers": (caregivers, District.id),
        },
        "position",
    )
    rows = db.session.execute(statement).all()
    rows = [row for row in rows if current_user.scope.allows_district(row[0].id)]
    return render_template("org/districts.html", rows=rows, sort=sort)


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
    statement, sort = sorted_by(statement, queries.INSTITUTION_ORDERS, "district")
    page = paginate(statement, page_number(), current_app.config["PAGE_SIZE"])
    return render_template(
        "org/institutions.html",
        form=form,
        page=page,
        sort=sort,
        can_create=scope.role in ORG_ADMINS,
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
            apply_field_errors(form, error)
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
            apply_field_errors(form, error)
        else:
            flash(_l("The institution has been updated."), "success")
            return redirect(url_for("org.institution_detail", institution_id=institution.id))
    return render_template("org/institution_form.html", form=form, institution=institution)
