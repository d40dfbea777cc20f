"""Trainees' pages: my courses, the lesson reader with study-time heartbeats, attendance."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.forms import ActionForm
from lms.core.access import ensure, get_visible, roles_required
from lms.core.errors import DomainError
from lms.core.params import BadParameter
from lms.core.roles import Role
from lms.learning import media_player, practice, queries, study, watching
from lms.learning.forms import CheckInForm
from lms.learning.models import Enrolment, Lesson

bp = Blueprint("learn", __name__, url_prefix="/learn")


def _my_enrolment(enrolment_id: int) -> Enrolment:
    return get_visible(
        Enrolment, enrolment_id, lambda found: found.staff_id == current_user.staff_id
    )


def _lesson_of(enrolment: Enrolment, lesson_id: int) -> Lesson:
    return get_visible(
        Lesson,
        lesson_id,
        lambda lesson: lesson.course_id == enrolment.cohort.course_id and lesson.retired_at is None,
    )


@bp.route("/")
@roles_required(Role.TRAINEE)
def my_learning() -> Any:
    enrolments = queries.my_enrolments(current_user.staff_id)
    progress = {e.id: study.course_progress(e) for e in enrolments}
    return render_template(
        "learn/my_learning.html",
        enrolments=enrolments,
        progress=progress,
        eligible=sorted(study.eligible_levels(current_user.staff_id), reverse=True),
    )


@bp.route("/<int:enrolment_id>")
@roles_required(Role.TRAINEE)
def course(enrolment_id: int) -> Any:
    enrolment = _my_enrolment(enrolment_id)
    records = queries.lesson_records(enrolment.id)
    return render_template(
        "learn/course.html",
        enrolment=enrolment,
        course=enrolment.cohort.course,
        progress=study.course_progress(enrolment),
        records=records,
    )


@bp.route("/<int:enrolment_id>/lessons/<int:lesson_id>")
@roles_required(Role.TRAINEE)
def lesson(enrolment_id: int, lesson_id: int) -> Any:
    enrolment = _my_enrolment(enrolment_id)
    lesson = _lesson_of(enrolment, lesson_id)
    lessons = enrolment.cohort.course.active_lessons
    index = next(i for i, item in enumerate(lessons) if item.id == lesson.id)
    record = queries.lesson_record(enrolment.id, lesson.id)
    rules = study.StudyRules.from_config()
    return render_template(
        "learn/lesson.html",
        enrolment=enrolment,
        lesson=lesson,
        record=record,
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        position=index + 1,
        count=len(lessons),
        required_seconds=study.lesson_required_seconds(lesson),
        heartbeat_seconds=rules.heartbeat_seconds,
        player=media_player.player_for(lesson, record),
        can_study=enrolment.status.value in ("enrolled", "completed"),
        form=ActionForm(),
        self_check=practice.questions_of(lesson),
        self_check_answers=practice.answers_of(enrolment, lesson),
        self_check_required=practice.required(),
    )


@bp.route(
    "/<int:enrolment_id>/lessons/<int:lesson_id>/self-check/<int:question_id>", methods=["POST"]
)
@roles_required(Role.TRAINEE)
def self_check(enrolment_id: int, lesson_id: int, question_id: int) -> Any:
    """Check one self-check answer: JSON feedback for the page's script, or back to the lesson
    (with the feedback shown there) for a browser without JavaScript."""
    enrolment = _my_enrolment(enrolment_id)
    lesson = _lesson_of(enrolment, lesson_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    back = url_for(
        "learn.lesson", enrolment_id=enrolment.id, lesson_id=lesson.id, _anchor="self-check"
    )
    try:
        if not ActionForm().validate_on_submit():
            raise DomainError(
                _l("The form has expired or was not sent from this site. Please reload the page."),
                status=400,
            )
        study.check_can_study(enrolment, lesson)
        feedback = practice.answer(
            enrolment, lesson, question_id, request.form.getlist(f"answer-{question_id}")
        )
    except DomainError as error:
        if wants_json:
            return jsonify(error=str(error.message)), error.status
        flash(error.message, "error")
        return redirect(back)
    if wants_json:
        return jsonify(feedback.as_json())
    return redirect(back)


@bp.route("/<int:enrolment_id>/lessons/<int:lesson_id>/heartbeat", methods=["POST"])
@roles_required(Role.TRAINEE)
def heartbeat(enrolment_id: int, lesson_id: int) -> Any:
    enrolment = _my_enrolment(enrolment_id)
    lesson = _lesson_of(enrolment, lesson_id)
    credited = study.heartbeat(enrolment.id, lesson)
    record = study.lesson_progress(enrolment, lesson)
    required = study.lesson_required_seconds(lesson)
    return jsonify(
        credited=credited,
        lesson_seconds=record.seconds,
        required_seconds=required,
        can_complete=record.seconds >= required,
        total_hours=round(enrolment.study_seconds / 3600, 2),
    )


@bp.route("/<int:enrolment_id>/lessons/<int:lesson_id>/watch", methods=["POST"])
@roles_required(Role.TRAINEE)
def watch(enrolment_id: int, lesson_id: int) -> Any:
    """The player's report of what it played (form field ``report``: JSON with ``played``,
    ``position`` and ``rate``; a form so that sendBeacon can carry the CSRF token)."""
    enrolment = _my_enrolment(enrolment_id)
    lesson = _lesson_of(enrolment, lesson_id)
    try:
        data = json.loads(request.form.get("report") or "")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise BadParameter(_l("report: a JSON object"))
    duration = float((lesson.video or {}).get("duration") or 0)
    result = watching.report(
        enrolment.id,
        lesson,
        watching.parse_played(data.get("played"), duration),
        _number(data.get("position"), "position", 0, 86400),
        _number(data.get("rate"), "rate", 0.0625, 16),
    )
    record = study.lesson_progress(enrolment, lesson)
    required = study.lesson_required_seconds(lesson)
    return jsonify(
        credited=result.credited,
        refused=result.refused,
        watched_seconds=result.watched_seconds,
        watched_percent=result.percent,
        lesson_seconds=record.seconds,
        required_seconds=required,
        can_complete=record.seconds >= required,
    )


def _number(raw: Any, name: str, low: float, high: float) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not low <= raw <= high:
        raise BadParameter(_l("%(name)s: not a number in range", name=name))
    return float(raw)


@bp.route("/<int:enrolment_id>/lessons/<int:lesson_id>/complete", methods=["POST"])
@roles_required(Role.TRAINEE)
def complete(enrolment_id: int, lesson_id: int) -> Any:
    enrolment = _my_enrolment(enrolment_id)
    lesson = _lesson_of(enrolment, lesson_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("learn.lesson", enrolment_id=enrolment.id, lesson_id=lesson.id))
    try:
        study.complete_lesson(enrolment, lesson)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("learn.lesson", enrolment_id=enrolment.id, lesson_id=lesson.id))
    if enrolment.completed_at is not None:
        flash(_l("Course completed. You may now sit the exam of this level."), "success")
        return redirect(url_for("learn.course", enrolment_id=enrolment.id))
    lessons = enrolment.cohort.course.active_lessons
    following = next((item for item in lessons if item.position > lesson.position), None)
    flash(_l("Lesson marked as done."), "success")
    if following is not None:
        return redirect(url_for("learn.lesson", enrolment_id=enrolment.id, lesson_id=following.id))
    return redirect(url_for("learn.course", enrolment_id=enrolment.id))


@bp.route("/attend", methods=["GET", "POST"])
@roles_required(Role.TRAINEE)
def attend() -> Any:
    form = CheckInForm()
    if form.validate_on_submit():
        return _check_in((form.code.data or "").strip(), "code")
    return render_template("learn/attend.html", form=form, code=None)


@bp.route("/attend/<code>", methods=["GET", "POST"])
@roles_required(Role.TRAINEE)
def attend_by_qr(code: str) -> Any:
    form = ActionForm()
    if form.validate_on_submit():
        return _check_in(code, "qr")
    # The page does not look the code up: answering "no such class" here would let anyone try
    # codes without the limit on check-in attempts. The check-in itself (POST) says.
    ensure(code.isdigit() and len(code) == 6)
    return render_template("learn/attend.html", form=form, code=code)


def _check_in(code: str, method: str) -> Any:
    try:
        attendance = study.check_in(code, current_user.staff_id, method)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("learn.attend"))
    flash(
        _l("Checked in to %(title)s.", title=attendance.session.title),
        "success",
    )
    return redirect(url_for("learn.course", enrolment_id=attendance.enrolment_id))
