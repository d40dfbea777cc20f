"""Roster files uploaded through the web: stored encrypted, previewed, then applied once."""

from __future__ import annotations

import hashlib

from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.core import audit
from lms.core.crypto import cipher
from lms.core.errors import Conflict, DomainError
from lms.db import db, utcnow
from lms.org import roster
from lms.org.models import RosterUpload

UPLOAD_PURPOSE = "roster.upload"
MAX_BYTES = 25 * 1024 * 1024


def store_upload(user: User, filename: str, content: bytes) -> RosterUpload:
    """Keep an uploaded roster (encrypted: it holds ID numbers) until it is confirmed."""
    if not content:
        raise DomainError(_l("The file is empty"))
    if len(content) > MAX_BYTES:
        raise DomainError(_l("The file is larger than 25 MB"))
    upload = RosterUpload(
        uploaded_by_id=user.id,
        filename=filename[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_encrypted=cipher().encrypt_bytes(content, UPLOAD_PURPOSE),
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def upload_content(upload: RosterUpload) -> bytes:
    if upload.content_encrypted is None:
        raise Conflict(_l("This upload has already been applied or discarded"))
    return cipher().decrypt_bytes(upload.content_encrypted, UPLOAD_PURPOSE)


def preview(upload: RosterUpload, user: User) -> roster.RosterPlan:
    """Check the upload against the database as it is now."""
    return roster.plan_import(upload.filename, upload_content(upload), scope=user.scope)


def apply_upload(upload: RosterUpload, user: User) -> roster.ImportResult:
    """Check the upload again and write it, all or nothing; then erase the stored file."""
    if upload.status != "pending":
        raise Conflict(_l("This upload has already been applied or discarded"))
    plan = preview(upload, user)
    if plan.errors:
        raise DomainError(_l("The file has errors; nothing was imported"))
    result = roster.apply_plan(plan)
    upload.status = "applied"
    upload.applied_at = utcnow()
    upload.content_encrypted = None
    upload.summary = {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    audit.record(
        "roster.imported", upload, filename=upload.filename, sha256=upload.sha256, **upload.summary
    )
    return result


def discard_upload(upload: RosterUpload) -> None:
    if upload.status == "pending":
        upload.status = "discarded"
        upload.content_encrypted = None
