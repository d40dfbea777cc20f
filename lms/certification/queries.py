"""Reads for the certificate pages."""

from __future__ import annotations

from sqlalchemy import select

from lms.certification.models import Certificate, CertificateStatus
from lms.db import db
from lms.learning.models import Cohort, Enrolment
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
