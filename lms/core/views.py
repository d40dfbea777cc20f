"""Health check and the audit log viewer."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from wtforms import StringField
from wtforms.validators import Length, Optional

from lms.core import audit, params
from lms.core.access import public, roles_required
from lms.core.audit import AuditEvent
from lms.core.forms import BoundedDateField
from lms.core.localtime import LOCAL_ZONE
from lms.core.pagination import paginate, sorted_by
from lms.core.roles import Role
from lms.db import db
from lms.extensions import csrf

bp = Blueprint("core", __name__)


@bp.route("/healthz")
@csrf.exempt
@public
def healthz() -> Any:
    """For load balancers and monitors: JSON either way, 503 when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError as error:
        current_app.logger.error("health check: database error: %s", error)
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "down"}), 503
    return jsonify({"status": "ok"})


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    #: A code or a code's start (``login.``); the page offers every action by its name.
    action = StringField(_l("Event"), validators=[Optional(), Length(max=60)])
    actor = StringField(_l("User"), validators=[Optional(), Length(max=64)])
    since = BoundedDateField(_l("From"), validators=[Optional()])
    until = BoundedDateField(_l("To"), validators=[Optional()])


def _local_midnight(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE)


#: The audit log's sort orders (lms.core.pagination.sorted_by); newest first by default.
AUDIT_ORDERS: dict[str, tuple[Any, ...]] = {
    "time": (AuditEvent.at, AuditEvent.id),
    "event": (AuditEvent.action, AuditEvent.at, AuditEvent.id),
    "user": (AuditEvent.actor_name, AuditEvent.at, AuditEvent.id),
}


@bp.route("/audit")
@roles_required(Role.CITY_ADMIN)
def audit_log() -> Any:
    form = AuditFilterForm(request.args)
    form.validate()
    statement = select(AuditEvent)
    if form.action.data:
        statement = statement.where(AuditEvent.action.like(f"{form.action.data.strip()}%"))
    if form.actor.data:
        # The start of a user name finds its accounts (a name typed in full still finds one).
        statement = statement.where(
            AuditEvent.actor_name.startswith(form.actor.data.strip().lower(), autoescape=True)
        )
    if form.since.data and not form.since.errors:
        statement = statement.where(AuditEvent.at >= _local_midnight(form.since.data))
    if form.until.data and not form.until.errors:
        statement = statement.where(
            AuditEvent.at < _local_midnight(form.until.data) + timedelta(days=1)
        )
    statement, sort = sorted_by(statement, AUDIT_ORDERS, "-time")
    page = paginate(statement, params.page_arg(), current_app.config["PAGE_SIZE"])
    actions = sorted(
        ((code, str(label)) for code, label in audit.ACTION_LABELS.items()), key=lambda a: a[1]
    )
    return render_template(
        "core/audit.html",
        form=form,
        page=page,
        sort=sort,
        actions=actions,
        details_shown=audit.details_shown,
        target_label=audit.target_label,
    )
