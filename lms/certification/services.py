"""Issuing, rendering, revoking and verifying certificates. Services flush, never commit."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.certification import numbering
from lms.certification.models import Certificate, CertificateStatus
from lms.core import audit
from lms.core.crypto import cipher
from lms.core.errors import Conflict, DomainError
from lms.core.levels import level_label
from lms.core.localtime import local_day
from lms.db import db, utcnow
from lms.grading.models import SkillCandidate, SkillSession, SkillSessionStatus
from lms.grading.services import level_result


def today() -> date:
    return local_day(utcnow())


def find(staff_id: int, level: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.staff_id == staff_id, Certificate.level == level)
    )


def by_number(number: str) -> Certificate | None:
    if not numbering.NUMBER.fullmatch(number):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def public_record(certificate: Certificate) -> dict[str, Any]:
    """Every material field of a certificate, as anyone may check it (ID number masked)."""
    return {
        "number": certificate.number,
        "status": certificate.status.value,
        "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
        "revoke_reason": certificate.revoke_reason or None,
        "name": certificate.holder_name,
        "id_type": "居民身份证",
        "id_number_masked": certificate.id_number_masked,
        "occupation": certificate.occupation,
        "level": certificate.level,
        "level_label": level_label(certificate.level),
        "organisation": certificate.organisation,
        "issued_on": certificate.issued_on.isoformat(),
        "reissue_count": certificate.reissue_count,
    }


def eligible() -> list[SkillCandidate]:
    """Candidates whose level result is published and passed, without a certificate yet."""
    candidates = db.session.scalars(
        select(SkillCandidate)
        .join(SkillSession)
        .where(
            SkillSession.status == SkillSessionStatus.RESULTS_PUBLISHED,
            SkillCandidate.skills_passed.is_(True),
        )
        .order_by(SkillCandidate.admission_number)
    ).all()
    return [
        candidate
        for candidate in candidates
        if level_result(candidate)["passed"]
        and find(candidate.staff_id, candidate.session.level) is None
    ]


def issue(candidate: SkillCandidate, *, on: date | None = None) -> Certificate:
    """Issue the certificate of a passed level result; issuing it again returns the same one,
    also when two requests race (the database's unique constraint decides)."""
    level = candidate.session.level
    existing = find(candidate.staff_id, level)
    if existing is not None:
        return existing
    if candidate.session.status != SkillSessionStatus.RESULTS_PUBLISHED:
        raise Conflict(_l("The results are not published yet"))
    if not level_result(candidate)["passed"]:
        raise Conflict(_l("Only a passed level (theory and skills) earns a certificate"))
    on = on or today()
    staff = candidate.staff
    try:
        with db.session.begin_nested():
            serial = numbering.next_serial(on.year, level)
            certificate = Certificate(
                number=numbering.format_number(
                    numbering.configured_prefix(), on.year, level, serial
                ),
                staff_id=staff.id,
                skill_candidate_id=candidate.id,
                level=level,
                year=on.year,
                serial=serial,
                holder_name=staff.name,
                id_number_masked=staff.id_number_masked,
                organisation=current_app.config["CERT_ORGANISATION_NAME"],
                issued_on=on,
            )
            db.session.add(certificate)
    except IntegrityError:
        # Another request issued it between our look-up and our insert: theirs stands, and
        # our serial went back with the savepoint.
        raced = find(candidate.staff_id, level)
        if raced is None:
            raise
        return raced
    audit.record("certificate.issued", certificate, number=certificate.number)
    return certificate


def revoke(certificate: Certificate, reason: str) -> None:
    """Revoke a certificate with a reason; the verification page shows both."""
    if certificate.status == CertificateStatus.REVOKED:
        raise Conflict(_l("The certificate is already revoked"))
    if not reason.strip():
        raise DomainError(_l("Give the reason for revoking the certificate"))
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoke_reason = reason.strip()
    db.session.flush()
    audit.record("certificate.revoked", certificate, number=certificate.number, reason=reason)


def reissue(certificate: Certificate) -> None:
    """Replace a lost certificate: same number, the reissue count goes up, a new PDF is made."""
    if certificate.status == CertificateStatus.REVOKED:
        raise Conflict(_l("A revoked certificate cannot be reissued"))
    certificate.reissue_count += 1
    certificate.pdf_sha256 = None
    db.session.flush()
    audit.record("certificate.reissued", certificate, count=certificate.reissue_count)


# Stored PDFs --------------------------------------------------------------------------------------


PDF_PURPOSE = "certificate-pdf"


def pdf_path(certificate: Certificate, digest: str) -> Path:
    """Where the PDF with SHA-256 ``digest`` of this issue of the certificate is kept."""
    folder = Path(current_app.config["INSTANCE_PATH"]) / "certificates" / str(certificate.year)
    return folder / f"{certificate.number}-{certificate.reissue_count}-{digest[:16]}.pdf.enc"


def stored_pdf(certificate: Certificate) -> bytes:
    """The certificate's PDF, rendered and stored once per issue. The file is encrypted (it
    carries the full ID number), named by its content's hash, written once and never
    overwritten; a file that no longer matches the recorded SHA-256 is refused."""
    if certificate.pdf_sha256 is not None:
        path = pdf_path(certificate, certificate.pdf_sha256)
        if path.exists():
            data = cipher().decrypt_bytes(path.read_bytes(), PDF_PURPOSE)
            if hashlib.sha256(data).hexdigest() != certificate.pdf_sha256:
                raise Conflict(_l("The stored certificate file has been altered"))
            return data
    from lms.certification.render import render_pdf

    data = render_pdf(certificate)
    digest = hashlib.sha256(data).hexdigest()
    path = pdf_path(certificate, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
    except FileExistsError:
        pass  # the very same bytes are stored already
    else:
        with os.fdopen(fd, "wb") as handle:
            handle.write(cipher().encrypt_bytes(data, PDF_PURPOSE))
    certificate.pdf_sha256 = digest
    db.session.flush()
    return data
