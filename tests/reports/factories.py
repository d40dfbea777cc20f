"""Certificates written directly, for counting: how they were earned is tested elsewhere."""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from typing import Any

from sqlalchemy import select

from lms.accounts.models import User
from lms.certification.external import SCAN_PURPOSE
from lms.certification.models import (
    Certificate,
    CertificateStatus,
    ExternalCertificate,
    ExternalKind,
    ExternalStatus,
)
from lms.core.crypto import cipher
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.grading.models import SkillCandidate, SkillSession
from lms.org.models import Staff
from tests.factories import make_user

_serials = count(1)


def _skill_candidate(staff: Staff) -> SkillCandidate:
    session = db.session.scalar(select(SkillSession).where(SkillSession.title == "计数用"))
    if session is None:
        admin = make_user(Role.CITY_ADMIN)
        session = SkillSession(title="计数用", level=5, starts_at=utcnow(), created_by_id=admin.id)
        db.session.add(session)
        db.session.flush()
    candidate = SkillCandidate(
        session_id=session.id, staff_id=staff.id, admission_number=f"R{next(_serials):07d}"
    )
    db.session.add(candidate)
    db.session.flush()
    return candidate


def certify(
    staff: Staff,
    issued_on: date = date(2026, 6, 1),
    *,
    expires_on: date | None = None,
    revoked_at: datetime | None = None,
    level: int = 5,
) -> Certificate:
    serial = next(_serials)
    certificate = Certificate(
        number=f"S0000140400012{level}{serial:06d}"[:22].ljust(22, "0"),
        staff_id=staff.id,
        skill_candidate_id=_skill_candidate(staff).id,
        level=level,
        year=issued_on.year,
        serial=serial,
        holder_name=staff.name,
        id_number_masked=staff.id_number_masked,
        organisation="长治市托育综合服务中心职业技能等级认定站",
        issued_on=issued_on,
        expires_on=expires_on,
        status=CertificateStatus.REVOKED if revoked_at else CertificateStatus.VALID,
        revoked_at=revoked_at,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def record_external(
    staff: Staff,
    issued_on: date = date(2019, 5, 1),
    *,
    kind: ExternalKind = ExternalKind.BAOYUYUAN,
    status: ExternalStatus = ExternalStatus.CONFIRMED,
    expires_on: date | None = None,
    revoked_at: datetime | None = None,
    **values: Any,
) -> ExternalCertificate:
    admin: User = make_user(Role.CITY_ADMIN)
    decided = status != ExternalStatus.PENDING
    certificate = ExternalCertificate(
        staff_id=staff.id,
        kind=kind,
        number=values.pop("number", f"E{next(_serials):09d}"),
        issuer=values.pop("issuer", "山西省职业技能鉴定指导中心"),
        issued_on=issued_on,
        expires_on=expires_on,
        scan_encrypted=cipher().encrypt_bytes(b"%PDF-1.4 scan", SCAN_PURPOSE),
        scan_type="application/pdf",
        status=status,
        recorded_by_id=admin.id,
        decided_by_id=admin.id if decided else None,
        decided_at=utcnow() if decided else None,
        revoked_at=revoked_at,
        **values,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate
