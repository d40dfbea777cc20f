"""Certificates issued elsewhere: recorded with a scan by an administrator of the holder's
institution, district or city, confirmed or rejected by a district or city administrator, and
withdrawn if found invalid. Only confirmed ones of a qualifying kind count towards the rate."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import ImageOps
from sqlalchemy import select

from lms.accounts.models import User
from lms.certification import photos
from lms.certification.models import ExternalCertificate, ExternalKind, ExternalStatus
from lms.core import audit, localtime
from lms.core.access import Scope
from lms.core.crypto import cipher
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.db import db, utcnow
from lms.org.models import Staff

SCAN_PURPOSE = "external-certificate-scan"
MAX_SCAN_BYTES = 10 * 1024 * 1024
LONGEST_SIDE = 2400


def qualifies(kind: ExternalKind) -> bool:
    return kind.value in current_app.config["QUALIFYING_KINDS"]


def normalise_scan(data: bytes) -> tuple[bytes, str]:
    """The scan as stored (a PDF as given; a picture re-encoded as JPEG without metadata) and
    its media type, or a DomainError saying what is wrong. Checked by content, not by name."""
    if not data:
        raise DomainError(_l("Choose the scan of the certificate"))
    if len(data) > MAX_SCAN_BYTES:
        raise DomainError(_l("The scan is larger than 10 MB"))
    if data.startswith(b"%PDF-"):
        # Kept as given and only ever downloaded: nothing here renders or inflates a PDF.
        return data, "application/pdf"
    with photos.checked_image(data, _l("The scan must be a JPEG or PNG picture or a PDF")) as image:
        upright = ImageOps.exif_transpose(photos.reduced(image, LONGEST_SIDE)).convert("RGB")
        output = io.BytesIO()
        upright.save(output, "JPEG", quality=85, optimize=True)
    return output.getvalue(), "image/jpeg"


@dataclass(frozen=True)
class ExternalData:
    kind: ExternalKind
    number: str
    issuer: str
    level: int | None
    issued_on: date
    expires_on: date | None


def can_record(scope: Scope, staff: Staff) -> bool:
    return scope.allows_staff(staff)


def can_decide(scope: Scope, staff: Staff) -> bool:
    """City admins, and district admins for the people of their district."""
    return scope.allows_district(staff.institution.district_id)


def record(staff: Staff, data: ExternalData, scan: bytes, actor: User) -> ExternalCertificate:
    """Record a certificate from elsewhere with its scan; it awaits confirmation."""
    if not can_record(actor.scope, staff):
        raise NotAllowed(_l("This person is outside your scope"))
    if data.expires_on is not None and data.expires_on <= data.issued_on:
        raise DomainError(_l("The expiry date must be after the date of issue"))
    if data.issued_on > localtime.today():
        raise DomainError(_l("The date of issue is in the future"))
    number = data.number.strip()
    taken = db.session.scalar(
        select(ExternalCertificate.id).where(
            ExternalCertificate.kind == data.kind, ExternalCertificate.number == number
        )
    )
    if taken is not None:
        raise Conflict(_l("A certificate of this kind with this number is already recorded"))
    stored, media_type = normalise_scan(scan)
    certificate = ExternalCertificate(
        staff_id=staff.id,
        kind=data.kind,
        number=number,
        issuer=data.issuer.strip(),
        level=data.level,
        issued_on=data.issued_on,
        expires_on=data.expires_on,
        scan_encrypted=cipher().encrypt_bytes(stored, SCAN_PURPOSE),
        scan_type=media_type,
        recorded_by_id=actor.id,
    )
    db.session.add(certificate)
    db.session.flush()
    audit.record("external_certificate.recorded", certificate, staff_id=staff.id)
    return certificate


def decide(certificate: ExternalCertificate, confirm: bool, actor: User, note: str = "") -> None:
    """Confirm (it counts from then on) or reject a recorded certificate."""
    if not can_decide(actor.scope, certificate.staff):
        raise NotAllowed(_l("Only district or city administrators confirm certificates"))
    if certificate.status != ExternalStatus.PENDING:
        raise Conflict(_l("This certificate has already been decided"))
    certificate.status = ExternalStatus.CONFIRMED if confirm else ExternalStatus.REJECTED
    certificate.decided_by_id = actor.id
    certificate.decided_at = utcnow()
    certificate.decision_note = note.strip()[:200]
    db.session.flush()
    audit.record(
        "external_certificate.confirmed" if confirm else "external_certificate.rejected",
        certificate,
        note=certificate.decision_note,
    )


def withdraw(certificate: ExternalCertificate, actor: User, note: str) -> None:
    """Stop counting a confirmed certificate (found invalid, or revoked by its issuer)."""
    if not can_decide(actor.scope, certificate.staff):
        raise NotAllowed(_l("Only district or city administrators confirm certificates"))
    if certificate.status != ExternalStatus.CONFIRMED or certificate.revoked_at is not None:
        raise Conflict(_l("Only a confirmed certificate can be withdrawn"))
    if not note.strip():
        raise DomainError(_l("Give the reason"))
    certificate.revoked_at = utcnow()
    certificate.decision_note = note.strip()[:200]
    db.session.flush()
    audit.record("external_certificate.withdrawn", certificate, note=certificate.decision_note)


def scan_of(certificate: ExternalCertificate) -> bytes:
    return cipher().decrypt_bytes(certificate.scan_encrypted, SCAN_PURPOSE)
