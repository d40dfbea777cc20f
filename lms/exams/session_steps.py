"""The one-way steps of an exam session (publish and draw papers, close, publish results): each
says what it does and to how many, counted now, and runs once the user confirmed it
(lms.core.confirm). Routes on the ``exam_sessions`` blueprint of session_views."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from lms.accounts.forms import ActionForm
from lms.core import confirm
from lms.core.access import roles_required
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


def _back(found: ExamSession) -> str:
    return url_for("exam_sessions.detail", session_id=found.id)


@bp.route("/<int:session_id>/publish", methods=["POST"])
@roles_required(*ADMINS)
def publish(session_id: int) -> Any:
    found = _session(session_id)
    n = candidate_count(found)
    return confirm.step(
        title=_l("Publish and draw papers"),
        what=_l(
            "A paper is drawn for each of the %(n)d candidates; rooms and candidates can no "
            "longer be changed.",
            n=n,
        ),
        count=n,
        cancel=_back(found),
        form=ActionForm(),
        act=lambda: sessions.publish(found, current_user),
        done=lambda drawn: _l("Published; %(n)d papers drawn.", n=drawn),
    )


@bp.route("/<int:session_id>/close", methods=["POST"])
@roles_required(*ADMINS)
def close(session_id: int) -> Any:
    found = _session(session_id)
    n = unfinished_count(found)
    return confirm.step(
        title=_l("Close the session"),
        what=_l(
            "%(n)d unfinished papers are handed in as they are; candidates who did not start "
            "score nothing.",
            n=n,
        ),
        count=n,
        cancel=_back(found),
        form=ActionForm(),
        act=lambda: sessions.close(found),
        done=lambda handed_in: _l("Closed; %(n)d unfinished papers were submitted.", n=handed_in),
    )


@bp.route("/<int:session_id>/results/publish", methods=["POST"])
@roles_required(*ADMINS)
def publish_results(session_id: int) -> Any:
    found = _session(session_id)
    n = candidate_count(found)
    return confirm.step(
        title=_l("Publish results"),
        what=_l(
            "%(n)d candidates see their theory scores and results, which then count toward "
            "certificates.",
            n=n,
        ),
        count=n,
        cancel=_back(found),
        form=ActionForm(),
        act=lambda: sessions.publish_results(found),
        done=_l("Results published; candidates can see them now."),
    )
