"""Roster files uploaded through the web: read and checked ONCE, when uploaded, streaming; the
checked rows are kept (ID numbers encrypted) and the file is not. The preview shows what the
check found, and the import writes the kept rows — in the request for a small file, as a
background job with progress for a large one — all or nothing either way."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any, BinaryIO, ClassVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select

from lms.accounts.models import User
from lms.core import audit
from lms.core.errors import Conflict, DomainError
from lms.db import db, utcnow
from lms.jobs import services as jobs
from lms.jobs.models import Job
from lms.jobs.registry import JobKind
from lms.org import roster, roster_files
from lms.org.models import Institution, RosterUpload, RosterUploadRow

MAX_BYTES = 25 * 1024 * 1024
JOB_KIND = "roster.import"
#: What a stored row holds of a checked row's values.
ROW_VALUES = (*roster.COMPARED, *roster.IDENTITY)


def store_upload(user: User, filename: str, content: bytes | BinaryIO) -> RosterUpload:
    """Read and check an uploaded roster once, keeping the checked rows for the preview and the
    import. A file that cannot be read is kept as a record of why (``file_error``)."""
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    if not size:
        raise DomainError(_l("The file is empty"))
    if size > MAX_BYTES:
        raise DomainError(_l("The file is larger than 25 MB"))
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(roster_files.READ_CHUNK):
        digest.update(chunk)
    upload = RosterUpload(
        uploaded_by_id=user.id,
        filename=filename[:200],
        sha256=digest.hexdigest(),
        size=size,
        errors=[],
        counts={},
    )
    db.session.add(upload)
    db.session.flush()

    def keep(rows: list[roster.PlannedRow], errors_so_far: int) -> None:
        if errors_so_far or not rows:
            return  # a file with errors is not imported: its rows need not be kept
        db.session.execute(
            insert(RosterUploadRow),
            [
                {
                    "upload_id": upload.id,
                    "row": row.row,
                    "action": row.action,
                    "changed": ",".join(row.changed_fields),
                    **{key: row.values[key] for key in ROW_VALUES},
                }
                for row in rows
            ],
        )

    try:
        outcome = roster.check_file(
            stream, scope=user.scope, sink=keep, max_rows=current_app.config["ROSTER_MAX_ROWS"]
        )
    except roster.RosterFileError as error:
        _drop_rows(upload)
        upload.file_error = str(error.message)
        return upload
    if outcome.error_count:
        _drop_rows(upload)
    upload.row_count = outcome.data_rows
    upload.error_count = outcome.error_count
    upload.errors = [[error.row, error.column, error.message] for error in outcome.errors]
    upload.counts = dict(outcome.counts)
    db.session.flush()
    return upload


def _drop_rows(upload: RosterUpload) -> None:
    db.session.execute(delete(RosterUploadRow).where(RosterUploadRow.upload_id == upload.id))


def can_apply(upload: RosterUpload) -> bool:
    return (
        upload.status == "pending"
        and not upload.file_error
        and not upload.error_count
        and upload.row_count > 0
    )


def changes(upload: RosterUpload, limit: int) -> list[RosterUploadRow]:
    """The first ``limit`` rows that add or change a record, for the preview."""
    return list(
        db.session.scalars(
            select(RosterUploadRow)
            .where(RosterUploadRow.upload_id == upload.id, RosterUploadRow.action != "unchanged")
            .order_by(RosterUploadRow.row)
            .limit(limit)
        )
    )


def job_of(upload: RosterUpload) -> Job | None:
    return db.session.get(Job, upload.job_id) if upload.job_id else None


def apply_upload(upload: RosterUpload, user: User) -> roster.ImportResult | Job:
    """Import the checked rows, all or nothing: now when the file is small, otherwise as a
    background job (returned) whose progress the preview page shows."""
    if upload.status != "pending":
        raise Conflict(_l("This upload has already been applied or discarded"))
    if not can_apply(upload):
        raise DomainError(_l("The file has errors; nothing was imported"))
    if upload.row_count > current_app.config["ROSTER_JOB_ROWS"]:
        job = jobs.submit(f"{JOB_KIND}:{upload.id}", {"upload_id": upload.id}, user)
        upload.job_id = job.id
        return job
    with db.session.begin_nested():  # a row refused midway undoes the rows written before it
        return write_upload(upload, user)


def write_upload(upload: RosterUpload, user: User) -> roster.ImportResult:
    """Check the kept rows against the records as they are now (someone may have changed them
    since the preview) and write them, in the current transaction; any row that no longer
    passes raises DomainError, so the caller's rollback leaves nothing half-imported."""
    scope = user.scope
    districts = dict(db.session.execute(select(Institution.id, Institution.district_id)).all())
    log = roster.ErrorLog()
    created = updated = unchanged = 0
    for chunk in _stored_chunks(upload):
        for number, values in chunk:
            district_id = districts.get(values["institution_id"])
            if district_id is None or not scope.allows_institution(
                values["institution_id"], district_id
            ):
                log.add(
                    roster.RowError(
                        number,
                        roster_files.HEADER_OF["institution"],
                        str(_l("This institution is outside your scope")),
                    )
                )
        planned, _outside = roster.classify(chunk, scope, log)
        if log.count:
            first = log.errors[0]
            raise DomainError(
                _l(
                    "The records changed since the file was checked (%(error)s); nothing was "
                    "imported. Upload the file again",
                    error=str(first),
                )
            )
        result = roster.write_rows(planned)
        created += result.created
        updated += result.updated
        unchanged += result.unchanged
    _drop_rows(upload)
    upload.status = "applied"
    upload.applied_at = utcnow()
    upload.summary = {"created": created, "updated": updated, "unchanged": unchanged}
    audit.record(
        "roster.imported",
        upload,
        actor=user,
        filename=upload.filename,
        sha256=upload.sha256,
        **upload.summary,
    )
    return roster.ImportResult(created, updated, unchanged)


def _stored_chunks(upload: RosterUpload) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    last = 0
    while True:
        rows = db.session.execute(
            select(RosterUploadRow.row, *(getattr(RosterUploadRow, key) for key in ROW_VALUES))
            .where(RosterUploadRow.upload_id == upload.id, RosterUploadRow.row > last)
            .order_by(RosterUploadRow.row)
            .limit(roster.CHUNK)
        ).all()
        if not rows:
            return
        yield [(row[0], dict(zip(ROW_VALUES, row[1:], strict=True))) for row in rows]
        last = rows[-1][0]


def discard_upload(upload: RosterUpload) -> None:
    if upload.status == "pending" and not job_running(upload):
        upload.status = "discarded"
        _drop_rows(upload)


def job_running(upload: RosterUpload) -> bool:
    """A job is importing the upload now; one whose heartbeat stopped (its process died) is
    not, and the import button resumes it."""
    job = job_of(upload)
    return job is not None and job.active is not None and not jobs.is_stale(job)


class ImportRoster(JobKind):
    """A large roster import. Its job kind is ``roster.import:<upload id>`` so that imports of
    different uploads run side by side. All or nothing: the rows are first checked against the
    records (read-only, progress committed as it goes), then written in ONE transaction; a job
    that dies while writing leaves nothing, and running it again (the import button) redoes
    it."""

    name = JOB_KIND
    title = _l("Importing a roster")
    stage_labels: ClassVar[dict[str, Any]] = {
        "checking": _l("checking the rows against the records"),
        "writing": _l("writing every row at once"),
    }

    def plan(self, job: Job) -> list[list[int]]:
        upload = db.session.get(RosterUpload, job.params["upload_id"])
        if upload is None or upload.status != "pending":
            return []
        user = db.session.get(User, upload.uploaded_by_id)
        assert user is not None
        job.total, job.done = 2 * upload.row_count, 0
        jobs.beat(job, stage="checking")
        log = roster.ErrorLog()
        for chunk in _stored_chunks(upload):
            roster.classify(chunk, user.scope, log)
            if log.count:
                raise DomainError(str(log.errors[0]))
            job.done += len(chunk)
            jobs.beat(job)
        jobs.beat(job, stage="writing")
        result = write_upload(upload, user)
        job.done = job.total
        job.result = {
            **job.result,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        db.session.commit()
        return []

    def remaining(self, job: Job) -> int:
        upload = db.session.get(RosterUpload, job.params["upload_id"])
        return 0 if upload is None or upload.status != "pending" else 1
