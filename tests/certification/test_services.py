"""Numbering, issuing once, revoking, reissuing, and the stored PDF."""

from __future__ import annotations

import hashlib
import re
import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.certification import numbering, services
from lms.certification.models import Certificate, CertificateFile, CertificateStatus
from lms.core.errors import Conflict
from lms.db import db, transaction
from lms.grading.models import SkillCandidate
from tests.certification.factories import make_passed_candidate
from tests.grading.factories import make_skill_session, mark_all

pytestmark = pytest.mark.usefixtures("app")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "certificates"


def test_the_number_has_22_characters_from_the_configured_prefix() -> None:
    candidate = make_passed_candidate()
    certificate = services.issue(candidate, on=date(2026, 11, 20))
    assert numbering.NUMBER.fullmatch(certificate.number)
    assert certificate.number == "S000014040001" + "26" + "5" + f"{certificate.serial:06d}"


def test_serials_follow_each_other_without_gaps() -> None:
    first = services.issue(make_passed_candidate(), on=date(2026, 6, 1))
    second = services.issue(make_passed_candidate(), on=date(2026, 6, 2))
    assert second.serial == first.serial + 1
    assert numbering.last_serial(2026, 5) == second.serial


def test_issuing_again_returns_the_same_certificate() -> None:
    candidate = make_passed_candidate()
    assert services.issue(candidate).id == services.issue(candidate).id


def test_a_failed_level_earns_no_certificate() -> None:
    session = make_skill_session(candidates=1)
    candidate = session.candidates[0]
    for task in candidate.tasks:
        mark_all(task, {e: 40 for e in task.panel.examiners})
    with pytest.raises(Conflict):
        services.issue(candidate)


def test_revoked_and_reissued_certificates() -> None:
    certificate = services.issue(make_passed_candidate())
    services.reissue(certificate)
    assert certificate.reissue_count == 1 and certificate.status == CertificateStatus.VALID
    services.revoke(certificate, "证书信息有误")
    assert certificate.status == CertificateStatus.REVOKED and certificate.revoked_at
    with pytest.raises(Conflict):
        services.reissue(certificate)


def test_the_pdf_is_a4_with_every_chinese_field_and_is_stored_with_its_hash() -> None:
    candidate = make_passed_candidate()
    certificate = services.issue(candidate, on=date(2026, 11, 20))
    data = services.stored_pdf(certificate)
    assert certificate.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert services.stored_pdf(certificate) == data  # stored once, read back
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "certificate.pdf"  # kept to look at (pdftoppm)
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\n", info) and "595.276 x 841.89" in info  # A4 in points
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True).stdout.replace(" ", "").replace("\n", "")  # fmt: skip
    for expected in ("职业技能等级证书", candidate.staff.name, "居民身份证", "保育师",
                     "五级/初级工", certificate.number, certificate.organisation,
                     "2026年11月20日", "证书信息查询网址", "机构信息查询网址",
                     f"/verify/{certificate.number}"):  # fmt: skip
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    # Noto Serif CJK SC (a Song-style face), pre-subset to GB 2312, embedded and subset again.
    assert re.search(r"\+LMS-Certificate-Serif .* yes yes yes", fonts)


@pytest.mark.concurrency
def test_fifty_simultaneous_issues_make_one_certificate_and_no_gap(app, committed) -> None:
    """Real threads, real commits, on SQLite and PostgreSQL: the unique constraint decides."""
    candidate = make_passed_candidate()
    db.session.commit()
    candidate_id = candidate.id
    db.session.remove()
    barrier = threading.Barrier(50)
    numbers: list[str] = []
    errors: list[str] = []

    def issue() -> None:
        with app.app_context():
            try:
                barrier.wait()
                with transaction():
                    found = db.session.get(SkillCandidate, candidate_id)
                    assert found is not None
                    numbers.append(services.issue(found).number)
            except Exception as error:  # collected and shown by the assertion below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(numbers) == 50 and len(set(numbers)) == 1
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert numbering.last_serial(services.today().year, 5) == 1


def test_a_stored_pdf_that_was_altered_is_refused() -> None:
    from lms.core.crypto import cipher

    certificate = services.issue(make_passed_candidate())
    services.stored_pdf(certificate)
    stored = db.session.scalar(
        select(CertificateFile).where(CertificateFile.sha256 == certificate.pdf_sha256)
    )
    assert stored is not None
    stored.pdf_encrypted = cipher().encrypt_bytes(b"%PDF-1.7 forged", services.PDF_PURPOSE)
    db.session.flush()
    with pytest.raises(Conflict):
        services.stored_pdf(certificate)


def test_issuing_a_batch_takes_consecutive_serials_and_survives_one_issued_meanwhile(app):
    candidates = [make_passed_candidate() for _ in range(3)]
    early = services.issue(candidates[1])  # issued on its own before the batch runs
    assert services.issue_many(candidates) == 3
    certificates = db.session.scalars(select(Certificate).order_by(Certificate.serial)).all()
    assert [c.serial for c in certificates] == [1, 2, 3]
    assert {c.staff_id for c in certificates} == {c.staff_id for c in candidates}
    assert db.session.get(Certificate, early.id).serial == 1
    more = [make_passed_candidate() for _ in range(2)]
    services.issue_many(more)
    serials = db.session.scalars(select(Certificate.serial).order_by(Certificate.serial)).all()
    assert serials == [1, 2, 3, 4, 5]
