"""``lms certificates``: bulk issue with progress, and font preparation."""

from __future__ import annotations

import sys
import time
from datetime import datetime

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms.certification import bulk, services
from lms.core.cli import CommandError
from lms.db import db, transaction, write_intent
from lms.jobs import services as jobs
from lms.jobs.models import Job, JobStatus


@click.group("certificates", help="Skill-level certificates.")
def certificates_group() -> None:
    pass


@certificates_group.command("issue", help="Issue certificates to everyone eligible.")
@click.option("--eligible", is_flag=True, required=True, help="Everyone who passed and has none.")
@click.option("--session", "session_id", type=int, help="Only candidates of this skill session.")
@with_appcontext
def issue(eligible: bool, session_id: int | None) -> None:
    """Runs as a background job (in-process, or on Celery workers when LMS_REDIS_URL is set)
    and shows its progress; running it again resumes an interrupted job without duplicates."""
    with transaction():
        job = bulk.submit(None, session_id)
    job_id = job.id
    if job.resumed:
        click.echo(f"Resuming job {job_id}.")
    follow(job_id)
    write_intent.set(True)
    db.session.expire_all()
    finished = db.session.get(Job, job_id)
    assert finished is not None
    job = finished
    if job.status == JobStatus.FAILED:
        raise CommandError(_("Job %(job)s failed: %(error)s", job=job_id, error=job.error))
    click.echo(
        f"Job {job_id} finished: {job.result.get('issued', 0)} certificates issued, "
        f"{job.result.get('rendered', 0)} PDFs rendered."
    )
    waiting = services.waiting_for_photo(session_id)
    click.echo(f"{len(waiting)} waiting for a photo.")
    for candidate in waiting:
        # A terminal and its scrollback are no place for names and ID numbers in full.
        click.echo(
            f"  {candidate.admission_number}  {mask_name(candidate.staff.name)}  "
            f"{candidate.staff.id_number_masked}  /staff/{candidate.staff_id}/photo"
        )


def mask_name(name: str) -> str:
    """The family name and a star for each other character: 张三丰 → 张**."""
    return name[:1] + "*" * (len(name) - 1)


def follow(job_id: int, interval: float = 0.5) -> None:
    """Print the job's progress until it ends: a bar on a terminal, a line per tenth otherwise."""
    interactive = sys.stdout.isatty()
    last_tenth = -1
    write_intent.set(False)  # only reading: on SQLite, never stand in the workers' way
    while True:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job is None:
            return
        state = jobs.progress(job)
        active = job.active
        db.session.rollback()
        tenth = state["percent"] // 10
        line = f"{state['stage'] or state['status']:<10} {state['done']}/{state['total']}"
        if interactive:
            bar = "#" * (state["percent"] // 4)
            click.echo(f"\r[{bar:<25}] {state['percent']:3d}% {line}", nl=False)
        elif tenth != last_tenth or active is None:
            click.echo(f"{state['percent']:3d}% {line}")
            last_tenth = tenth
        if active is None:
            if interactive:
                click.echo()
            return
        time.sleep(interval)


@certificates_group.command("fonts", help="Prepare the certificate fonts (subset once, cached).")
@with_appcontext
def fonts() -> None:
    from lms.certification.render import prepare

    started = time.perf_counter()
    prepare()
    click.echo(f"Certificate fonts ready ({time.perf_counter() - started:.1f} s).")


@certificates_group.command("report", help="The batch for the provincial platform.")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--out", "folder", required=True, type=click.Path(file_okay=False))
@with_appcontext
def report_command(start: datetime, end: datetime, folder: str) -> None:
    """Certificates issued, reissued and revoked from --from to --to (both included): a CSV and
    an XLSX with every field of the notice, and a ZIP of the photos named by certificate
    number; holders without a photo are listed."""
    from pathlib import Path

    from lms.certification import report
    from lms.core.access import Scope
    from lms.core.errors import DomainError
    from lms.core.roles import Role

    try:
        with transaction():
            batch = report.batch(start.date(), end.date())
            # The command line is the city's operator: a city administrator's reach.
            written = report.write(batch, Path(folder), Scope(Role.CITY_ADMIN))
    except DomainError as error:
        raise CommandError(str(error.message)) from error
    click.echo(f"{len(batch.entries)} changes, {len(batch.certificates)} certificates.")
    for path in written:
        click.echo(f"  {path}")
    click.echo(f"{len(batch.without_photo)} without a photo.")
    for certificate in batch.without_photo:
        # No names in a terminal's scrollback: the number and the masked ID number.
        click.echo(f"  {certificate.number}  {certificate.id_number_masked}")
