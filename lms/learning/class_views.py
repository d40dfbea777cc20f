"""Class sessions with check-in (the trainer's screen with code and QR, marking someone
present), on the ``training`` blueprint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import segno
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from lms.accounts.forms import ActionForm
from lms.core.access import get_visible, roles_required
from lms.core.errors import DomainError, NotAllowed
from lms.core.localtime import LOCAL_ZONE
from lms.learning import queries, services, study
from lms.learning.blueprint import TRAINERS, bp, visible_cohort
from lms.learning.forms import SessionForm
from lms.learning.models import ClassSession, Enrolment, EnrolmentStatus

# Class sessions and check-in ----------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/sessions", methods=["POST"])
@roles_required(*TRAINERS)
def add_session(cohort_id: int) -> Any:
    cohort = visible_cohort(cohort_id)
    form = SessionForm()
    if form.validate_on_submit():
        starts = datetime.combine(form.day.data, form.starts.data, tzinfo=LOCAL_ZONE)
        ends = datetime.combine(form.day.data, form.ends.data, tzinfo=LOCAL_ZONE)
        try:
            session = study.create_session(cohort, form.title.data or "", starts, ends)
        except DomainError as error:
            flash(error.message, "error")
        else:
            return redirect(url_for("training.class_session", session_id=session.id))
    else:
        flash(_l("Give the class a title, a date and its times."), "error")
    return redirect(url_for("training.cohort", cohort_id=cohort.id))


def _visible_session(session_id: int) -> ClassSession:
    return get_visible(
        ClassSession,
        session_id,
        lambda found: services.can_see_cohort(current_user.scope, found.cohort),
    )


@bp.route("/sessions/<int:session_id>")
@roles_required(*TRAINERS)
def class_session(session_id: int) -> Any:
    """The trainer's check-in screen: the code and QR to show, and who has checked in."""
    session = _visible_session(session_id)
    url = url_for("learn.attend_by_qr", code=session.check_in_code, _external=True)
    qr = Markup(segno.make(url, error="m").svg_inline(scale=6, dark="#1f2933"))  # noqa: S704
    present = {a.enrolment_id: a for a in queries.session_attendance(session, current_user.scope)}
    rows = [
        row
        for row in queries.cohort_enrolments(session.cohort, current_user.scope)
        if row.enrolment.status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)
    ]
    return render_template(
        "training/session.html",
        session=session,
        qr=qr,
        url=url,
        rows=rows,
        present=present,
        action_form=ActionForm(),
    )


@bp.route("/sessions/<int:session_id>/attendance/<int:enrolment_id>", methods=["POST"])
@roles_required(*TRAINERS)
def mark_present(session_id: int, enrolment_id: int) -> Any:
    session = _visible_session(session_id)
    enrolment = get_visible(Enrolment, enrolment_id)
    if ActionForm().validate_on_submit():
        try:
            study.mark_present(session, enrolment, current_user.scope, current_user.id)
        except NotAllowed:
            abort(404)  # as for any record outside one's scope: its existence is not revealed
    return redirect(url_for("training.class_session", session_id=session.id))
