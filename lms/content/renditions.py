"""What is made from a stored video: its poster frame (at once, it is quick) and its lighter
rendition for slow connections (a background job, ``media.rendition:<id>``: in-process by
default, Celery when LMS_REDIS_URL is set). The job reads the original from the media store
and writes the rendition back there, so any worker machine can do it."""

from __future__ import annotations

import time
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.content import video
from lms.content.models import MediaFile
from lms.core.storage import media_store
from lms.db import db
from lms.jobs import services as jobs
from lms.jobs.models import Job
from lms.jobs.registry import JobKind

JOB_KIND = "media.rendition"


def ensure_poster(row: MediaFile, data: bytes | None = None) -> MediaFile:
    """The video's poster frame (one second in, or the middle of a shorter video)."""
    from lms.content.media import keep, poster_of

    found = poster_of(row)
    if found is not None:
        return found
    data = data if data is not None else media_store().read(row.sha256)
    at = min(1.0, (row.duration or 0) / 2)
    picture = video.poster(data, at)
    return keep(
        picture, "image/jpeg", "poster", f"{row.original_name}.jpg", parent=row, variant="poster"
    )


def request(row: MediaFile) -> Job | None:
    """Ask for the video's lighter rendition unless it exists (the job starts on commit)."""
    from lms.content.media import rendition_of

    if rendition_of(row) is not None:
        return None
    return jobs.submit(f"{JOB_KIND}:{row.id}", {"media_id": row.id})


def missing() -> list[MediaFile]:
    """Videos that have no lighter rendition yet."""
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    low = aliased(MediaFile)
    return list(
        db.session.scalars(
            select(MediaFile)
            .outerjoin(low, (low.parent_id == MediaFile.id) & (low.variant == "low"))
            .where(MediaFile.kind == "video", low.id.is_(None))
        )
    )


def transcode(row: MediaFile) -> dict[str, Any]:
    """Make the rendition's bytes (slow, reads only); with what it took."""
    started = time.monotonic()
    low = video.low_rendition(media_store().read(row.sha256))
    info = video.probe_bytes(low, "low.mp4")
    return {"data": low, "seconds": round(time.monotonic() - started, 2), "info": info}


def save_rendition(row: MediaFile, made: dict[str, Any]) -> MediaFile:
    from lms.content.media import keep, rendition_of

    found = rendition_of(row)
    if found is not None:
        return found
    info: video.VideoInfo = made["info"]
    return keep(
        made["data"],
        "video/mp4",
        "rendition",
        f"{row.original_name} (low)",
        parent=row,
        variant="low",
        duration=info.duration,
        width=info.width,
        height=info.height,
        bitrate=info.bitrate,
    )


def make_rendition(row: MediaFile) -> MediaFile:
    """Make and keep the rendition now, in this process (the job's work and save in one)."""
    return save_rendition(row, transcode(row))


class MakeRendition(JobKind):
    name = JOB_KIND
    title = _l("Making a lighter video for slow connections")
    stage_labels = {"encoding": _l("encoding")}  # noqa: RUF012

    def _row(self, job: Job) -> MediaFile | None:
        return db.session.get(MediaFile, job.params["media_id"])

    def plan(self, job: Job) -> list[list[int]]:
        row = self._row(job)
        jobs.beat(job, stage="encoding")
        return [] if row is None or self.remaining(job) == 0 else [[row.id]]

    def work(self, job: Job, part: list[int]) -> Any:
        row = self._row(job)
        return None if row is None else transcode(row)

    def save(self, job: Job, work: Any) -> int:
        row = self._row(job)
        if row is None or work is None:
            return 0
        low = save_rendition(row, work)
        job.result = {
            **job.result,
            "seconds": work["seconds"],
            "size": low.size,
            "bitrate": low.bitrate,
        }
        return 1

    def remaining(self, job: Job) -> int:
        from lms.content.media import rendition_of

        row = self._row(job)
        return 0 if row is None or rendition_of(row) is not None else 1
