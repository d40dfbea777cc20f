"""Issuing, rendering, revoking and verifying certificates. Services flush, never commit."""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import date
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.sql import Select

from lms.certification import numbering
from lms.certification.models import (
    Certificate,
    CertificateFile,
    CertificateStatus,
    HolderPhoto,
)
from lms.core import audit
from lms.core.crypto import cipher
from lms.core.errors import Conflict, DomainError
from lms.core.localtime import today
from lms.db import db, utcnow
from lms.grading.models import SkillCandidate, SkillSession, SkillSessionStatus
from lms.grading.results import candidate_has_passed, candidate_passes
from lms.org.models import Staff


def find(staff_id: int, level: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.staff_id == staff_id, Certificate.level == level)
    )


def by_number(number: str) -> Certificate | None:
    if not numbering.NUMBER.fullmatch(number):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def _passed_uncertified(session_id: int | None) -> Select[SkillCandidate]:
    """Candidates whose level is passed (published theory and skills), without a certificate
    for it yet; ``session_id`` narrows to one skill session."""
    certified = select(Certificate.id).where(
        Certificate.staff_id == SkillCandidate.staff_id, Certificate.level == SkillSession.level
    )
    query = (
        select(SkillCandidate)
        .join(SkillSession)
        .options(contains_eager(SkillCandidate.session), selectinload(SkillCandidate.staff))
        .where(candidate_passes(SkillCandidate, SkillSession), ~exists(certified))
        .order_by(SkillCandidate.session_id, SkillCandidate.admission_number)
    )
    if session_id is not None:
        query = query.where(SkillCandidate.session_id == session_id)
    return query


#: The photo condition of a certificate: the holder has an accepted photo (one is stored
#: only once it has passed the checks of photos.normalise).
HAS_PHOTO = exists(
    select(HolderPhoto.staff_id).where(HolderPhoto.staff_id == SkillCandidate.staff_id)
)


def eligible(session_id: int | None = None, *, limit: int | None = None) -> list[SkillCandidate]:
    """Candidates who earn a certificate now: level passed, none issued for it yet, and an
    accepted photo on file (``HAS_PHOTO``)."""
    query = _passed_uncertified(session_id).where(HAS_PHOTO)
    return list(db.session.scalars(query.limit(limit)))


def waiting_for_photo(session_id: int | None = None) -> list[SkillCandidate]:
    """Candidates who passed and would be issued a certificate but for their photo."""
    return list(db.session.scalars(waiting_for_photo_matching(session_id=session_id)))


def waiting_for_photo_matching(
    text: str = "", *, session_id: int | None = None
) -> Select[SkillCandidate]:
    """``waiting_for_photo`` as a statement (for pages; it joins Staff, to sort by name);
    ``text`` matches a part of the name or of the admission number."""
    query = (
        _passed_uncertified(session_id)
        .where(~HAS_PHOTO)
        .join(Staff, Staff.id == SkillCandidate.staff_id)
    )
    text = text.strip()
    if text:
        query = query.where(
            or_(
                Staff.name.contains(text, autoescape=True),
                SkillCandidate.admission_number.contains(text, autoescape=True),
            )
        )
    return query


def waiting_counts() -> tuple[int, int]:
    """How many ``eligible()`` and ``waiting_for_photo()`` list, counted in one query."""
    passed = _passed_uncertified(None).order_by(None).subquery()
    photo = exists().where(HolderPhoto.staff_id == passed.c.staff_id)
    ready, no_photo = db.session.execute(
        select(func.count().filter(photo), func.count().filter(~photo)).select_from(passed)
    ).one()
    return int(ready), int(no_photo)


def has_photo(staff_id: int) -> bool:
    return db.session.get(HolderPhoto, staff_id) is not None


def validity_end(issued_on: date) -> date | None:
    """The expiry date for a certificate issued on ``issued_on`` (CERT_VALID_YEARS), if any."""
    years = current_app.config.get("CERT_VALID_YEARS")
    if not years:
        return None
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February
        return issued_on.replace(year=issued_on.year + years, day=28)


def issue(
    candidate: SkillCandidate, *, on: date | None = None, checked: bool = False
) -> Certificate:
    """Issue the certificate of a passed level result; issuing it again returns the same one,
    also when two requests race (the database's unique constraint decides). ``checked`` says
    the candidate comes from eligible(), which has checked the result and the absence of a
    certificate already."""
    level = candidate.session.level
    if not checked:
        existing = find(candidate.staff_id, level)
        if existing is not None:
            return existing
        if candidate.session.status != SkillSessionStatus.RESULTS_PUBLISHED:
            raise Conflict(_l("The results are not published yet"))
        if not candidate_has_passed(candidate):
            raise Conflict(_l("Only a passed level (theory and skills) earns a certificate"))
        if not has_photo(candidate.staff_id):
            raise Conflict(_l("The holder has no accepted photo yet; a certificate needs one"))
    on = on or today()
    try:
        with db.session.begin_nested():
            serial = numbering.next_serial(on.year, level)
            certificate = _new_certificate(candidate, on, serial)
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


def _new_certificate(candidate: SkillCandidate, on: date, serial: int) -> Certificate:
    level = candidate.session.level
    staff = candidate.staff
    return Certificate(
        number=numbering.format_number(numbering.configured_prefix(), on.year, level, serial),
        staff_id=staff.id,
        skill_candidate_id=candidate.id,
        level=level,
        year=on.year,
        serial=serial,
        holder_name=staff.name,
        id_number_masked=staff.id_number_masked,
        organisation=current_app.config["CERT_ORGANISATION_NAME"],
        issued_on=on,
        expires_on=validity_end(on),
    )


def issue_many(candidates: Sequence[SkillCandidate], *, on: date | None = None) -> int:
    """Issue certificates to candidates found by eligible(): the serials of each level are
    taken in one step and the certificates written together. If any of them was issued
    meanwhile, the batch goes back (serials included) and each is issued on its own."""
    on = on or today()
    by_level: dict[int, list[SkillCandidate]] = {}
    for candidate in candidates:
        by_level.setdefault(candidate.session.level, []).append(candidate)
    try:
        with db.session.begin_nested():
            issued = []
            for level, group in sorted(by_level.items()):
                first = numbering.take_serials(on.year, level, len(group))
                issued += [
                    _new_certificate(candidate, on, first + offset)
                    for offset, candidate in enumerate(group)
                ]
            db.session.add_all(issued)
    except IntegrityError:
        for candidate in candidates:
            issue(candidate, on=on, checked=True)
        return len(candidates)
    for certificate in issued:
        audit.record("certificate.issued", certificate, number=certificate.number)
    return len(issued)


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
    certificate.reissued_at = utcnow()
    certificate.pdf_sha256 = None
    db.session.flush()
    audit.record("certificate.reissued", certificate, count=certificate.reissue_count)


# Stored PDFs --------------------------------------------------------------------------------------


PDF_PURPOSE = "certificate-pdf"


def stored_pdf(certificate: Certificate) -> bytes:
    """The certificate's PDF, rendered and stored once per issue and read back afterwards; a
    stored copy that no longer matches its recorded SHA-256 is refused."""
    if certificate.pdf_sha256 is not None:
        stored = db.session.scalar(
            select(CertificateFile).where(CertificateFile.sha256 == certificate.pdf_sha256)
        )
        if stored is not None:
            data = cipher().decrypt_bytes(stored.pdf_encrypted, PDF_PURPOSE)
            if hashlib.sha256(data).hexdigest() != certificate.pdf_sha256:
                raise Conflict(_l("The stored certificate file has been altered"))
            return data
    from lms.certification.render import render_pdf

    data = render_pdf(certificate)
    store_pdf(certificate, data)
    return data


def store_pdf(certificate: Certificate, data: bytes) -> bool:
    """Keep ``data`` as the PDF of the certificate's current issue, unless another process
    stored one first (then theirs stands and this returns False)."""
    digest = hashlib.sha256(data).hexdigest()
    claimed = db.session.execute(
        update(Certificate)
        .where(
            Certificate.id == certificate.id,
            Certificate.reissue_count == certificate.reissue_count,
            (Certificate.pdf_sha256.is_(None)) | (Certificate.pdf_sha256 == certificate.pdf_sha256),
        )
        .values(pdf_sha256=digest)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(certificate)
        return False
    db.session.add(
        CertificateFile(
            certificate_id=certificate.id,
            reissue_count=certificate.reissue_count,
            sha256=digest,
            size=len(data),
            pdf_encrypted=cipher().encrypt_bytes(data, PDF_PURPOSE),
            created_at=utcnow(),
        )
    )
    certificate.pdf_sha256 = digest
    db.session.flush()
    return True


def archive(certificates: list[Certificate]) -> IO[bytes]:
    """A ZIP of the certificates' stored PDFs, named ``<number>-<name>.pdf`` (UTF-8 names)."""
    # The caller sends the file and closes it (Flask's send_file does).
    spool = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115
    # PDFs are compressed already: storing them is as small and much quicker.
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as bundle:
        for certificate in certificates:
            bundle.writestr(
                f"{certificate.number}-{certificate.holder_name}.pdf", stored_pdf(certificate)
            )
    spool.seek(0)
    return spool
