"""What is made from a stored video: its poster frame (at once, it is quick), its lighter
rendition for slow connections (a background job, ``media.rendition:<id>``: in-process by
default, Celery when LMS_REDIS_URL is set) and, for a video phones cannot play as it is (a
``source``: HEVC, MPEG-4 part 2, VP8/VP9, MOV), its MP4/H.264 + AAC copy
(``media.transcode:<id>``, the same way, which also makes its lighter rendition). The jobs
read the original from the media store and write what they make back there, so any worker
machine can do it."""

from __future__ import annotations

import time
from collections.abc import Callable
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
PLAYABLE_JOB_KIND = "media.transcode"

#: What an encoding made: its bytes, seconds taken and probed video facts.
Made = dict[str, Any]


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
    """Ask for the video's phone-playable copy (a source) or else its lighter rendition,
    unless it exists (the job starts on commit)."""
    from lms.content.media import playable_of, rendition_of

    if playable_of(row) is None:  # that job makes the lighter rendition too
        return jobs.submit(f"{PLAYABLE_JOB_KIND}:{row.id}", {"media_id": row.id})
    if rendition_of(row) is None:
        return jobs.submit(f"{JOB_KIND}:{row.id}", {"media_id": row.id})
    return None


def missing() -> list[MediaFile]:
    """Videos that have no lighter rendition (or, a source, no playable copy) yet."""
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from lms.content.media import playable_of

    low = aliased(MediaFile)
    without_low = db.session.scalars(
        select(MediaFile)
        .outerjoin(low, (low.parent_id == MediaFile.id) & (low.variant == "low"))
        .where(MediaFile.kind == "video", low.id.is_(None))
    )
    sources = db.session.scalars(
        select(MediaFile).where(MediaFile.kind == "video", MediaFile.variant == "source")
    )
    found = {row.id: row for row in without_low}
    found.update({row.id: row for row in sources if playable_of(row) is None})
    return list(found.values())


def _encoded(data: bytes, convert: Callable[[bytes], bytes], name: str) -> Made:
    """``convert`` applied to a video's bytes (slow, reads only), probed, with what it took."""
    started = time.monotonic()
    made = convert(data)
    return {
        "data": made,
        "seconds": round(time.monotonic() - started, 2),
        "info": video.probe_bytes(made, name),
    }


def _keep_variant(row: MediaFile, made: Made, variant: str, label: str) -> MediaFile:
    """Keep what ``_encoded`` made as the ``variant`` of ``row`` (unless another worker did)."""
    from lms.content.media import keep, variant_of

    found = variant_of(row, variant)
    if found is not None:
        return found
    info: video.VideoInfo = made["info"]
    return keep(
        made["data"],
        "video/mp4",
        "rendition",
        f"{row.original_name} ({label})",
        parent=row,
        variant=variant,
        duration=info.duration,
        width=info.width,
        height=info.height,
        bitrate=info.bitrate,
    )


def transcode(row: MediaFile) -> Made:
    """The lighter rendition's bytes."""
    return _encoded(media_store().read(row.sha256), video.low_rendition, "low.mp4")


def save_rendition(row: MediaFile, made: Made) -> MediaFile:
    return _keep_variant(row, made, "low", "low")


def make_rendition(row: MediaFile) -> MediaFile:
    """Make and keep the rendition now, in this process (the job's work and save in one)."""
    return save_rendition(row, transcode(row))


class _EncodingJob(JobKind):
    """One video, one part: encode it unless the ``variant`` it makes exists."""

    variant: str
    stage_labels = {"encoding": _l("encoding")}  # noqa: RUF012

    def _row(self, job: Job) -> MediaFile | None:
        return db.session.get(MediaFile, job.params["media_id"])

    def plan(self, job: Job) -> list[list[int]]:
        row = self._row(job)
        jobs.beat(job, stage="encoding")
        return [] if row is None or self.remaining(job) == 0 else [[row.id]]

    def remaining(self, job: Job) -> int:
        from lms.content.media import variant_of

        row = self._row(job)
        if row is None or (self.variant == "h264" and row.variant != "source"):
            return 0  # a video phones play as it is needs no copy
        return 0 if variant_of(row, self.variant) is not None else 1


class MakeRendition(_EncodingJob):
    name = JOB_KIND
    title = _l("Making a lighter video for slow connections")
    variant = "low"

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


def make_playable(row: MediaFile) -> MediaFile:
    """Make and keep the MP4/H.264 copy of a source video now, in this process."""
    from lms.content.media import playable_of

    return playable_of(row) or save_playable(row, transcode_playable(row))


def transcode_playable(row: MediaFile) -> Made:
    """The phone-playable copy's bytes, checked as phones need it."""
    return _encoded(media_store().read(row.sha256), video.playable, "playable.mp4")


def save_playable(row: MediaFile, made: Made) -> MediaFile:
    return _keep_variant(row, made, "h264", "H.264")


class MakePlayable(_EncodingJob):
    name = PLAYABLE_JOB_KIND
    title = _l("Preparing a video for phones (H.264)")
    variant = "h264"

    def work(self, job: Job, part: list[int]) -> Any:
        """The H.264 copy, then the lighter rendition made from it (one job: no second
        transcoding job waits for this one)."""
        row = self._row(job)
        if row is None:
            return None
        made = transcode_playable(row)
        made["low"] = _encoded(made["data"], video.low_rendition, "low.mp4")
        return made

    def save(self, job: Job, work: Any) -> int:
        row = self._row(job)
        if row is None or work is None:
            return 0
        made = save_playable(row, work)
        save_rendition(row, work["low"])
        job.result = {**job.result, "seconds": work["seconds"], "size": made.size}
        return 1
