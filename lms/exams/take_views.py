"""Candidates' pages: my exams, admission slip, the paper with autosave, submit, results."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.forms import ActionForm
from lms.content.courses import catalog
from lms.core import params
from lms.core.access import get_visible, roles_required, visible_or_404
from lms.core.errors import DomainError
from lms.core.roles import Role
from lms.db import db, keep_transaction_on_error, utcnow
from lms.exams import attempts, autosave, question_types
from lms.exams.attempts import TimeUp
from lms.exams.models import AttemptStatus, Candidate, SessionStatus
from lms.exams.sessions import seating_plan

bp = Blueprint("take", __name__, url_prefix="/exams/my")


def _my_candidate(candidate_id: int) -> Candidate:
    return get_visible(
        Candidate,
        candidate_id,
        lambda candidate: (
            candidate.staff_id == current_user.staff_id
            and candidate.session.status != SessionStatus.DRAFT
        ),
    )


@bp.route("/")
@roles_required(Role.TRAINEE)
def index() -> Any:
    rows = attempts.candidacies(current_user.staff_id)
    for _candidate, attempt in rows:
        if attempt is not None:
            attempts.expire_if_due(attempt)
    return render_template("exams/my_exams.html", rows=rows, now=utcnow())


@bp.route("/<int:candidate_id>")
@roles_required(Role.TRAINEE)
def landing(candidate_id: int) -> Any:
    candidate = _my_candidate(candidate_id)
    attempt = db.session.scalar(
        select(attempts.Attempt).where(attempts.Attempt.candidate_id == candidate.id)
    )
    if attempt is not None:
        attempts.expire_if_due(attempt)
    return render_template(
        "exams/landing.html", candidate=candidate, attempt=attempt, now=utcnow(), form=ActionForm()
    )


@bp.route("/<int:candidate_id>/slip")
@roles_required(Role.TRAINEE)
def slip(candidate_id: int) -> Any:
    candidate = _my_candidate(candidate_id)
    plan = [row for row in seating_plan(candidate.session) if row[0].id == candidate.id]
    return render_template("exams/slips.html", session=candidate.session, plan=plan)


@bp.route("/<int:candidate_id>/start", methods=["POST"])
@roles_required(Role.TRAINEE)
def start(candidate_id: int) -> Any:
    candidate = _my_candidate(candidate_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("take.landing", candidate_id=candidate.id))
    try:
        attempt = attempts.start(candidate)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("take.landing", candidate_id=candidate.id))
    if attempt.status == AttemptStatus.SUBMITTED:
        return redirect(url_for("take.landing", candidate_id=candidate.id))
    return redirect(url_for("take.paper", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
@roles_required(Role.TRAINEE)
def paper(attempt_id: int) -> Any:
    attempt = attempts.owned_attempt(attempt_id, current_user.staff_id)
    attempts.expire_if_due(attempt)
    if attempt.status != AttemptStatus.IN_PROGRESS or attempt.started_at is None:
        return redirect(url_for("take.landing", candidate_id=attempt.candidate_id))
    now = utcnow()
    return render_template(
        "exams/paper.html",
        attempt=attempt,
        candidate=attempt.candidate,
        items=attempts.paper_items(attempt),
        saved={p: r.value for p, r in attempts.saved_answers(attempt).items()},
        types=question_types.REGISTRY,
        letters=question_types.OPTION_KEYS,
        remaining=attempts.remaining_seconds(attempt, now),
        server_ms=int(now.timestamp() * 1000),
        current=attempt.current_position or 1,
        autosave_url=autosave.PATH,
        autosave_token=autosave.issue_token(current_app, attempt.id, current_user),
        form=ActionForm(),
    )


def _json_object() -> dict[str, Any]:
    """The request's JSON body if it is an object; {} otherwise (a list or a bare value)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.route("/attempts/<int:attempt_id>/answer", methods=["POST"])
@roles_required(Role.TRAINEE)
def answer(attempt_id: int) -> Any:
    """Autosave one answer: JSON {position, value, seq}; answers {saved, remaining_seconds}."""
    body = _json_object()
    position, seq = body.get("position"), body.get("seq")
    if not isinstance(position, int) or not isinstance(seq, int):
        return jsonify(error={"code": "bad_request", "message": str(_l("Malformed answer"))}), 400
    try:  # within the columns' integers, or the query would overflow
        position = params.whole_number(position, "position", 1, params.MAX_ID)
        seq = params.whole_number(seq, "seq", -(2**63), 2**63 - 1)
    except params.BadParameter as error:
        return jsonify(error={"code": "bad_request", "message": str(error.message)}), 400
    try:
        result = attempts.save_owned_answer(
            attempt_id, current_user.staff_id, position, body.get("value"), seq
        )
    except TimeUp as error:
        keep_transaction_on_error()  # the paper handed in at the deadline stays handed in
        return jsonify(error={"code": error.code, "message": str(error.message)}), 409
    return jsonify(saved=result.saved, remaining_seconds=result.remaining_seconds)


@bp.route("/attempts/<int:attempt_id>/position", methods=["POST"])
@roles_required(Role.TRAINEE)
def position(attempt_id: int) -> Any:
    """Remember the question the candidate stands on: JSON {position}; answers {position}."""
    attempt = attempts.owned_attempt(attempt_id, current_user.staff_id)
    body = _json_object()
    try:
        where = params.whole_number(body.get("position"), "position", 1, params.MAX_ID)
        attempts.remember_position(attempt, where)
    except TimeUp as error:
        keep_transaction_on_error()  # the paper handed in at the deadline stays handed in
        return jsonify(error={"code": error.code, "message": str(error.message)}), 409
    except DomainError as error:
        return jsonify(error={"code": "bad_request", "message": str(error.message)}), 400
    return jsonify(position=where)


@bp.route("/attempts/<int:attempt_id>/save", methods=["POST"])
@roles_required(Role.TRAINEE)
def save_form(attempt_id: int) -> Any:
    """Without JavaScript the whole paper is posted as a form; save every answer in it."""
    attempt = attempts.owned_attempt(attempt_id, current_user.staff_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("take.paper", attempt_id=attempt.id))
    seq = int(utcnow().timestamp() * 1000)
    try:
        for item in attempt.items:
            kind = question_types.get(item.version.type)
            value = kind.parse_answer(request.form.getlist(f"q{item.position}"))
            if value is None:
                continue
            attempts.save_answer(attempt, item.position, value, seq)
    except TimeUp as error:
        flash(error.message, "error")
        return redirect(url_for("take.landing", candidate_id=attempt.candidate_id))
    if request.form.get("finish"):
        attempts.submit(attempt)
        flash(_l("Your paper has been handed in."), "success")
        return redirect(url_for("take.landing", candidate_id=attempt.candidate_id))
    flash(_l("Answers saved."), "success")
    return redirect(url_for("take.paper", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@roles_required(Role.TRAINEE)
def submit(attempt_id: int) -> Any:
    attempt = attempts.owned_attempt(attempt_id, current_user.staff_id)
    if ActionForm().validate_on_submit():
        attempts.submit(attempt)
        flash(_l("Your paper has been handed in."), "success")
    return redirect(url_for("take.landing", candidate_id=attempt.candidate_id))


@bp.route("/<int:candidate_id>/result")
@roles_required(Role.TRAINEE)
def result(candidate_id: int) -> Any:
    candidate = _my_candidate(candidate_id)
    if candidate.session.status != SessionStatus.RESULTS_PUBLISHED:
        flash(_l("Results are shown here after the organiser publishes them."), "info")
        return redirect(url_for("take.landing", candidate_id=candidate.id))
    attempt = visible_or_404(
        db.session.scalar(
            select(attempts.Attempt).where(attempts.Attempt.candidate_id == candidate.id)
        )
    )
    areas = catalog(current_app.config["COURSES_ROOT"]).work_areas
    return render_template(
        "exams/result.html",
        candidate=candidate,
        attempt=attempt,
        responses=attempts.saved_answers(attempt),
        types=question_types.REGISTRY,
        letters=question_types.OPTION_KEYS,
        areas=areas,
    )
