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
    "content.submitted": _l("Course content sent for review"),
    "content.published": _l("Course content published"),
    "content.returned": _l("Course content sent back to its author"),
    "content.discarded": _l("Course content draft discarded"),
    "content.rollback_started": _l("Draft started from an earlier version of course content"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "reports.uncertified_exported_full": _l("Uncertified caregivers exported with full ID numbers"),
}


def action_label(action: str) -> str:
    """The Chinese (or chosen language's) name of an action; every action passed to
    :func:`record` has one (``tests/core/test_audit_labels.py`` checks the source)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


# How the log reads: the names of the details and of the objects, not their codes ---------------

DETAIL_LABELS = {
    "admission": _l("Admission number"),
    "after": _l("After"),
    "attempts": _l("Papers"),
    "auto": _l("Automatic"),
    "auto_submitted": _l("Handed in automatically"),
    "before": _l("Before"),
    "candidate": _l("Candidate"),
    "changes": _l("Changes"),
    "count": _l("Count"),
    "created": _l("Created"),
    "critical": _l("Critical errors"),
    "district_id": _l("District"),
    "end": _l("End"),
    "fields": _l("Fields"),
    "filename": _l("File name"),
    "hours": _l("Hours"),
    "key": _l("Key"),
    "kind": _l("Kind"),
    "name": _l("Name"),
    "note": _l("Note"),
    "number": _l("Number"),
    "papers": _l("Papers"),
    "photos": _l("Photos"),
    "previous": _l("Previous"),
    "question": _l("Question"),
    "reason": _l("Reason"),
    "refused": _l("Refused"),
    "renamed": _l("Renamed"),
    "replaced": _l("Replaced"),
    "role": _l("Role"),
    "score": _l("Score"),
    "spread": _l("Spread"),
    "staff_id": _l("Staff record"),
    "staff_ids": _l("Staff records"),
    "start": _l("Start"),
    "task": _l("Task"),
    "title": _l("Title"),
    "to": _l("To"),
    "total": _l("Total"),
    "total_quota": _l("Total places"),
    "trusted_device": _l("Trusted device"),
    "type": _l("Type"),
    "unchanged": _l("Unchanged"),
    "updated": _l("Updated"),
    "username": _l("Username"),
    "version": _l("Version"),
    "via": _l("Via"),
    "year": _l("Year"),
}
TARGET_LABELS = {
    "users": _l("Account"),
    "staff": _l("Staff record"),
    "institutions": _l("Institution"),
    "districts": _l("District"),
    "certificates": _l("Certificate"),
    "external_certificates": _l("Certificate from elsewhere"),
    "api_tokens": _l("API token"),
    "exam_sessions": _l("Theory exam session"),
    "exam_attempts": _l("Exam paper"),
    "skill_sessions": _l("Skill session"),
    "skill_candidate_tasks": _l("Practical task"),
    "training_plans": _l("Training plan"),
    "cohorts": _l("Cohort"),
    "enrolments": _l("Enrolment"),
    "roster_uploads": _l("Roster file"),
    "content_versions": _l("Course content version"),
    "jobs": _l("Background job"),
    "questions": _l("Question"),
}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, list | tuple):
        return "、".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{_shown(key)}：{_shown(item)}" for key, item in value.items())
    return str(value)


def details_shown(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """An event's details as (label, value) to read: named, and without empty values."""
    return [
        (str(DETAIL_LABELS.get(key, key)), _shown(value))
        for key, value in (details or {}).items()
        if value is not None and value != "" and value != [] and value != {}
    ]


def target_label(target_type: str | None) -> str:
    """What kind of record an event is about, named."""
    if not target_type:
        return ""
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type
