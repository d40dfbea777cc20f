"""Submitting jobs, running them (by whichever executor), and their progress. Each step commits
its own work: a job outlives requests, and what it finished must survive a crash."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.db import db, utcnow, write_intent
from lms.jobs.models import Job, JobStatus
from lms.jobs.registry import kind_of

_PENDING = "lms_jobs_to_dispatch"


def submit(kind: str, params: dict[str, Any], user: Any | None = None) -> Job:
    """Open a job of ``kind``; while one is open, return that one instead (resuming it when its
    heartbeat has stopped). The job starts once the current transaction commits."""
    current = open_job(kind)
    if current is not None:
        if is_stale(current):
            current.resumed += 1
            current.status = JobStatus.QUEUED
            current.error = ""
            current.heartbeat_at = utcnow()
            _dispatch_after_commit(current)
        return current
    job = Job(kind=kind, params=params, created_by_id=getattr(user, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        raced = open_job(kind)
        if raced is None:
            raise
        return raced
    _dispatch_after_commit(job)
    return job


def open_job(kind: str) -> Job | None:
    return db.session.scalar(select(Job).where(Job.kind == kind, Job.active == 1))


def is_stale(job: Job) -> bool:
    """A queued or running job that has shown no sign of life for JOB_STALE_SECONDS."""
    if job.active is None:
        return False
    last = job.heartbeat_at or job.created_at
    return utcnow() - last > timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])


def progress(job: Job) -> dict[str, Any]:
    kind = kind_of(job)
    return {
        "id": job.id,
        "kind": job.kind,
        "title": str(kind.title),
        "stage_label": str(kind.stage_labels.get(job.stage, "")),
        "status": job.status.value,
        "status_label": job.status.label,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "percent": round(100 * job.done / job.total) if job.total else 0,
        "result": job.result,
        "error": job.error or None,
        "resumed": job.resumed,
    }


# Running (called by the executors, each step in its own transaction) -------------------------


def beat(job: Job, *, stage: str | None = None, **result: Any) -> None:
    """Record progress of the serial phase and commit it."""
    if stage is not None:
        job.stage = stage
    if result:
        job.result = {**job.result, **result}
    job.heartbeat_at = utcnow()
    db.session.commit()


def plan(job_id: int) -> list[list[int]]:
    """Mark the job running, let its kind do the serial work, and return the parts to do."""
    write_intent.set(True)
    job = db.session.get(Job, job_id)
    if job is None or job.active is None:
        return []
    job.status = JobStatus.RUNNING
    job.started_at = job.started_at or utcnow()
    beat(job)
    try:
        parts = kind_of(job).plan(job)
        job.total = job.done + sum(len(part) for part in parts)
        beat(job)
    except Exception as error:
        db.session.rollback()
        fail(job_id, error)
        raise
    return parts


def run_part(job_id: int, part: list[int]) -> None:
    """Do one part, then save it and count it in one transaction: a crash loses the part and
    its count together, so that running it again counts it once. The slow work runs between
    transactions, so that on SQLite other processes can write meanwhile."""
    write_intent.set(False)
    job = db.session.get(Job, job_id)
    if job is None or job.active is None:
        return
    kind = kind_of(job)
    try:
        work = kind.work(job, part)
        db.session.rollback()
        write_intent.set(True)
        job = db.session.get(Job, job_id)
        if job is None or job.active is None:
            return
        completed = kind.save(job, work)
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(done=Job.done + completed, heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        fail(job_id, error)
        raise


def complete(job_id: int) -> bool:
    """Finish the job when nothing remains; True when it is finished."""
    write_intent.set(True)
    job = db.session.get(Job, job_id)
    if job is None:
        return False
    db.session.refresh(job)
    if job.status == JobStatus.FINISHED:
        return True
    if job.active is None or kind_of(job).remaining(job) > 0:
        db.session.rollback()
        return False
    job.status = JobStatus.FINISHED
    job.active = None
    job.stage = ""
    job.finished_at = utcnow()
    job.result = {**job.result, **kind_of(job).summary(job)}
    db.session.commit()
    return True


def fail(job_id: int, error: BaseException) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.active is None:
        return
    job.status = JobStatus.FAILED
    job.active = None
    job.error = f"{type(error).__name__}: {error}"[:2000]
    job.finished_at = utcnow()
    db.session.commit()


# Dispatching once the job's row is committed -------------------------------------------------


def _dispatch_after_commit(job: Job) -> None:
    db.session.flush()
    pending = db.session.info.setdefault(_PENDING, [])
    pending.append((current_app._get_current_object(), job.id))  # type: ignore[attr-defined]


@event.listens_for(Session, "after_commit")
def _dispatch_pending(session: Session) -> None:
    from lms.jobs.executors import executor_for

    for app, job_id in session.info.pop(_PENDING, []):
        executor_for(app).dispatch(app, job_id)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
