"""Reads for the certificate pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from lms.certification import external
from lms.certification.models import (
    Certificate,
    CertificateStatus,
    ExternalCertificate,
    ExternalStatus,
)
from lms.core import idnumber, localtime
from lms.core.access import Scope
from lms.db import db
from lms.learning.models import Cohort, Enrolment
from lms.org import queries as org_queries
from lms.org.models import District, Institution, Staff


def districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.code)))


def cohorts() -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.id)))


def for_archive(*, district_id: int | None, cohort_id: int | None) -> list[Certificate]:
    """Valid certificates of the staff of a district (by their institution) or of a cohort."""
    query = select(Certificate).where(Certificate.status == CertificateStatus.VALID)
    if district_id is not None:
        query = (
            query.join(Staff, Staff.id == Certificate.staff_id)
            .join(Institution, Institution.id == Staff.institution_id)
            .where(Institution.district_id == district_id)
        )
    if cohort_id is not None:
        query = query.where(
            Certificate.staff_id.in_(
                select(Enrolment.staff_id).where(Enrolment.cohort_id == cohort_id)
            )
        )
    return list(db.session.scalars(query.order_by(Certificate.number)))


@dataclass(frozen=True)
class StaffCertificates:
    """What the staff page shows of a person's certificates (templates/certificates/
    _staff_certificates.html): ours with their status on ``today``, those from elsewhere with
    whether their kind counts towards the rate, and whether the viewer may decide on them."""

    staff: Staff
    today: date
    certificates: list[tuple[Certificate, str]]
    external: list[tuple[ExternalCertificate, bool]]
    can_decide: bool


def certificates_of(staff: Staff, scope: Scope) -> StaffCertificates:
    """The person's certificates, ours by level and those from elsewhere newest first."""
    today = localtime.today()
    ours = db.session.scalars(
        select(Certificate).where(Certificate.staff_id == staff.id).order_by(Certificate.level)
    )
    elsewhere = db.session.scalars(
        select(ExternalCertificate)
        .where(ExternalCertificate.staff_id == staff.id)
        .order_by(ExternalCertificate.issued_on.desc())
    )
    return StaffCertificates(
        staff=staff,
        today=today,
        certificates=[(c, c.status_on(today)) for c in ours],
        external=[(e, external.qualifies(e.kind)) for e in elsewhere],
        can_decide=external.can_decide(scope, staff),
    )


# The register -----------------------------------------------------------------------------------

#: What a certificate can be on a day (Certificate.status_on).
REGISTER_STATUSES = ("valid", "revoked", "expired")


@dataclass(frozen=True)
class RegisterFilter:
    """The register's search and filters, already bounded by the view (lms.core.params)."""

    text: str = ""  # a name, certificate number, ID number or institution name
    district_id: int | None = None
    cohort_id: int | None = None
    level: int | None = None
    status: str | None = None  # one of REGISTER_STATUSES
    issued_from: date | None = None
    issued_to: date | None = None


def _text_matches(text: str) -> ColumnElement[bool]:
    """A typed search term: an ID number matches by its keyed hash (the number itself is stored
    encrypted), a certificate number by its beginning, a name or institution by any part."""
    from lms.org.services import id_number_hash

    term = text.strip()
    if idnumber.looks_like(term):
        return Staff.id_number_hash == id_number_hash(term)
    like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        Certificate.number.startswith(term.upper(), autoescape=True),
        Certificate.holder_name.like(like, escape="\\"),
        Institution.name.like(like, escape="\\"),
    )


#: The register's sort orders (lms.core.pagination.sorted_by); newest number first by default.
REGISTER_ORDERS: dict[str, tuple[Any, ...]] = {
    "number": (Certificate.number,),
    "name": (Certificate.holder_name, Certificate.number),
    "level": (Certificate.level, Certificate.number),
    "issued": (Certificate.issued_on, Certificate.number),
}


def register(wanted: RegisterFilter, today: date) -> Select[Any]:
    """The certificates matching ``wanted``, newest number first, for ``paginate``."""
    statement = (
        select(Certificate)
        .join(Staff, Staff.id == Certificate.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .order_by(Certificate.number.desc())
    )
    if wanted.text.strip():
        statement = statement.where(_text_matches(wanted.text))
    if wanted.district_id is not None:
        statement = statement.where(Institution.district_id == wanted.district_id)
    if wanted.cohort_id is not None:
        statement = statement.where(
            Certificate.staff_id.in_(
                select(Enrolment.staff_id).where(Enrolment.cohort_id == wanted.cohort_id)
            )
        )
    if wanted.level is not None:
        statement = statement.where(Certificate.level == wanted.level)
    if wanted.status in REGISTER_STATUSES:
        statement = statement.where(Certificate.status_on_sql(today) == wanted.status)
    if wanted.issued_from is not None:
        statement = statement.where(Certificate.issued_on >= wanted.issued_from)
    if wanted.issued_to is not None:
        statement = statement.where(Certificate.issued_on <= wanted.issued_to)
    return statement


# What the homes show (lms/reports/home.py) ---------------------------------------------------


def external_to_confirm(scope: Scope) -> int:
    """Certificates from elsewhere of the staff ``scope`` sees, waiting for a decision."""
    statement = (
        select(func.count(ExternalCertificate.id))
        .join(Staff, Staff.id == ExternalCertificate.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(ExternalCertificate.status == ExternalStatus.PENDING)
    )
    return db.session.scalar(org_queries.in_scope(statement, scope)) or 0


def valid_certificates(staff_id: int) -> list[Certificate]:
    """The person's certificates valid today, by level."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(
                Certificate.staff_id == staff_id,
                Certificate.status_on_sql(localtime.today()) == "valid",
            )
            .order_by(Certificate.level, Certificate.id)
        )
    )
