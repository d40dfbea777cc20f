"""A session's results (a page with search, a result filter, sorting and pages; the exports
with every candidate), its item analysis and regrading with a newer question version. Routes on
the ``exam_sessions`` blueprint of session_views."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.core import params
from lms.core.access import get_visible, roles_required
from lms.core.errors import DomainError
from lms.core.exports import table_response
from lms.core.localtime import today
from lms.core.pagination import paginate, sorted_by
from lms.core.roles import Role
from lms.exams import analysis, queries
from lms.exams import regrade as regrade_service
from lms.exams.forms import RegradeForm
from lms.exams.models import Attempt, Candidate, ExamSession, QuestionVersion
from lms.exams.session_views import ADMINS, _session, bp


def _result_row(candidate: Candidate, attempt: Attempt | None) -> list[Any]:
    score: Any = _("Absent")
    result = ""
    if attempt is not None and attempt.started_at is not None:
        score = attempt.score if attempt.score is not None else _("Marking")
        if attempt.passed is not None:
            result = _("Pass") if attempt.passed else _("Fail")
    staff = candidate.staff
    return [
        candidate.admission_number,
        staff.name,
        staff.id_number_masked,
        staff.institution.name,
        score,
        result,
    ]


def _result_rows(found: ExamSession) -> list[list[Any]]:
    return [_result_row(candidate, attempt) for candidate, attempt in queries.candidates(found)]


@bp.route("/<int:session_id>/results")
@roles_required(*ADMINS)
def results(session_id: int) -> Any:
    """The session's results: search by name or admission number, a pass/fail filter, sorting
    and pages."""
    found = _session(session_id)
    text = (request.args.get("q") or "").strip()[:50]
    outcome = request.args.get("result", "")
    outcome = outcome if outcome in queries.OUTCOMES else ""
    statement, sort = sorted_by(
        queries.candidate_results(found, text=text, outcome=outcome),
        queries.RESULT_ORDERS,
        "number",
    )
    page = paginate(statement, params.page_arg(), current_app.config["PAGE_SIZE"], scalars=False)
    return render_template(
        "exams/results.html",
        session=found,
        page=page,
        rows=[_result_row(candidate, attempt) for candidate, attempt in page.items],
        text=text,
        outcome=outcome,
        sort=sort,
    )


@bp.route("/<int:session_id>/results.<fmt>")
@roles_required(*ADMINS)
def results_export(session_id: int, fmt: str) -> Response:
    found = _session(session_id)
    header = [
        _("Admission number"),
        _("Name"),
        _("Resident ID number"),
        _("Institution"),
        _("Theory score"),
        _("Result"),
    ]
    return table_response(
        fmt, f"{_('theory-results')}-{found.id}-{today():%Y%m%d}", header, _result_rows(found)
    )


@bp.route("/<int:session_id>/analysis")
@roles_required(*ADMINS)
def item_analysis(session_id: int) -> Any:
    found = _session(session_id)
    return render_template(
        "exams/analysis.html",
        session=found,
        stats=analysis.item_analysis(found),
        flag_labels=analysis.FLAG_LABELS,
    )


# Regrading ------------------------------------------------------------------------------------


@bp.route("/<int:session_id>/regrade", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN)
def regrade(session_id: int) -> Any:
    """Choose a question's newer version; a confirmation page says how many papers it
    re-scores; only the confirmed POST regrades (audited)."""
    found = _session(session_id)
    form = RegradeForm()
    if form.validate_on_submit():
        version = get_visible(QuestionVersion, form.version_id.data)
        try:
            if form.confirm.data == 1:
                count = regrade_service.regrade(
                    found, version, current_user, attempt_ids=form.attempt_ids.data or []
                )
                flash(_l("%(n)d papers were scored again.", n=count), "success")
                return redirect(url_for("exam_sessions.results", session_id=found.id))
            items = regrade_service.affected(found, version, current_user)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("exam_sessions.regrade", session_id=found.id))
        confirm = RegradeForm(
            formdata=None,
            version_id=version.id,
            confirm=1,
            attempt_ids=[item.attempt_id for item in items],
        )
        confirm.attempt_ids.choices = [
            (
                item.attempt_id,
                _l(
                    "%(admission)s · version %(v)d · %(score)s points now",
                    admission=item.attempt.candidate.admission_number,
                    v=item.version.number,
                    score=item.attempt.score if item.attempt.score is not None else "—",
                ),
            )
            for item in items
        ]
        return render_template(
            "exams/regrade_confirm.html",
            session=found,
            version=version,
            count=len(items),
            form=confirm,
        )
    return render_template(
        "exams/regrade.html",
        session=found,
        choices=regrade_service.choices(found),
        form=form,
    )
