"""The one-way steps of a skill session (publish for marking, publish results): each says what
it does and to how many candidates, counted now, and runs once the user confirmed it
(lms.core.confirm). Routes on the ``skills`` blueprint of lms.grading.views."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from lms.accounts.forms import ActionForm
from lms.core import confirm
from lms.core.access import roles_required
from lms.core.roles import Role
from lms.db import db
from lms.grading import sessions
from lms.grading.models import SkillCandidate, SkillSession
from lms.grading.views import _session, bp


def candidate_count(session: SkillSession) -> int:
    statement = select(func.count()).select_from(SkillCandidate)
    return db.session.scalar(statement.where(SkillCandidate.session_id == session.id)) or 0


@bp.route("/sessions/<int:session_id>/publish", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def publish(session_id: int) -> Any:
    session = _session(session_id)
    n = candidate_count(session)
    return confirm.step(
        title=_l("Publish for marking"),
        what=_l(
            "Examiners can mark the %(n)d candidates; candidates, panels and time slots can "
            "no longer be changed.",
            n=n,
        ),
        count=n,
        cancel=url_for("skills.detail", session_id=session.id),
        form=ActionForm(),
        act=lambda: sessions.publish(session, current_user),
        done=_l("Published: examiners can mark."),
        flash_errors=False,  # a DomainError is answered with its status and message
    )


@bp.route("/sessions/<int:session_id>/publish-results", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def publish_results(session_id: int) -> Any:
    session = _session(session_id)
    n = candidate_count(session)
    return confirm.step(
        title=_l("Publish results"),
        what=_l(
            "%(n)d candidates see their skill results, which then count toward certificates; "
            "marks are locked (only an appeal re-marks).",
            n=n,
        ),
        count=n,
        cancel=url_for("skills.detail", session_id=session.id),
        form=ActionForm(),
        act=lambda: sessions.publish_results(session, current_user),
        done=_l("Results published; marks are locked."),
        flash_errors=False,  # a DomainError is answered with its status and message
    )
