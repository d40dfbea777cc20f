"""Bulk issue as a background job, with real commits: in-process (threads and a process pool),
after a crash (kill -9 mid-batch, then run again), and on two Celery workers on Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.certification import services
from lms.certification.models import Certificate, CertificateFile
from lms.core.roles import Role
from lms.db import db
from lms.jobs.models import Job, JobStatus
from tests.certification.factories import make_passed_candidate
from tests.conftest import zh
from tests.factories import make_user

ROOT = Path(__file__).parent.parent.parent
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def passed_candidates(count: int) -> None:
    for _ in range(count):
        make_passed_candidate()
    db.session.commit()


def wait_for_job(job_id: int, seconds: float = 180) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job is not None and job.active is None:
            return job
        db.session.rollback()
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end in {seconds} s")


def assert_complete_and_gapless(count: int) -> None:
    db.session.expire_all()
    certificates = db.session.scalars(select(Certificate).order_by(Certificate.serial)).all()
    assert [c.serial for c in certificates] == list(range(1, count + 1))
    assert all(c.pdf_sha256 for c in certificates)
    # One stored PDF each: a part interrupted before its commit left nothing behind.
    assert db.session.scalar(select(func.count()).select_from(CertificateFile)) == count
    assert services.eligible() == []


def environment(app: Flask, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "LMS_ENV": "testing",
        "LMS_DATABASE_URL": app.config["DATABASE_URL"],
        "LMS_SECRET_KEY": app.config["SECRET_KEY"],
        "LMS_DATA_KEY": app.config["DATA_KEY"],
        "LMS_INSTANCE_PATH": str(tmp_path),
        "LMS_CERT_FONT_CACHE": app.config["CERT_FONT_CACHE"],
        **extra,
    }


@pytest.mark.concurrency
def test_the_button_runs_a_job_whose_page_follows_it_to_the_end(
    app, committed, client, monkeypatch
) -> None:
    passed_candidates(3)
    admin = make_user(Role.CITY_ADMIN)
    db.session.commit()
    client.login_as(admin)
    monkeypatch.setitem(app.config, "CERT_RENDER_PART", 1)  # three parts: the pool renders them
    asked = client.post("/certificates/issue").get_data(as_text=True)  # says how many first
    assert 'name="confirmed" value="3"' in asked
    response = client.post("/certificates/issue", data={"confirmed": "3"})
    assert response.status_code == 302 and "/jobs/" in response.location
    job_id = int(response.location.rsplit("/", 1)[1])
    job = wait_for_job(job_id)
    assert job.status == JobStatus.FINISHED, job.error
    state = client.get(f"/jobs/{job_id}.json").get_json()
    assert state["done"] == state["total"] == 3 and state["percent"] == 100
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert zh("Finished") in page and 'value="3"' in page
    assert_complete_and_gapless(3)
    # Again: nothing is left to do, nothing is issued twice.
    again = client.post("/certificates/issue", data={"confirmed": "0"})
    assert wait_for_job(int(again.location.rsplit("/", 1)[1])).result["issued"] == 0
    assert_complete_and_gapless(3)


@pytest.mark.concurrency
def test_the_command_shows_progress_and_is_safe_to_run_twice(app, committed) -> None:
    passed_candidates(2)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["certificates", "issue", "--eligible"])
    assert first.exit_code == 0, first.output
    assert "100% " in first.output and "2 certificates issued, 2 PDFs rendered" in first.output
    second = runner.invoke(args=["certificates", "issue", "--eligible"])
    assert "0 certificates issued, 0 PDFs rendered" in second.output
    assert_complete_and_gapless(2)


@pytest.mark.concurrency
def test_a_batch_killed_midway_resumes_without_duplicates_or_gaps(app, committed, tmp_path) -> None:
    passed_candidates(8)
    command = [str(ROOT / ".venv" / "bin" / "lms"), "certificates", "issue", "--eligible"]
    env = environment(app, tmp_path, LMS_JOB_WORKERS="1", LMS_CERT_RENDER_PART="1")
    victim = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            db.session.expire_all()
            job = db.session.scalar(select(Job))
            if job is not None and job.done >= 1:
                break
            db.session.rollback()
            time.sleep(0.01)
        os.killpg(victim.pid, signal.SIGKILL)
    finally:
        victim.wait(timeout=30)
    db.session.expire_all()
    job = db.session.scalar(select(Job))
    assert job is not None and job.status == JobStatus.RUNNING and 1 <= job.done < 8
    db.session.rollback()

    resumed = subprocess.run(
        command, env={**env, "LMS_JOB_STALE_SECONDS": "0"}, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert f"Resuming job {job.id}." in resumed.stdout
    db.session.expire_all()
    finished = db.session.get(Job, job.id)
    assert finished is not None and finished.status == JobStatus.FINISHED
    assert finished.done == 8 and finished.resumed == 1
    assert_complete_and_gapless(8)


def start_worker(env: dict[str, str], queue: str, name: str, output: Any) -> subprocess.Popen[Any]:
    """A Celery worker (one process, solo pool) in a process group of its own."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"), "-A", "lms.jobs.worker", "worker",
            "--pool", "solo", "--queues", queue, "--hostname", f"{name}@%h",
            "--loglevel", "INFO", "--without-gossip", "--without-mingle",
        ],
        env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


@pytest.mark.concurrency
def test_a_celery_worker_killed_mid_batch_loses_nothing_and_the_batch_resumes(
    app, committed, tmp_path, monkeypatch
) -> None:
    """kill -9 of the only worker mid-batch: what it committed stays, the job stays open, and
    running the command again resumes it on a new worker — no gaps, nothing twice."""
    import redis

    passed_candidates(8)
    queue = f"lms-test-{uuid.uuid4().hex[:8]}"
    env = environment(
        app, tmp_path, LMS_REDIS_URL=REDIS_URL, LMS_CELERY_QUEUE=queue, LMS_CERT_RENDER_PART="1"
    )
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "CELERY_QUEUE", queue)
    with first_log.open("w") as first_output, second_log.open("w") as second_output:
        first = start_worker(env, queue, "first", first_output)
        second = None
        try:
            from lms.certification import bulk
            from lms.db import transaction

            with transaction():
                job_id = bulk.submit(None).id
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                db.session.expire_all()
                job = db.session.get(Job, job_id)
                if job is not None and job.done >= 2:
                    break
                db.session.rollback()
                time.sleep(0.02)
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            db.session.expire_all()
            job = db.session.get(Job, job_id)
            assert job is not None and job.status == JobStatus.RUNNING and 2 <= job.done < 8
            db.session.rollback()
            second = start_worker(env, queue, "second", second_output)
            # The dead worker's part waits in Redis for its visibility timeout (an hour); the
            # job, without heartbeat, counts as interrupted and the same command resumes it.
            monkeypatch.setitem(app.config, "JOB_STALE_SECONDS", 0)
            resumed = app.test_cli_runner().invoke(args=["certificates", "issue", "--eligible"])
            assert resumed.exit_code == 0, resumed.output
            assert f"Resuming job {job_id}." in resumed.output
            finished = wait_for_job(job_id, seconds=240)
        finally:
            for worker in (first, second):
                if worker is not None and worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
                    worker.wait(timeout=30)
            redis.Redis.from_url(REDIS_URL).delete(queue)
    assert finished.status == JobStatus.FINISHED, finished.error
    assert finished.done == 8 and finished.resumed == 1, second_log.read_text()
    assert "Task lms.jobs.part[" in second_log.read_text()  # the new worker did the rest
    assert_complete_and_gapless(8)


@pytest.mark.concurrency
def test_two_celery_workers_on_redis_share_the_batch(app, committed, tmp_path, monkeypatch) -> None:
    import redis

    passed_candidates(6)
    queue = f"lms-test-{uuid.uuid4().hex[:8]}"
    env = environment(
        app, tmp_path, LMS_REDIS_URL=REDIS_URL, LMS_CELERY_QUEUE=queue, LMS_CERT_RENDER_PART="1"
    )
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
    outputs = [log.open("w") for log in logs]
    workers = [
        start_worker(env, queue, f"w{number}", output) for number, output in enumerate(outputs, 1)
    ]
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "CELERY_QUEUE", queue)
    try:
        result = app.test_cli_runner().invoke(args=["certificates", "issue", "--eligible"])
        assert result.exit_code == 0, result.output
        assert "6 certificates issued, 6 PDFs rendered" in result.output
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        for output in outputs:
            output.close()
        redis.Redis.from_url(REDIS_URL).delete(queue)
    parts_done = [log.read_text().count("Task lms.jobs.part[") for log in logs]
    assert all(count >= 1 for count in parts_done), (parts_done, [log.read_text() for log in logs])
    assert_complete_and_gapless(6)


def test_certificates_rendered_together_are_the_same_files_as_rendered_alone(app, tmp_path) -> None:
    """Bulk rendering lays several certificates out as one document: each file must still be
    one page, carry its own title and read exactly like the certificate rendered on its own."""
    from lms.certification.render import render_pdf, render_pdfs

    first, second = (services.issue(make_passed_candidate()) for _ in range(2))
    together = render_pdfs([first, second])
    for certificate, pdf in zip((first, second), together, strict=True):
        alone = render_pdf(certificate)
        texts = []
        for name, data in (("together", pdf), ("alone", alone)):
            path = tmp_path / f"{certificate.number}-{name}.pdf"
            path.write_bytes(data)
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
            assert "Pages:           1" in info and certificate.number in info  # title
            texts.append(
                subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
            )
        assert texts[0] == texts[1] and certificate.holder_name in texts[0]


#: Run in a process of its own: a database of `count` passed candidates at `url`.
FULL_DISK_SETUP = """
import sys
from tests.conftest import reset_database, test_config
from lms import create_app
from lms.db import db
from tests.certification.factories import make_passed_candidate

url, instance, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
reset_database(url)
with create_app(test_config(url, instance)).app_context():
    for _ in range(count):
        make_passed_candidate()
    db.session.commit()
"""


@pytest.fixture
def small_disk(tmp_path: Path) -> Any:
    """An 8 MB file system of its own (tmpfs), so that it can be filled."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"mounting a small file system needs root: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_fails_the_batch_visibly_and_it_resumes_once_there_is_room(
    app: Flask, tmp_path: Path, small_disk: Path
) -> None:
    count = 12
    url = f"sqlite:///{small_disk / 'lms.sqlite3'}"
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "-c", FULL_DISK_SETUP, url, str(tmp_path / "setup"), str(count)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    filler = small_disk / "filler"
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler.write_bytes(b"\0" * (free - 256 * 1024))  # room for a few PDFs, not for twelve
    # The app's keys are the ones the setup process encrypted with (both from test_config).
    env = environment(
        app, tmp_path, LMS_JOB_WORKERS="1", LMS_CERT_RENDER_PART="1", LMS_DATABASE_URL=url
    )
    command = [str(ROOT / ".venv" / "bin" / "lms"), "certificates", "issue", "--eligible"]

    full = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert full.returncode != 0
    assert "错误：任务 " in full.stderr and "失败：" in full.stderr, full.stderr
    assert "disk is full" in full.stderr, full.stderr
    stored, numbered, status, error = _certificate_state(url)
    assert status == "failed" and "disk is full" in error
    assert numbered == count and 0 < stored < count  # numbers kept, some PDFs written

    filler.unlink()
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"0 certificates issued, {count - stored} PDFs rendered" in again.stdout
    stored, numbered, status, _ = _certificate_state(url)
    assert stored == numbered == count and status == "finished"


def _certificate_state(url: str) -> tuple[int, int, str, str]:
    """(PDFs stored, certificates numbered, the last job's status and error), read directly."""
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        stored, numbered, serials = connection.execute(
            "SELECT count(pdf_sha256), count(*), group_concat(serial) FROM certificates"
        ).fetchone()
        files = connection.execute("SELECT count(*) FROM certificate_files").fetchone()[0]
        status, error = connection.execute(
            "SELECT status, error FROM jobs ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert files == stored  # a part that failed left no file behind
    assert sorted(int(s) for s in serials.split(",")) == list(range(1, numbered + 1))
    return stored, numbered, status, error or ""


def test_rendering_a_part_asks_the_database_the_same_few_queries_however_large_it_is(app) -> None:
    """1,700 certificates are rendered in parts: each holder's ID number and photo come with the
    part's query, not with one query per certificate."""
    from sqlalchemy import event

    from lms.certification.bulk import IssueCertificates

    def queries_to_render(count: int) -> int:
        certificates = [services.issue(make_passed_candidate()) for _ in range(count)]
        db.session.flush()
        db.session.expunge_all()  # as in a worker process: nothing loaded yet
        statements: list[str] = []
        connection = db.session.connection()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(connection, "before_cursor_execute", listener)
        try:
            work = IssueCertificates().work(Job(params={}), [c.id for c in certificates])
        finally:
            event.remove(connection, "before_cursor_execute", listener)
        assert len(work) == count and all(pdf[:5] == b"%PDF-" for _, _, pdf in work)
        return len(statements)

    assert queries_to_render(2) == queries_to_render(6) <= 4
