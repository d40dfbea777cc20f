"""The one-way steps of an exam session (publish and draw papers, close, publish results): each
says what it does and to how many, counted now, and runs once the user confirmed it
(lms.core.confirm). Routes on the ``exam_sessions`` blueprint of session_views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from lms.accounts.forms import ActionForm
from lms.core import confirm
from lms.core.access import roles_required
from lms.core.errors import DomainError
from lms.db import db
from lms.exams import sessions
from lms.exams.models import Attempt, AttemptStatus, Candidate, ExamSession
from lms.exams.session_views import ADMINS, _session, bp


def candidate_count(session: ExamSession) -> int:
    """The session's candidates: those publishing and its results reach."""
    statement = select(func.count()).select_from(Candidate)
    return db.session.scalar(statement.where(Candidate.session_id == session.id)) or 0


def unfinished_count(session: ExamSession) -> int:
    """Papers started and not handed in: closing hands them in as they are."""
    statement = (
        select(func.count())
        .select_from(Attempt)
        .join(Candidate)
        .where(Candidate.session_id == session.id, Attempt.status == AttemptStatus.IN_PROGRESS)
    )
    return db.session.scalar(statement) or 0


def _step(
    session_id: int,
    step: Any,
    effect: Callable[[int], Any],
    count: Callable[[ExamSession], int],
    action: Callable[[ExamSession], Any],
    done: Callable[[Any], Any],
) -> Any:
    found = _session(session_id)
    back = url_for("exam_sessions.detail", session_id=found.id)
    if ActionForm().validate_on_submit():
        n = count(found)
        asked = confirm.unless_confirmed(
            title=step, what=effect(n), count=n, button=step, cancel=back
        )
        if asked is not None:
            return asked
        try:
            result = action(found)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(done(result), "success")
    return redirect(back)


@bp.route("/<int:session_id>/publish", methods=["POST"])
@roles_required(*ADMINS)
def publish(session_id: int) -> Any:
    return _step(
        session_id,
        _l("Publish and draw papers"),
        lambda n: _l(
            "A paper is drawn for each of the %(n)d candidates; rooms and candidates can no "
            "longer be changed.",
            n=n,
        ),
        candidate_count,
        lambda found: sessions.publish(found, current_user),
        lambda n: _l("Published; %(n)d papers drawn.", n=n),
    )


@bp.route("/<int:session_id>/close", methods=["POST"])
@roles_required(*ADMINS)
def close(session_id: int) -> Any:
    return _step(
        session_id,
        _l("Close the session"),
        lambda n: _l(
            "%(n)d unfinished papers are handed in as they are; candidates who did not start "
            "score nothing.",
            n=n,
        ),
        unfinished_count,
        sessions.close,
        lambda n: _l("Closed; %(n)d unfinished papers were submitted.", n=n),
    )


@bp.route("/<int:session_id>/results/publish", methods=["POST"])
@roles_required(*ADMINS)
def publish_results(session_id: int) -> Any:
    return _step(
        session_id,
        _l("Publish results"),
        lambda n: _l(
            "%(n)d candidates see their theory scores and results, which then count toward "
            "certificates.",
            n=n,
        ),
        candidate_count,
        sessions.publish_results,
        lambda _: _l("Results published; candidates can see them now."),
    )
