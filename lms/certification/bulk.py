"""Issuing certificates to everyone eligible as a background job: numbers are allocated in
committed chunks (the serial counter moves in the same transaction as the certificates, so a
crash leaves neither gaps nor duplicates), then the PDFs are rendered in parts by as many
processes as are available."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from lms.certification import services
from lms.certification.models import Certificate, CertificateStatus
from lms.db import db
from lms.grading.models import SkillCandidate
from lms.jobs import services as jobs
from lms.jobs.models import Job
from lms.jobs.registry import JobKind

KIND = "certificates.issue"
#: Certificates numbered per transaction (rendering parts: CERT_RENDER_PART).
ISSUE_CHUNK = 200


def submit(user: Any, session_id: int | None = None) -> Job:
    """Start (or join, or resume) issuing certificates to everyone eligible."""
    params = {"session_id": session_id} if session_id else {}
    return jobs.submit(KIND, params, user)


def _unrendered(job: Job) -> Select[Any]:
    query = select(Certificate.id).where(
        Certificate.pdf_sha256.is_(None), Certificate.status == CertificateStatus.VALID
    )
    if session_id := job.params.get("session_id"):
        query = query.join(
            SkillCandidate, SkillCandidate.id == Certificate.skill_candidate_id
        ).where(SkillCandidate.session_id == session_id)
    return query


class IssueCertificates(JobKind):
    name = KIND
    title = _l("Issuing certificates")
    stage_labels: ClassVar[dict[str, Any]] = {
        "issuing": _l("numbering certificates"),
        "rendering": _l("making PDFs"),
    }

    def plan(self, job: Job) -> list[list[int]]:
        from lms.certification.render import prepare

        # Build the font subsets once, before worker processes need them — with no transaction
        # open: the first build takes tens of seconds and SQLite would stay locked meanwhile.
        db.session.commit()
        prepare()
        jobs.beat(job, stage="issuing")
        issued = int(job.result.get("issued", 0))
        while batch := services.eligible(job.params.get("session_id"), limit=ISSUE_CHUNK):
            issued += services.issue_many(batch)
            jobs.beat(job, issued=issued)
        jobs.beat(job, stage="rendering", issued=issued)
        ids = list(db.session.scalars(_unrendered(job).order_by(Certificate.id)))
        size = current_app.config["CERT_RENDER_PART"]
        return [ids[start : start + size] for start in range(0, len(ids), size)]

    def work(self, job: Job, part: list[int]) -> list[tuple[int, int, bytes]]:
        from lms.certification import photos
        from lms.certification.render import render_pdfs

        certificates = db.session.scalars(
            _unrendered(job)
            .with_only_columns(Certificate)
            .where(Certificate.id.in_(part))
            .options(selectinload(Certificate.staff))
        ).all()
        held = photos.preload([certificate.staff_id for certificate in certificates])
        pdfs = render_pdfs(certificates)
        del held
        return [(c.id, c.reissue_count, pdf) for c, pdf in zip(certificates, pdfs, strict=True)]

    def save(self, job: Job, work: list[tuple[int, int, bytes]]) -> int:
        stored = 0
        for certificate_id, reissue_count, pdf in work:
            certificate = db.session.get(Certificate, certificate_id)
            # Skip what changed since rendering: stored by another worker, reissued, revoked.
            if (
                certificate is not None
                and certificate.pdf_sha256 is None
                and certificate.reissue_count == reissue_count
                and certificate.status == CertificateStatus.VALID
            ):
                stored += services.store_pdf(certificate, pdf)
        return stored

    def remaining(self, job: Job) -> int:
        unrendered = db.session.scalar(
            select(func.count()).select_from(_unrendered(job).subquery())
        )
        return int(unrendered or 0) + len(services.eligible(job.params.get("session_id"), limit=1))

    def summary(self, job: Job) -> dict[str, Any]:
        return {"rendered": job.done}
