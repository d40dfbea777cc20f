"""Dashboards of the licensed-to-work rate for city, district and institution users; exports
and the monthly PDF report."""

from __future__ import annotations

from datetime import date
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

from lms.core import params
from lms.core.access import Scope, roles_required
from lms.core.errors import DomainError, NotAllowed
from lms.core.exports import table_response
from lms.core.forms import drop_invalid_filters, options
from lms.core.levels import level_name
from lms.core.localtime import today
from lms.core.pagination import page_of
from lms.core.roles import ADMIN_ROLES, Role
from lms.db import db
from lms.learning import nominations as training
from lms.learning.models import EnrolmentStatus
from lms.org import queries as org_queries
from lms.org import services as org_services
from lms.org.models import Institution, Staff
from lms.reports import charts, monthly, queries
from lms.reports.forms import DayForm, InstitutionFilterForm, NominateForm
from lms.reports.rates import Count

bp = Blueprint("reports", __name__, url_prefix="/dashboard")

FUNNEL_LABELS = {
    "nominated": _l("Nominated"),
    "enrolled": _l("Enrolled"),
    "completed": _l("Completed training"),
    "sat_theory": _l("Sat the theory exam"),
    "sat_skills": _l("Sat the skill assessment"),
    "passed": _l("Passed both"),
    "certified": _l("Certified"),
}


def _day(form: DayForm) -> date:
    """The day asked for, today by default; a date out of range counts today and says why."""
    if form.on.process_errors:
        form.on.errors = list(form.on.process_errors)
    return form.on.data or today()


def _target() -> float:
    return float(current_app.config["RATE_TARGET"])


@bp.app_template_filter("rate")
def _percent(count: Count) -> str:
    return "—" if count.rate is None else f"{count.rate * 100:.1f}%"


@bp.route("")
@roles_required(*ADMIN_ROLES)
def index() -> Any:
    scope = current_user.scope
    form = DayForm(request.args)
    day = _day(form)
    target = _target()
    if scope.role == Role.INSTITUTION_MANAGER:
        return redirect(url_for("reports.institution", institution_id=scope.institution_id))
    districts = queries.district_counts(scope, day)
    overall = queries.overall(scope, day)
    trend = queries.trend(scope, day)
    return render_template(
        "reports/index.html",
        form=form,
        day=day,
        target=target,
        overall=overall,
        forecast=queries.forecast(scope, day),
        districts=districts,
        below_target=sum(
            1
            for row in queries.institution_counts(scope, day)
            if row.count.in_post and not row.count.meets(target)
        ),
        district_chart=charts.rate_bars(
            _("Licensed-to-work rate by district"),
            [
                charts.Bar(d.name, d.count.rate, f"{d.count.certified}/{d.count.in_post}")
                for d in districts
            ],
            target,
        ),
        trend=trend,
        trend_chart=charts.trend_line(
            _("Licensed-to-work rate by month"),
            [(f"{point:%Y-%m}", count.rate) for point, count in trend],
            target,
        ),
        **_training(scope),
    )


def _institution_filter(form: InstitutionFilterForm) -> queries.InstitutionFilter:
    return queries.InstitutionFilter(
        text=form.q.data or "",
        district_id=form.district_id.data or None,
        below_target=bool(form.below.data),
        sort=form.sort.data or "rate",
        descending=bool(form.desc.data),
    )


def _institution_rows(form: InstitutionFilterForm) -> tuple[date, list[Any]]:
    scope = current_user.scope
    day = _day(form)
    every = queries.institution_counts(scope, day)
    form.district_id.choices = options([(0, _l("All districts")), *queries.districts_of(every)])
    drop_invalid_filters(form)
    return day, queries.institution_table(scope, day, _institution_filter(form), _target())


@bp.route("/institutions")
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def institutions() -> Any:
    form = InstitutionFilterForm(request.args)
    day, rows = _institution_rows(form)
    per_page = current_app.config["PAGE_SIZE"]
    page = page_of(rows, params.page_arg(), per_page)
    return render_template(
        "reports/institutions.html", form=form, page=page, day=day, target=_target()
    )


@bp.route("/institutions.<fmt>")
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def institutions_export(fmt: str) -> Response:
    form = InstitutionFilterForm(request.args)
    day, rows = _institution_rows(form)
    return table_response(
        fmt,
        _("institution rates") + f"-{day:%Y%m%d}",
        [_("Institution"), _("District"), *_count_header()],
        ([r.name, r.district, *_count_cells(r.count)] for r in rows),
    )


def _count_header() -> list[str]:
    return [_("In post"), _("Certified"), _("Without certificate"), _("Rate")]


def _count_cells(count: Count) -> list[Any]:
    return [count.in_post, count.certified, count.uncertified, _rate_cell(count)]


def _rate_cell(count: Count) -> float | None:
    """The rate as exported: per cent to one decimal."""
    return None if count.rate is None else round(count.rate * 100, 1)


@bp.route("/districts.<fmt>")
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def districts_export(fmt: str) -> Response:
    day = _day(DayForm(request.args))
    rows = queries.district_counts(current_user.scope, day)
    return table_response(
        fmt,
        _("district rates") + f"-{day:%Y%m%d}",
        [_("District code"), _("District"), *_count_header()],
        ([d.code, d.name, *_count_cells(d.count)] for d in rows),
    )


@bp.route("/trend.<fmt>")
@roles_required(*ADMIN_ROLES)
def trend_export(fmt: str) -> Response:
    day = _day(DayForm(request.args))
    points = queries.trend(current_user.scope, day)
    return table_response(
        fmt,
        _("rate by month") + f"-{day:%Y%m%d}",
        [_("Date"), _("In post"), _("Certified"), _("Rate")],
        ([point, c.in_post, c.certified, _rate_cell(c)] for point, c in points),
    )


@bp.route("/funnel.<fmt>")
@roles_required(*ADMIN_ROLES)
def funnel_export(fmt: str) -> Response:
    stages = queries.funnel(current_user.scope)
    return table_response(
        fmt,
        _("training funnel") + f"-{today():%Y%m%d}",
        [_("Stage"), _("People")],
        ([str(FUNNEL_LABELS[stage.key]), stage.count] for stage in stages),
    )


@bp.route("/pass-rates.<fmt>")
@roles_required(*ADMIN_ROLES)
def pass_rates_export(fmt: str) -> Response:
    rows = queries.pass_rates(current_user.scope)
    header = [
        _("Level"),
        _("Theory: sat"),
        _("Theory: passed"),
        _("Skills: assessed"),
        _("Skills: passed"),
    ]
    return table_response(
        fmt,
        _("pass rates") + f"-{today():%Y%m%d}",
        header,
        (
            [level_name(r.level), r.theory_sat, r.theory_passed, r.skills_sat, r.skills_passed]
            for r in rows
        ),
    )


def _visible_institution(institution_id: int) -> Institution:
    return org_queries.visible_institution(current_user.scope, institution_id)


@bp.route("/institutions/<int:institution_id>")
@roles_required(*ADMIN_ROLES)
def institution(institution_id: int) -> Any:
    place = _visible_institution(institution_id)
    own = _institution_scope(place)
    form = DayForm(request.args)
    day = _day(form)
    count = next(
        (
            row.count
            for row in queries.institution_counts(current_user.scope, day)
            if row.institution_id == place.id
        ),
        Count(0, 0),
    )
    uncertified = queries.uncertified_staff(place.id, day)
    cohorts = queries.coming_cohorts(place.district_id, today())
    nominate_form = NominateForm()
    nominate_form.cohort_id.choices = options([(c.id, _cohort_label(c)) for c in cohorts])
    return render_template(
        "reports/institution.html",
        institution=place,
        form=form,
        day=day,
        count=count,
        target=_target(),
        uncertified=uncertified,
        enrolment_labels={status.value: status.label for status in EnrolmentStatus},
        # Nominated, enrolled or trained people need their exams, not another nomination.
        nominable={staff.id for staff, status in uncertified if status is None},
        cohorts=cohorts,
        nominate_form=nominate_form,
        trend_chart=charts.trend_line(
            _("Licensed-to-work rate by month"),
            [(f"{point:%Y-%m}", c.rate) for point, c in queries.trend(own, day)],
            _target(),
        ),
        **_training(own),
    )


def _training(scope: Scope) -> dict[str, Any]:
    """The funnel and pass rates, for the training part of a dashboard."""
    funnel = queries.funnel(scope)
    return {
        "funnel": [(FUNNEL_LABELS[stage.key], stage.count) for stage in funnel],
        "funnel_chart": charts.funnel_bars(
            _("Training funnel"), [(str(FUNNEL_LABELS[s.key]), s.count) for s in funnel]
        ),
        "pass_rates": queries.pass_rates(scope),
    }


def _institution_scope(place: Institution) -> Scope:
    return Scope(Role.INSTITUTION_MANAGER, place.district_id, place.id)


def _cohort_label(cohort: Any) -> str:
    return f"{cohort.title}（{cohort.starts_on:%Y-%m-%d}）"


@bp.route("/institutions/<int:institution_id>/nominate", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def nominate(institution_id: int) -> Any:
    place = _visible_institution(institution_id)
    cohorts = queries.coming_cohorts(place.district_id, today())
    form = NominateForm()
    form.cohort_id.choices = options([(c.id, _cohort_label(c)) for c in cohorts])
    uncertified = queries.uncertified_staff(place.id, today())
    form.staff_ids.choices = options([(staff.id, staff.name) for staff, _status in uncertified])
    back = redirect(url_for("reports.institution", institution_id=place.id))
    if not form.validate_on_submit():
        flash(_l("Choose a cohort and at least one person."), "error")
        return back
    cohort = next(c for c in cohorts if c.id == form.cohort_id.data)
    people = [db.session.get(Staff, staff_id) for staff_id in form.staff_ids.data]
    try:
        created = training.nominate(cohort, [p for p in people if p], current_user)
    except DomainError as error:
        # A refused nomination writes nothing: the 4xx status makes the request roll back.
        return render_template(
            "reports/refused.html", institution=place, message=error.message
        ), 400
    flash(
        _l(
            "%(n)d people nominated to %(c)s; the district administrator decides.",
            n=len(created),
            c=cohort.title,
        ),
        "success",
    )
    return back


@bp.route("/institutions/<int:institution_id>/uncertified.<fmt>")
@roles_required(*ADMIN_ROLES)
def uncertified_export(institution_id: int, fmt: str) -> Response:
    """Masked ID numbers; a city admin may ask for full ones (``full=1``), which is audited."""
    place = _visible_institution(institution_id)
    day = _day(DayForm(request.args))
    people = queries.uncertified_staff(place.id, day)
    try:
        id_number = org_services.export_id_numbers(
            [staff for staff, _status in people],
            current_user.scope,
            full=request.args.get("full") == "1",
            export="uncertified",
            target=place,
        )
    except NotAllowed:
        abort(403)
    labels = {status.value: status.label for status in EnrolmentStatus}
    header = [_("Name"), _("Resident ID number"), _("In post since"), _("Training")]
    rows = (
        [
            staff.name,
            id_number(staff),
            staff.in_post_from,
            labels.get(status or "", _("Not nominated")),
        ]
        for staff, status in people
    )
    return table_response(
        fmt, f"{place.name}-" + _("without certificate") + f"-{day:%Y%m%d}", header, rows
    )


@bp.route("/report.pdf")
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def monthly_report() -> Response:
    """The month's report for the commission: ``?month=YYYY-MM`` (the current month by
    default), counted at the month's last day (today for the current month)."""
    year, number = params.month_arg("month", today())
    try:
        day = monthly.month_end(year, number, today())
    except ValueError:  # a month not yet begun
        abort(404)
    pdf = monthly.render(current_user.scope, year, number, day, _target())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename=report-{year}-{number:02d}.pdf"
    return response
