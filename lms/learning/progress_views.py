"""The cohort page with its people, and the progress report (page and exports), on the
``training`` blueprint. Both lists are searched, filtered, sorted and paged
(lms.learning.progress_list); who sees whom is lms.learning.queries'."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.forms import ActionForm
from lms.core import params
from lms.core.access import roles_required
from lms.core.exports import table_response
from lms.core.forms import drop_invalid_filters, options
from lms.core.localtime import today
from lms.core.pagination import paginate, sorted_by
from lms.core.roles import ADMIN_ROLES, Role
from lms.db import db
from lms.learning import progress_list, queries, services
from lms.learning.blueprint import TRAINERS, bp, visible_cohort
from lms.learning.forms import ProgressFilterForm, SessionForm
from lms.learning.models import EnrolmentStatus
from lms.org import queries as org_queries


@bp.route("/cohorts/<int:cohort_id>")
@roles_required(*ADMIN_ROLES, Role.EXAMINER)
def cohort(cohort_id: int) -> Any:
    cohort = visible_cohort(cohort_id)
    scope = current_user.scope
    wanted = progress_list.PeopleWanted.of(request.args)
    statement, sort = sorted_by(
        progress_list.people(cohort, scope, wanted),
        progress_list.PEOPLE_ORDERS,
        progress_list.PEOPLE_DEFAULT,
    )
    page = paginate(statement, params.page_arg(), current_app.config["PAGE_SIZE"], scalars=False)
    return render_template(
        "training/cohort.html",
        cohort=cohort,
        page=page,
        rows=queries.enrolment_rows(page.items),
        wanted=wanted,
        sort=sort,
        statuses=list(EnrolmentStatus),
        anyone=page.total > 0 or bool(wanted.text or wanted.status),
        can_manage=services.can_manage_cohort(scope, cohort),
        can_nominate=scope.role in ADMIN_ROLES and cohort.is_open,
        can_train=scope.role in TRAINERS,
        session_form=SessionForm(),
        action_form=ActionForm(),
    )


#: What the progress rows are, by grouping: the first column's heading.
GROUPINGS = {
    "cohort": _l("Cohort"),
    "institution": _l("Institution"),
    "district": _l("District"),
}


def _progress_filter() -> tuple[ProgressFilterForm, Any, dict[str, tuple[Any, ...]]]:
    """The form read from the address, and the report's statement and sort orders."""
    scope = current_user.scope
    form = ProgressFilterForm(request.args)
    groupings = dict(GROUPINGS)
    if current_user.role == Role.INSTITUTION_MANAGER:
        groupings.pop("district")
    form.by.choices = options(list(groupings.items()))
    form.plan_id.choices = options(
        [(0, _l("All plans"))] + [(plan.id, str(plan.year)) for plan in queries.plans()]
    )
    form.district_id.choices = options(
        [(0, _l("All districts"))] + [(d.id, d.name) for d in org_queries.visible_districts(scope)]
    )
    form.institution_id.choices = options(
        [(0, _l("All institutions"))]
        + [(i.id, i.name) for i in org_queries.institution_choices(scope)]
    )
    drop_invalid_filters(form)
    by = form.by.data if form.by.data in groupings else "cohort"
    form.by.data = by
    wanted = progress_list.ProgressWanted(
        text=(form.q.data or "").strip()[: progress_list.TEXT_LIMIT],
        district_id=form.district_id.data or None,
        institution_id=form.institution_id.data or None,
    )
    statement, orders = progress_list.progress(scope, by, form.plan_id.data or None, wanted)
    return form, statement, orders


@bp.route("/progress")
@roles_required(*ADMIN_ROLES)
def progress() -> Any:
    form, statement, orders = _progress_filter()
    statement, sort = sorted_by(statement, orders, progress_list.PROGRESS_DEFAULT)
    page = paginate(statement, params.page_arg(), current_app.config["PAGE_SIZE"], scalars=False)
    return render_template(
        "training/progress.html",
        form=form,
        page=page,
        rows=queries.progress_rows(page.items),
        sort=sort,
        heading=GROUPINGS[form.by.data],
        # A filter is offered only where the user sees more than one district or institution.
        show_district=len(form.district_id.choices) > 2,
        show_institution=len(form.institution_id.choices) > 2,
    )


@bp.route("/progress.<fmt>")
@roles_required(*ADMIN_ROLES)
def progress_export(fmt: str) -> Response:
    """Every row the page's search and filters match, in the page's order."""
    form, statement, orders = _progress_filter()
    statement, _sort = sorted_by(statement, orders, progress_list.PROGRESS_DEFAULT)
    rows = queries.progress_rows(db.session.execute(statement))
    header = [
        str(GROUPINGS[form.by.data]),
        _("Nominated"),
        _("Enrolled"),
        _("Active in the last 14 days"),
        _("Completed"),
        _("Study hours"),
    ]
    body = (
        [row.name, row.nominated, row.enrolled, row.active, row.completed, row.hours]
        for row in rows
    )
    return table_response(
        fmt, _("training-progress") + f"-{form.by.data}-{today():%Y%m%d}", header, body
    )
