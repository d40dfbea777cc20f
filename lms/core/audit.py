"""Audit log of security-relevant events (sign-ins, role changes, full ID views, imports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, db, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Kept beside actor_id so the log still names who acted after an account is deleted.
    actor_name: Mapped[str | None] = mapped_column(String(80))
    ip: Mapped[str | None] = mapped_column(String(45))
    #: Dotted event code, e.g. ``login.failed``, ``staff.id_number_viewed``.
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(
    action: str,
    target: Any | None = None,
    *,
    actor: Any | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event for the current user (or ``actor``) within the current transaction."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None),
        ip=request.remote_addr if has_request_context() else None,
        target_type=getattr(target, "__tablename__", None),
        target_id=getattr(target, "id", None),
        details=details,
    )
    db.session.add(event)
    return event


ACTION_LABELS = {
    "login.succeeded": _l("Signed in"),
    "login.failed": _l("Failed sign-in"),
    "login.locked": _l("Account locked after failed sign-ins"),
    "login.refused_locked": _l("Sign-in refused: account locked"),
    "login.refused_inactive": _l("Sign-in refused: account deactivated"),
    "user.created": _l("Account created"),
    "user.role_changed": _l("Role changed"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset by an administrator"),
    "user.activated": _l("Account activated"),
    "user.deactivated": _l("Account deactivated"),
    "user.unlocked": _l("Account unlocked"),
    "institution.created": _l("Institution registered"),
    "institution.updated": _l("Institution changed"),
    "staff.created": _l("Staff record added"),
    "staff.updated": _l("Staff record changed"),
    "staff.id_number_viewed": _l("Full ID number viewed"),
    "staff.exported_full": _l("Staff exported with full ID numbers"),
    "certificates.report_exported": _l("Certificate report for the provincial platform exported"),
    "certificates.photos_exported": _l("Holder photos for the provincial platform exported"),
    "certificate_photo.saved": _l("Certificate photo saved"),
    "roster.imported": _l("Roster imported"),
    "training.plan_created": _l("Training plan created"),
    "training.cohort_created": _l("Cohort created"),
    "training.nominated": _l("Trainee nominated"),
    "training.approved": _l("Nomination approved"),
    "training.rejected": _l("Nomination rejected"),
    "training.withdrawn": _l("Enrolment withdrawn"),
    "training.completed": _l("Course completed"),
    "bank.question_created": _l("Question added to the bank"),
    "bank.question_retired": _l("Question retired"),
    "bank.question_restored": _l("Question restored to the bank"),
    "bank.qti_imported": _l("Questions imported from QTI"),
    "exam.session_created": _l("Exam session created"),
    "exam.candidates_added": _l("Exam candidates admitted"),
    "exam.session_published": _l("Exam session published"),
    "exam.started": _l("Exam started"),
    "exam.submitted": _l("Exam paper handed in"),
    "exam.session_closed": _l("Exam session closed"),
    "exam.short_answer_marked": _l("Short answer marked"),
    "exam.results_published": _l("Exam results published"),
    "exam.regraded": _l("Handed-in papers regraded by a newer question version"),
    "skills.session_created": _l("Skill session created"),
    "skills.session_published": _l("Skill session published"),
    "skills.relation_declared": _l("Examiner declared a relation"),
    "skills.mark_saved": _l("Marking sheet saved"),
    "skills.mark_submitted": _l("Marking sheet submitted"),
    "skills.arbitration_needed": _l("Marks too far apart: arbitration needed"),
    "skills.arbitrated": _l("Mark arbitrated"),
    "skills.task_final": _l("Task mark final"),
    "skills.results_published": _l("Skill results published"),
    "skills.appeal_opened": _l("Appeal opened for re-marking"),
    "certificate.issued": _l("Certificate issued"),
    "certificate.revoked": _l("Certificate revoked"),
    "certificate.reissued": _l("Certificate reissued"),
    "external_certificate.recorded": _l("Certificate from elsewhere recorded"),
    "external_certificate.confirmed": _l("Certificate from elsewhere confirmed"),
    "external_certificate.rejected": _l("Certificate from elsewhere rejected"),
    "external_certificate.withdrawn": _l("Certificate from elsewhere withdrawn"),
    "external_certificate.scan_viewed": _l("Scan of a certificate from elsewhere viewed"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "reports.uncertified_exported_full": _l("Uncertified caregivers exported with full ID numbers"),
}


def action_label(action: str) -> str:
    """The Chinese (or chosen language's) name of an action; every action passed to
    :func:`record` has one (``tests/core/test_audit_labels.py`` checks the source)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
