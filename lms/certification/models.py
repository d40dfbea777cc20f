"""Skill-level certificates (职业技能等级证书) and the serial counters that number them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.labels import LabelledEnum, labels
from lms.core.localtime import today
from lms.db import Base, TimestampMixin, str_enum
from lms.org.models import Staff


def new_subject_id() -> str:
    return str(uuid.uuid4())


class CertificateStatus(LabelledEnum):
    VALID = "valid"
    REVOKED = "revoked"

    __labels__ = labels({VALID: _l("Valid"), REVOKED: _l("Revoked")})


#: Labels of what a certificate is on a given day: the stored status, or expired.
STATUS_LABELS = {**CertificateStatus.__labels__, "expired": _l("Expired")}


class CertificateSerial(Base):
    """The last serial used for a (year, level); certificates take the next one atomically."""

    __tablename__ = "certificate_serials"
    __table_args__ = (CheckConstraint("last_serial BETWEEN 0 AND 999999", name="serial_range"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_serial: Mapped[int] = mapped_column(default=0)


class Certificate(TimestampMixin, Base):
    __tablename__ = "certificates"
    __table_args__ = (
        # One certificate per person and level: concurrent issues of the same result collide here.
        UniqueConstraint("staff_id", "level"),
        UniqueConstraint("year", "level", "serial"),
        CheckConstraint("length(number) = 22", name="number_length"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("serial BETWEEN 1 AND 999999", name="serial_range"),
        CheckConstraint("reissue_count >= 0", name="reissue_count_not_negative"),
        CheckConstraint("(status = 'revoked') = (revoked_at IS NOT NULL)", name="revoked_has_date"),
        CheckConstraint("expires_on IS NULL OR expires_on > issued_on", name="expires_after_issue"),
        CheckConstraint("(reissue_count = 0) = (reissued_at IS NULL)", name="reissued_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 证书编号, 22 characters (DOMAIN.md): configured prefix, year, level, serial.
    number: Mapped[str] = mapped_column(String(22), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    skill_candidate_id: Mapped[int] = mapped_column(ForeignKey("skill_candidates.id"))
    level: Mapped[int]
    year: Mapped[int]
    serial: Mapped[int]
    #: As printed: the holder's name and the masked ID number at the time of issue.
    holder_name: Mapped[str] = mapped_column(String(50))
    id_number_masked: Mapped[str] = mapped_column(String(18))
    occupation: Mapped[str] = mapped_column(String(30), default="保育师")
    organisation: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date]
    #: Optional end of validity (LMS_CERT_VALID_YEARS); None means valid without a time limit.
    expires_on: Mapped[date | None]
    status: Mapped[CertificateStatus] = mapped_column(
        str_enum(CertificateStatus, "certificate_status", 10), default=CertificateStatus.VALID
    )
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    #: Replacements of a lost certificate keep the number; the count is printed and shown.
    reissue_count: Mapped[int] = mapped_column(default=0)
    #: When the latest replacement was made (None: never reissued); the provincial batch
    #: (report.py) reports a reissue on this day.
    reissued_at: Mapped[datetime | None] = mapped_column(index=True)
    #: SHA-256 of the stored PDF of the current issue (a CertificateFile).
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    #: How the Open Badges credential identifies the holder: a random UUID, so that nothing
    #: about the person, least of all the ID number, can be worked out from it (badges.py).
    subject_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_subject_id)

    staff: Mapped[Staff] = relationship()

    @property
    def current_status(self) -> str:
        return self.status_on(today())

    def status_on(self, day: date) -> str:
        """valid, revoked or expired on ``day``."""
        if self.status == CertificateStatus.REVOKED:
            return "revoked"
        if self.expires_on is not None and day >= self.expires_on:
            return "expired"
        return "valid"

    @classmethod
    def status_on_sql(cls, day: date) -> ColumnElement[str]:
        """``status_on`` in SQL, to filter and count without loading the certificates."""
        return case(
            (cls.status == CertificateStatus.REVOKED, "revoked"),
            (and_(cls.expires_on.is_not(None), cls.expires_on <= day), "expired"),
            else_="valid",
        )


class CertificateFile(Base):
    """An issued certificate's PDF, encrypted (it prints the full ID number). Rows are only
    ever inserted: a reissue or re-render adds a row, and the certificate points at the
    current one by its SHA-256. Kept in the database so that any web process or worker can
    serve it."""

    __tablename__ = "certificate_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), index=True
    )
    reissue_count: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    pdf_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class HolderPhoto(Base):
    """The 1-inch photo printed on a person's certificates: re-encoded JPEG, stored encrypted."""

    __tablename__ = "holder_photos"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    jpeg_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime]


class ExternalKind(LabelledEnum):
    """Kinds of certificate issued elsewhere that a person may hold."""

    BAOYUSHI = "baoyushi"
    BAOYUYUAN = "baoyuyuan"
    YUYINGYUAN = "yuyingyuan"
    OTHER = "other"

    __labels__ = labels(
        {
            BAOYUSHI: _l("Childcare worker (保育师) certificate from another body"),
            BAOYUYUAN: _l("Earlier childcare worker (保育员) certificate"),
            YUYINGYUAN: _l("Infant care (育婴员) certificate"),
            OTHER: _l("Other certificate"),
        }
    )


class ExternalStatus(LabelledEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"

    __labels__ = labels(
        {
            PENDING: _l("Awaiting confirmation"),
            CONFIRMED: _l("Confirmed"),
            REJECTED: _l("Rejected"),
        }
    )


class ExternalCertificate(TimestampMixin, Base):
    """A certificate issued elsewhere, recorded with a scan as evidence. It counts towards the
    licensed-to-work rate once an administrator confirms it and its kind qualifies
    (``LMS_QUALIFYING_KINDS``)."""

    __tablename__ = "external_certificates"
    __table_args__ = (
        UniqueConstraint("kind", "number"),
        CheckConstraint("expires_on IS NULL OR expires_on > issued_on", name="expires_after_issue"),
        CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)", name="decided_unless_pending"
        ),
        CheckConstraint("(revoked_at IS NULL) OR status = 'confirmed'", name="revoke_confirmed"),
        CheckConstraint("level IS NULL OR level BETWEEN 1 AND 5", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ExternalKind] = mapped_column(str_enum(ExternalKind, "external_kind", 20))
    number: Mapped[str] = mapped_column(String(40))
    issuer: Mapped[str] = mapped_column(String(100))
    level: Mapped[int | None]
    issued_on: Mapped[date]
    expires_on: Mapped[date | None]
    #: The uploaded evidence (JPEG, PNG or PDF), encrypted: it shows the ID number.
    scan_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    scan_type: Mapped[str] = mapped_column(String(40))
    status: Mapped[ExternalStatus] = mapped_column(
        str_enum(ExternalStatus, "external_status", 10), default=ExternalStatus.PENDING
    )
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(String(200), default="")
    #: Withdrawn after confirmation (found invalid, or revoked by its issuer).
    revoked_at: Mapped[datetime | None]

    staff: Mapped[Staff] = relationship()
