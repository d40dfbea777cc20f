"""Skill assessment pages: sessions and panels (city administrators), results and the agreement
report (administrators), my results (trainees). The examiners' marking pages are in
marking_views and the one-way steps in steps, on the same ``skills`` blueprint."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.forms import ActionForm
from lms.core import bulk, confirm, params
from lms.core.access import get_visible, roles_required
from lms.core.errors import DomainError
from lms.core.exports import table_response
from lms.core.forms import options
from lms.core.localtime import from_local, today
from lms.core.pagination import paginate, sorted_by
from lms.core.roles import Role
from lms.grading import analysis, appeals, queries, rules, session_list, sessions
from lms.grading.forms import (
    AppealForm,
    CandidatesForm,
    PanelForm,
    SkillSessionForm,
)
from lms.grading.models import (
    CandidateTask,
    SkillCandidate,
    SkillSession,
    SkillSessionStatus,
    TaskStatus,
)
from lms.grading.results import level_result, standing

bp = Blueprint("skills", __name__, url_prefix="/skills")
#: Skill sessions shown a page at a time.
SESSIONS_PAGE_SIZE = 25
#: Practical tasks to mark shown a page at a time.
MARKING_PAGE_SIZE = 50
#: Short answers shown beside them; the theory marking page lists them all, a page at a time.
SHORT_ANSWERS_SHOWN = 10


def _session(session_id: int) -> SkillSession:
    return get_visible(SkillSession, session_id)


def _task(task_id: int) -> CandidateTask:
    return get_visible(CandidateTask, task_id)


# Sessions (city administrators) -----------------------------------------------------------------


@bp.route("/sessions")
@roles_required(Role.CITY_ADMIN)
def index() -> Any:
    level = params.int_arg("level", 0, 0, 5)
    wanted = session_list.Wanted(
        text=(request.args.get("q") or "").strip()[:50],
        status=request.args.get("status", ""),
        level=level or None,
    )
    statement, sort = sorted_by(
        session_list.matching(wanted), session_list.ORDERS, session_list.DEFAULT_ORDER
    )
    page = paginate(statement, params.page_arg(), SESSIONS_PAGE_SIZE)
    return render_template(
        "skills/sessions.html",
        page=page,
        sessions=page.items,
        wanted=wanted,
        sort=sort,
        statuses=list(SkillSessionStatus),
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN)
def new_session() -> Any:
    form = SkillSessionForm()
    if form.validate_on_submit():
        data = sessions.SessionData(
            title=form.title.data or "",
            level=form.level.data or 5,
            starts_at=from_local(form.starts_at.data),
            slot_minutes=form.slot_minutes.data or 60,
            tasks_per_candidate=form.tasks_per_candidate.data or 4,
            combine_rule=form.combine_rule.data or "mean",
            max_spread=float(form.max_spread.data or 0),
        )
        try:
            session = sessions.create_session(data, current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("skills.detail", session_id=session.id))
    return render_template("skills/session_form.html", form=form)


@bp.route("/sessions/<int:session_id>")
@roles_required(Role.CITY_ADMIN)
def detail(session_id: int) -> Any:
    session = _session(session_id)
    panel_form = PanelForm()
    examiners = queries.examiners()
    panel_form.chief_id.choices = options((u.id, u.display_name) for u in examiners)
    panel_form.member_ids.choices = options((u.id, u.display_name) for u in examiners)
    candidates_form = CandidatesForm()
    eligible = sessions.eligible_staff(session) if session.status.value == "draft" else []
    candidates_form.staff_ids.choices = options(
        (s.id, f"{s.name} · {s.institution.name}") for s in eligible
    )
    return render_template(
        "skills/session.html",
        session=session,
        problems=sessions.publication_problems(session),
        panel_form=panel_form,
        candidates_form=candidates_form,
        action_form=ActionForm(),
        unfinished=sessions.unfinished(session),
        combine_label=rules.COMBINE_RULES[session.combine_rule][0],
    )


@bp.route("/sessions/<int:session_id>/panels", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def add_panel(session_id: int) -> Any:
    session = _session(session_id)
    form = PanelForm()
    examiners = {u.id: u for u in queries.examiners()}
    form.chief_id.choices = options((i, u.display_name) for i, u in examiners.items())
    form.member_ids.choices = options((i, u.display_name) for i, u in examiners.items())
    if form.validate_on_submit():
        members = [examiners[i] for i in form.member_ids.data or []]
        sessions.add_panel(session, form.name.data or "", examiners[form.chief_id.data], members)
        flash(_l("Panel added."), "success")
    else:
        flash(_l("Name the station and choose its examiners."), "error")
    return redirect(url_for("skills.detail", session_id=session.id))


@bp.route("/sessions/<int:session_id>/candidates", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def add_candidates(session_id: int) -> Any:
    session = _session(session_id)
    back = url_for("skills.detail", session_id=session.id)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    chosen = bulk.chosen("staff_ids", sessions.eligible_staff(session), lambda staff: staff.id)
    if not chosen:
        flash(_l("Nothing is selected: tick the trainees to admit first."), "error")
    else:
        try:
            count = sessions.add_candidates(session, chosen)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_l("%(n)d candidates admitted; their tasks are drawn.", n=count), "success")
    return redirect(back)


@bp.route("/sessions/<int:session_id>/assign", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def assign(session_id: int) -> Any:
    session = _session(session_id)
    if ActionForm().validate_on_submit():
        unplaced = sessions.assign(session)
        if unplaced:
            flash(_l("No panel free of conflicts for: %(n)s", n="、".join(unplaced)), "error")
        else:
            flash(_l("Every candidate has a panel and a time slot."), "success")
    return redirect(url_for("skills.detail", session_id=session.id))


@bp.route("/sessions/<int:session_id>/results")
@roles_required(Role.CITY_ADMIN)
def results(session_id: int) -> Any:
    """The level results of the session: search by name or admission number, a result filter,
    sorting and pages."""
    session = _session(session_id)
    text = (request.args.get("q") or "").strip()[:50]
    outcome = request.args.get("result", "")
    outcome = outcome if outcome in queries.OUTCOMES else ""
    statement, sort = sorted_by(
        queries.candidate_results(session, text=text, outcome=outcome),
        queries.result_orders(session),
        "number",
    )
    page = paginate(statement, params.page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "skills/results.html",
        session=session,
        page=page,
        rows=[queries.ResultRow(candidate, level_result(candidate)) for candidate in page.items],
        text=text,
        outcome=outcome,
        sort=sort,
    )


@bp.route("/sessions/<int:session_id>/results.<fmt>")
@roles_required(Role.CITY_ADMIN)
def results_export(session_id: int, fmt: str) -> FlaskResponse:
    session = _session(session_id)
    header = [
        _("Admission number"),
        _("Name"),
        _("Institution"),
        _("Theory score"),
        _("Skills score"),
        _("Result"),
    ]
    rows = [
        [
            row.candidate.admission_number,
            row.candidate.staff.name,
            row.candidate.staff.institution.name,
            row.result["theory_score"],
            row.result["skills_score"],
            row.verdict,
        ]
        for row in queries.result_rows(session)
    ]
    return table_response(fmt, f"{_('skill-results')}-{session.id}-{today():%Y%m%d}", header, rows)


@bp.route("/sessions/<int:session_id>/agreement")
@roles_required(Role.CITY_ADMIN)
def agreement(session_id: int) -> Any:
    session = _session(session_id)
    tasks, examiners = analysis.agreement(session.id)
    return render_template(
        "skills/agreement.html",
        session=session,
        tasks=tasks,
        examiners=examiners,
        threshold=analysis.LENIENCY_POINTS,
        minimum=analysis.MIN_MARKS,
    )


@bp.route("/candidates/<int:candidate_id>")
@roles_required(Role.CITY_ADMIN)
def candidate(candidate_id: int) -> Any:
    found = get_visible(SkillCandidate, candidate_id)
    form = AppealForm()
    form.panel_id.choices = options((p.id, p.name) for p in found.session.panels)
    return render_template(
        "skills/candidate.html",
        candidate=found,
        result=level_result(found),
        appeal_form=form,
    )


@bp.route("/tasks/<int:task_id>/appeal", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def appeal(task_id: int) -> Any:
    task = _task(task_id)
    form = AppealForm()
    form.panel_id.choices = options((p.id, p.name) for p in task.candidate.session.panels)
    if form.validate_on_submit():
        panel = next(p for p in task.candidate.session.panels if p.id == form.panel_id.data)
        appealable = task.candidate.session.status == SkillSessionStatus.RESULTS_PUBLISHED
        return confirm.step(
            title=_l("Open an appeal"),
            what=_l(
                "The final mark of %(task)s for %(name)s is set aside and the panel "
                "%(panel)s marks the task again; the candidate's skills score waits for the "
                "new mark. The earlier marks are kept, but no longer count.",
                task=task.title,
                name=task.candidate.staff.name,
                panel=panel.name,
            ),
            count=1,
            button=_l("Open the appeal"),
            cancel=url_for("skills.candidate", candidate_id=task.candidate_id),
            ask=task.status == TaskStatus.FINAL and appealable,
            act=lambda: appeals.open_appeal(task, panel, form.reason.data or "", current_user),
            done=_l("The task is re-opened for the new panel."),
            flash_errors=False,
        )
    flash(_l("Choose the new panel and write the reason."), "error")
    return redirect(url_for("skills.candidate", candidate_id=task.candidate_id))


# Trainees -----------------------------------------------------------------------------------------


@bp.route("/my")
@roles_required(Role.TRAINEE)
def my_results() -> Any:
    return render_template(
        "skills/my_results.html",
        rows=queries.my_results(current_user.staff_id),
        standing=standing(current_user.staff_id),
        today=today(),
    )


# The one-way steps (publish for marking, publish results) are in steps, and the examiners'
# marking queue, sheet and arbitration in marking_views, both on this blueprint.
from lms.grading import marking_views as marking_views  # noqa: E402
from lms.grading import steps as steps  # noqa: E402
