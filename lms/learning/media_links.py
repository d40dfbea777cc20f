"""The media of a synced lesson: its files kept in the media store (content-addressed, so an
unchanged file is not written again), the links that decide who may fetch them, its video."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from lms.content import media
from lms.content.lesson_check import pictures
from lms.content.models import MediaFile
from lms.content.specs import LessonSpec
from lms.db import db
from lms.learning import markdown
from lms.learning.models import Lesson, LessonMedia


def file_url(media_id: int) -> str:
    """The address of a stored file (kept in lesson HTML: a plain path, the same on every host)."""
    return media.media_path(media_id)


def store_lesson_media(spec: LessonSpec) -> dict[str, MediaFile]:
    """Every file the lesson shows, kept (already checked when the content was read)."""
    kept: dict[str, MediaFile] = {}
    alts = {ref: alt for _, alt, ref in pictures(spec.body)}
    for ref, (path, kind) in spec.media.items():
        data = path.read_bytes()
        checked, content_type, measured = media.check(data, ref, kind)
        row = media.keep(checked, content_type, kind, ref, alt=alts.get(ref, ""), **measured)
        if kind == "video":
            # The poster now (quick); the lighter rendition is asked for once the sync has
            # committed (lms courses sync), not from inside the loader.
            from lms.content import renditions

            renditions.ensure_poster(row, checked)
        kept[ref] = row
    return kept


def render_body(spec: LessonSpec, kept: dict[str, MediaFile]) -> str:
    images = {ref: file_url(row.id) for ref, row in kept.items() if row.kind == "image"}
    return markdown.render(spec.body, images)


def video_of(spec: LessonSpec, kept: dict[str, MediaFile]) -> dict[str, Any]:
    if not spec.video or spec.video.get("src") not in kept:
        return {}
    original = kept[spec.video["src"]]
    poster = kept.get(spec.video.get("poster", "")) or media.poster_of(original)
    captions = kept.get(spec.video.get("captions", ""))
    return {
        "media": original.id,
        "captions": captions.id if captions else None,
        "poster": poster.id if poster else None,
        "title": spec.video.get("title", ""),
        "duration": original.duration,
    }


def link(lesson: Lesson, kept: dict[str, MediaFile]) -> None:
    """The lesson's links are exactly its current files; a video's poster and rendition are
    reached through the video (``MediaFile.parent_id``)."""
    wanted = {row.id: ref for ref, row in kept.items()}
    existing = set(
        db.session.scalars(select(LessonMedia.media_id).where(LessonMedia.lesson_id == lesson.id))
    )
    stale = existing - set(wanted)
    if stale:
        db.session.execute(
            delete(LessonMedia).where(
                LessonMedia.lesson_id == lesson.id, LessonMedia.media_id.in_(stale)
            )
        )
    for media_id, ref in wanted.items():
        if media_id not in existing:
            db.session.add(LessonMedia(lesson_id=lesson.id, media_id=media_id, path=ref[:200]))
