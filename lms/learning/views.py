"""The free-training programme for administrators: plans and quotas, cohorts, nominations and
approvals. Class sessions with check-in and progress reports are in class_views, on the same
``training`` blueprint (lms.learning.blueprint); importing this module registers both."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts import services as accounts
from lms.accounts.forms import ActionForm
from lms.core import bulk, confirm, params
from lms.core.access import get_visible, roles_required
from lms.core.errors import DomainError
from lms.core.forms import flash_invalid, options
from lms.core.localtime import today
from lms.core.pagination import page_of, paginate, sorted_by
from lms.core.params import MAX_ID
from lms.core.roles import ADMIN_ROLES, Role
from lms.db import db

# The view modules sharing the blueprint, imported here explicitly so that web.py's one import of
# this module registers every training route.
from lms.learning import class_views as class_views
from lms.learning import nomination_list, queries, services
from lms.learning import nominations as nomination_rules
from lms.learning import progress_views as progress_views
from lms.learning.blueprint import ORG_ADMINS, bp, managed_cohort, visible_cohort
from lms.learning.forms import (
    CohortForm,
    DecisionForm,
    PlanForm,
    QuotaForm,
)
from lms.learning.models import (
    Cohort,
    CohortMode,
    Enrolment,
    EnrolmentStatus,
)
from lms.learning.models import TrainingPlan as Plan
from lms.org import queries as org_queries

__all__ = ["bp", "class_views", "progress_views"]

#: Nominations shown a page at a time (select-all-matching reaches the rest).
NOMINATIONS_PAGE_SIZE = 50
#: The overview's cohorts, a page at a time, and their sort orders (each ends on the id).
COHORTS_PAGE_SIZE = 25
COHORT_ORDERS: dict[str, tuple[Any, ...]] = {
    "starts": (Cohort.starts_on, Cohort.id),
    "title": (Cohort.title, Cohort.id),
    "enrolled": (Cohort.enrolled, Cohort.id),
}


@bp.route("/")
@roles_required(*ADMIN_ROLES, Role.EXAMINER)
def overview() -> Any:
    scope = current_user.scope
    plan = services.current_plan()
    usage = services.quota_usage(plan) if plan else []
    if scope.role in (Role.DISTRICT_ADMIN, Role.INSTITUTION_MANAGER):
        district_id = queries._district_of(scope)
        usage = [row for row in usage if row[0].id == district_id]
    text = (request.args.get("q") or "").strip()[:50]
    open_only = request.args.get("open") == "1"
    statement = queries.cohorts(scope, plan.id if plan else None)
    if text:
        statement = statement.where(Cohort.title.contains(text, autoescape=True))
    if open_only:
        statement = statement.where(Cohort.is_open.is_(True))
    statement, sort = sorted_by(statement, COHORT_ORDERS, "-starts")
    page = paginate(statement, params.page_arg(), COHORTS_PAGE_SIZE)
    return render_template(
        "training/overview.html",
        plan=plan,
        plans=queries.plans(),
        usage=usage,
        cohorts=page.items,
        page=page,
        sort=sort,
        text=text,
        open_only=open_only,
        pending=nomination_rules.pending_count(scope) if scope.role in ORG_ADMINS else 0,
    )


# Plans and quotas ----------------------------------------------------------------------------


@bp.route("/plans/new", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN)
def new_plan() -> Any:
    form = PlanForm()
    if request.method == "GET":
        form.year.data = today().year
        form.total_quota.data = 1700
        form.title.data = _("%(year)d free training for childcare workers", year=today().year)
    if form.validate_on_submit():
        try:
            plan = services.create_plan(form.year.data, form.title.data, form.total_quota.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("training.quotas", plan_id=plan.id))
    return render_template("training/plan_form.html", form=form)


@bp.route("/plans/<int:plan_id>/quotas", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN)
def quotas(plan_id: int) -> Any:
    plan = get_visible(Plan, plan_id)
    usage = services.quota_usage(plan)
    form = QuotaForm()
    if request.method == "GET":
        for district, quota, _used in usage:
            form.entries.append_entry({"district_id": district.id, "quota": quota})
    elif form.validate_on_submit():
        values = {entry.district_id.data: entry.quota.data or 0 for entry in form.entries}
        try:
            services.set_quotas(plan, values)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_l("Quotas saved."), "success")
            return redirect(url_for("training.overview"))
    rows = list(zip(usage, form.entries, strict=False))
    return render_template("training/quotas.html", plan=plan, rows=rows, form=form)


# Cohorts ------------------------------------------------------------------------------------


def _cohort_form(cohort: Cohort | None = None) -> CohortForm:
    form = CohortForm(obj=cohort)
    scope = current_user.scope
    form.plan_id.choices = options(
        [(plan.id, f"{plan.year} · {plan.title}") for plan in queries.plans()]
    )
    form.course_id.choices = options(
        [(course.id, course.title) for course in queries.active_courses()]
    )
    districts = org_queries.visible_districts(scope)
    city_wide = [(0, _l("The whole city"))] if scope.is_city else []
    form.district_id.choices = options(city_wide + [(d.id, d.name) for d in districts])
    if cohort is not None and request.method == "GET":
        form.district_id.data = cohort.district_id or 0
        form.mode.data = cohort.mode.value
    return form


def _cohort_data(form: CohortForm) -> services.CohortData:
    return services.CohortData(
        plan_id=form.plan_id.data,
        course_id=form.course_id.data,
        district_id=form.district_id.data or None,
        title=form.title.data or "",
        mode=CohortMode(form.mode.data),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        venue=form.venue.data or "",
        capacity=form.capacity.data,
        is_open=bool(form.is_open.data),
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
@roles_required(*ORG_ADMINS)
def new_cohort() -> Any:
    if not queries.plans():
        flash(_l("Create the year's training plan first."), "info")
        return redirect(url_for("training.overview"))
    form = _cohort_form()
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(_cohort_data(form), current_user.scope)
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("training.cohort", cohort_id=cohort.id))
    return render_template("training/cohort_form.html", form=form, cohort=None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@roles_required(*ORG_ADMINS)
def edit_cohort(cohort_id: int) -> Any:
    cohort = managed_cohort(cohort_id)
    form = _cohort_form(cohort)
    if form.validate_on_submit():
        try:
            services.update_cohort(cohort, _cohort_data(form), current_user.scope)
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("training.cohort", cohort_id=cohort.id))
    return render_template("training/cohort_form.html", form=form, cohort=cohort)


#: People to nominate shown a page at a time (select-all-matching reaches the rest).
NOMINATE_PAGE_SIZE = 50


@bp.route("/cohorts/<int:cohort_id>/nominate", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def nominate(cohort_id: int) -> Any:
    cohort = visible_cohort(cohort_id)
    source = request.form if request.method == "POST" else request.args
    text = (source.get("q") or "").strip()[:30]
    candidates = nomination_rules.nominable_staff(cohort, current_user.scope, text)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        nominable = [staff for staff, problem in candidates if problem is None]
        chosen = bulk.chosen("staff_ids", nominable, lambda staff: staff.id)
        if not chosen:
            flash(_l("Nothing is selected: tick the people to nominate first."), "error")
            return redirect(url_for("training.nominate", cohort_id=cohort.id, q=text or None))
        try:
            created = nomination_rules.nominate(cohort, chosen, current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                _l("%(n)d people nominated; the district administrator decides.", n=len(created)),
                "success",
            )
            return redirect(url_for("training.cohort", cohort_id=cohort.id))
    return render_template(
        "training/nominate.html",
        cohort=cohort,
        page=page_of(candidates, params.page_arg(), NOMINATE_PAGE_SIZE),
        nominable=sum(1 for _staff, problem in candidates if problem is None),
        capped=len(candidates) >= nomination_rules.NOMINABLE_LIMIT,
        text=text,
        form=form,
    )


def _wanted(source: Any) -> nomination_list.Wanted:
    """The nominations filter from the address (GET) or the posted form (its hidden fields)."""
    text = (source.get("q") or "").strip()[:50]
    institution = params.whole_number(source.get("institution") or 0, "institution", 0, MAX_ID)
    cohort = params.whole_number(source.get("cohort") or 0, "cohort", 0, MAX_ID)
    return nomination_list.Wanted(text, institution or None, cohort or None)


@bp.route("/nominations", methods=["GET", "POST"])
@roles_required(*ORG_ADMINS)
def nominations() -> Any:
    scope = current_user.scope
    form = DecisionForm()
    if request.method == "POST":
        wanted = _wanted(request.form)
        back = url_for("training.nominations", **wanted.args())
        if flash_invalid(form):
            return redirect(back)
        if form.all_matching.data:
            chosen = list(db.session.scalars(nomination_list.pending(scope, wanted)))
        else:
            ids = request.form.getlist("enrolment_ids")
            chosen = nomination_list.chosen(
                scope, (params.whole_number(i, "enrolment_ids", 1, MAX_ID) for i in ids)
            )
        if not chosen:
            flash(_l("Nothing is selected: tick the nominations to decide first."), "error")
            return redirect(back)
        if form.reject.data:

            def reject_chosen() -> None:
                for enrolment in chosen:
                    nomination_rules.reject(enrolment, current_user, form.note.data or "")

            return confirm.step(
                title=_l("Reject nominations"),
                what=_l(
                    "%(n)d nominations are rejected; the institutions see the reason. To take "
                    "part later, a person must be nominated again.",
                    n=len(chosen),
                ),
                count=len(chosen),
                button=_l("Reject selected"),
                cancel=back,
                act=reject_chosen,
                done=_l("%(n)d nominations rejected.", n=len(chosen)),
                category="info",
                flash_errors=False,
            )
        else:
            report = nomination_rules.approve_many(chosen, current_user)
            flash(_l("%(n)d approved.", n=report.approved), "success")
            for refusal in report.refused or []:
                flash(refusal, "error")
        return redirect(back)
    wanted = _wanted(request.args)
    statement, sort = sorted_by(
        nomination_list.pending(scope, wanted), nomination_list.ORDERS, "cohort"
    )
    page = paginate(statement, params.page_arg(), NOMINATIONS_PAGE_SIZE)
    institutions, cohorts = nomination_list.filter_choices(scope)
    return render_template(
        "training/nominations.html",
        page=page,
        form=form,
        wanted=wanted,
        sort=sort,
        institutions=institutions,
        cohorts=cohorts,
        places=nomination_list.places_left(scope),
        matching=nomination_list.matching_by_quota(scope, wanted),
        quota_key=nomination_list.quota_key,
    )


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def withdraw(enrolment_id: int) -> Any:
    enrolment = get_visible(
        Enrolment,
        enrolment_id,
        lambda found: services.can_see_cohort(current_user.scope, found.cohort),
    )
    return confirm.step(
        title=_l("Withdraw from the cohort"),
        what=_l(
            "%(name)s leaves %(cohort)s; an approved place goes back to the district's "
            "places. To take part later, the person must be nominated again.",
            name=enrolment.staff.name,
            cohort=enrolment.cohort.title,
        ),
        count=1,
        button=_l("Withdraw"),
        cancel=url_for("training.cohort", cohort_id=enrolment.cohort_id),
        form=ActionForm(),
        ask=enrolment.status in (EnrolmentStatus.NOMINATED, EnrolmentStatus.ENROLLED),
        act=lambda: nomination_rules.withdraw(enrolment, current_user),
        done=_l("%(name)s has been withdrawn.", name=enrolment.staff.name),
        category="info",
        flash_errors=False,
    )


@bp.route("/cohorts/<int:cohort_id>/accounts", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def create_accounts(cohort_id: int) -> Any:
    """Sign-in accounts for enrolled people who have none, on a sheet to print and hand out."""
    cohort = visible_cohort(cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    sheet = accounts.create_trainee_accounts(
        (
            row.enrolment.staff
            for row in queries.cohort_enrolments(cohort, current_user.scope)
            if row.enrolment.status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)
        ),
        actor_scope=current_user.scope,
    )
    return render_template("training/account_sheet.html", cohort=cohort, sheet=sheet)
