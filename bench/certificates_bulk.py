"""Bulk certificate issue: 1,700 passed candidates get a numbered certificate and a stored PDF
each, by the background job (in-process executor, JOB_WORKERS processes). Measured in the same
run: the naive per-certificate rendering (WeasyPrint with the full system Noto Serif CJK, a
fresh font configuration per document and the SVG QR code — what a first version does), and an
on-demand certificate (a reissued certificate downloaded through the web app)."""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select

from bench.common import databases, emit, make_bench_app, migrate, note, size
from lms.db import db, utcnow

COUNT = int(os.environ.get("BENCH_CERTIFICATES", str(size(1700, 30))))
BASELINE_SAMPLES = int(os.environ.get("BENCH_CERTIFICATES_BASELINE", str(size(5, 2))))


def add_passed_candidates(count: int) -> None:
    """Enter ``count`` more staff as candidates who passed the demo's published skill and
    theory sessions (rows written directly: marking 1,700 people by hand is not the subject)."""
    if count == 0:
        return
    from lms.exams.models import Attempt, AttemptStatus, Candidate, ExamSession, SessionStatus
    from lms.grading.models import SkillCandidate, SkillSession, SkillSessionStatus
    from lms.org.models import Staff

    skill = db.session.scalar(
        select(SkillSession).where(SkillSession.status == SkillSessionStatus.RESULTS_PUBLISHED)
    )
    theory = db.session.scalar(
        select(ExamSession).where(ExamSession.status == SessionStatus.RESULTS_PUBLISHED)
    )
    assert skill is not None and theory is not None, "demo results missing"
    taken = select(SkillCandidate.staff_id)
    staff_ids = db.session.scalars(
        select(Staff.id).where(Staff.id.not_in(taken)).order_by(Staff.id).limit(count)
    ).all()
    assert len(staff_ids) == count, f"only {len(staff_ids)} staff free for candidates"
    started = utcnow() - timedelta(days=20)
    db.session.execute(
        insert(SkillCandidate),
        [
            {
                "session_id": skill.id,
                "staff_id": staff_id,
                "admission_number": f"B{number:07d}",
                "skills_score": 85.0,
                "skills_passed": True,
            }
            for number, staff_id in enumerate(staff_ids)
        ],
    )
    db.session.execute(
        insert(Candidate),
        [
            {"session_id": theory.id, "staff_id": staff_id, "admission_number": f"T{n:07d}"}
            for n, staff_id in enumerate(staff_ids)
        ],
    )
    candidate_ids = db.session.scalars(
        select(Candidate.id).where(Candidate.admission_number.like("T%"))
    ).all()
    db.session.execute(
        insert(Attempt),
        [
            {
                "candidate_id": candidate_id,
                "seed": 1,
                "started_at": started,
                "deadline_at": started + timedelta(minutes=90),
                "submitted_at": started + timedelta(minutes=60),
                "status": AttemptStatus.SUBMITTED,
                "score": 80.0,
                "passed": True,
                "breakdown": {},
            }
            for candidate_id in candidate_ids
        ],
    )
    db.session.commit()


def give_photos() -> int:
    """An accepted photo for every skill candidate without one (a certificate needs it): one
    portrait checked by the real photo checks, encrypted once, stored for each of them."""
    import io

    from PIL import Image

    from lms.certification import photos
    from lms.certification.models import HolderPhoto
    from lms.core.crypto import cipher
    from lms.grading.models import SkillCandidate

    portrait = Image.new("RGB", (354, 496), (250, 250, 250))
    portrait.paste((60, 70, 110), (70, 300, 284, 496))
    buffer = io.BytesIO()
    portrait.save(buffer, "JPEG")
    encrypted = cipher().encrypt_bytes(photos.normalise(buffer.getvalue()), photos.PURPOSE)
    without = db.session.scalars(
        select(SkillCandidate.staff_id)
        .where(
            ~select(HolderPhoto.staff_id)
            .where(HolderPhoto.staff_id == SkillCandidate.staff_id)
            .exists()
        )
        .distinct()
    ).all()
    if without:
        now = utcnow()
        db.session.execute(
            insert(HolderPhoto),
            [
                {"staff_id": staff_id, "jpeg_encrypted": encrypted, "uploaded_at": now}
                for staff_id in without
            ],
        )
    db.session.commit()
    return len(without)


def naive_pdf(certificate: Any) -> bytes:
    """One certificate the way a first version renders it (see the module docstring)."""
    import segno
    from weasyprint import CSS, HTML

    from lms.certification import render

    html = render.certificate_html(certificate)
    svg_qr = segno.make(render.verify_url(certificate, signed=True), error="m").svg_data_uri(
        scale=4, border=1
    )
    html = html.replace(render.qr_png_uri(render.verify_url(certificate, signed=True)), svg_qr)
    css = (render.TEMPLATES / "certificate.css").read_text("utf-8")
    css = css.replace('"LMS Certificate Serif", ', "")
    return bytes(HTML(string=html).write_pdf(stylesheets=[CSS(string=css)]))


def measure(url: str) -> dict[str, Any]:
    from lms.accounts.models import User
    from lms.certification import bulk, render, services
    from lms.certification.models import Certificate
    from lms.core.roles import Role
    from lms.demo.results import seed_results
    from lms.demo.seed import DemoOptions, seed_demo
    from lms.jobs.models import Job

    migrate(url)
    with tempfile.TemporaryDirectory(prefix="lms-bench-certs-") as instance:
        app = make_bench_app(url, instance)
        with app.app_context():
            options = DemoOptions(trainees=COUNT + 300)
            seed_demo(options)
            db.session.commit()
            passed = seed_results(options.seed)
            db.session.commit()
            assert passed <= COUNT, f"the demo alone passes {passed} > {COUNT} candidates"
            add_passed_candidates(COUNT - passed)
            give_photos()
            eligible = len(services.eligible())
            assert eligible == COUNT, f"{eligible} eligible for certificates, not {COUNT}"
            render.prepare()  # font subsets: built once per machine, not per run

            load_before = os.getloadavg()[0]
            cpu_before = _cpu_seconds()
            started = time.perf_counter()
            job = bulk.submit(None)
            db.session.commit()  # the in-process executor starts a thread: wait for it below
            job_id = job.id
            deadline = time.monotonic() + 3600
            numbered = None
            while time.monotonic() < deadline:
                db.session.expire_all()
                state = db.session.get(Job, job_id)
                assert state is not None
                if numbered is None and state.stage == "rendering":
                    numbered = time.perf_counter() - started
                if state.active is None:
                    break
                db.session.rollback()
                time.sleep(0.1)
            seconds = time.perf_counter() - started
            # The job's thread (numbering) and its worker processes, which the pool has
            # joined by now: CPU time spent, whatever else the machine was running.
            cpu = _cpu_seconds() - cpu_before
            load_after = os.getloadavg()[0]
            job = db.session.get(Job, job_id)
            assert job is not None and job.status == "finished", job and job.error
            certificates = db.session.scalar(select(func.count()).select_from(Certificate))
            rendered = db.session.scalar(
                select(func.count()).where(Certificate.pdf_sha256.is_not(None))
            )
            serials = db.session.scalars(select(Certificate.serial).order_by(Certificate.serial))
            contiguous = list(serials) == list(range(1, COUNT + 1))

            sample = db.session.scalars(select(Certificate).limit(BASELINE_SAMPLES)).all()
            baseline = []
            for certificate in sample:
                t0 = time.perf_counter()
                naive_pdf(certificate)
                baseline.append(time.perf_counter() - t0)

            admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN))
            assert admin is not None
            for certificate in sample:
                services.reissue(certificate)
            db.session.commit()
            numbers = [c.number for c in sample]
            user_id = admin.get_id()
        client = app.test_client()
        with client.session_transaction() as session:
            now = utcnow().timestamp()
            session.update({"_user_id": user_id, "_fresh": True, "login_at": now, "seen": now})
        single = []
        for number in numbers:
            t0 = time.perf_counter()
            response = client.get(f"/certificates/{number}.pdf")
            single.append(time.perf_counter() - t0)
            assert response.status_code == 200 and response.data[:5] == b"%PDF-"
        app.extensions["lms_engine"].dispose()
    return {
        "count": rendered,
        "certificates": certificates,
        "serials_contiguous": contiguous,
        "seconds": round(seconds, 1),
        "numbering_seconds": round(numbered or 0, 1),
        "per_cert_ms": round(seconds * 1000 / COUNT, 1),
        # CPU per certificate (all processes of the job): the figure other work on the
        # machine does not change; seconds ≈ cpu_per_cert_ms × count / workers when idle.
        "cpu_per_cert_ms": round(cpu * 1000 / COUNT, 1),
        "load_1min": [round(load_before, 1), round(load_after, 1)],
        "cpus": os.cpu_count(),
        "workers": app.config["JOB_WORKERS"],
        "single_ms": round(statistics.median(single) * 1000, 1),
        "baseline_per_cert_ms": round(statistics.median(baseline) * 1000, 1),
        "baseline_1700_seconds_estimate": round(statistics.median(baseline) * COUNT, 1),
    }


def _cpu_seconds() -> float:
    """User and system CPU of this process (all threads) and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run() -> None:
    for name, database in databases():
        note(f"certificates_bulk: {COUNT} certificates on {name} …")
        with database() as url:
            emit({"bench": "certificates_bulk", "database": name, **measure(url)})
