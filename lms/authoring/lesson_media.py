"""The pictures of a lesson edited in the browser, as trainees' pages show them: a path the
text writes (``media/x.png``) is a file of the course folder, kept in the media store
(lms.content.media) and linked to the lesson so its trainees may fetch it. A new lesson has
no row until it is published: its pictures are the course's until then."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.content import media
from lms.content.lesson_media import IMAGE
from lms.content.models import MediaFile
from lms.content.sources import ContentFile
from lms.db import db
from lms.learning import markdown
from lms.learning.media_links import file_url
from lms.learning.models import Course, Lesson, LessonMedia


def course_pictures(course: Course) -> dict[str, MediaFile]:
    """{path: stored file} of the pictures the lessons of ``course`` show."""
    rows = db.session.execute(
        select(LessonMedia.path, MediaFile)
        .join(MediaFile, MediaFile.id == LessonMedia.media_id)
        .join(Lesson, Lesson.id == LessonMedia.lesson_id)
        .where(Lesson.course_id == course.id, MediaFile.kind == "image")
    ).all()
    return {path: row for path, row in rows}


def pictures_of(course: Course, body: str, store: bool = False) -> dict[str, MediaFile]:
    """{path: stored file} for each picture ``body`` shows: the course's lessons' pictures and
    the files of the course folder already kept (an upload); with ``store``, a file of the
    course folder not kept yet is checked and kept in the media store first."""
    known = course_pictures(course)
    found: dict[str, MediaFile] = {}
    for match in IMAGE.finditer(body):
        alt, ref = match.group(1).strip(), match.group(2)
        row = known.get(ref)
        source = None
        if row is None:
            source = db.session.scalar(
                select(ContentFile).where(ContentFile.path == f"{course.code}/{ref}")
            )
        if source is not None:
            row = db.session.scalar(select(MediaFile).where(MediaFile.sha256 == source.sha256))
            if row is None and store:
                checked, content_type, measured = media.check(source.data, ref, "image")
                row = media.keep(checked, content_type, "image", ref, alt=alt, **measured)
        if row is not None:
            found[ref] = row
    return found


def render(course: Course, body: str, store: bool = False) -> str:
    """The body as trainees see it, pictures included."""
    pictures = pictures_of(course, body, store)
    return markdown.render(body, {ref: file_url(row.id) for ref, row in pictures.items()})


def link_pictures(lesson: Lesson, body: str) -> None:
    """Let the lesson's trainees fetch the pictures its published text shows."""
    linked = set(
        db.session.scalars(select(LessonMedia.media_id).where(LessonMedia.lesson_id == lesson.id))
    )
    for ref, row in pictures_of(lesson.course, body).items():
        if row.id not in linked:
            db.session.add(LessonMedia(lesson_id=lesson.id, media_id=row.id, path=ref[:200]))
            linked.add(row.id)
    db.session.flush()


def upload_picture(
    course: Course, lesson: Lesson | None, data: bytes, filename: str, alt: str, author: object
) -> str:
    """Keep an uploaded picture for ``course`` (checked as every lesson picture is:
    ``media.MediaRefused`` says why it is refused) and return the path the text writes.

    The file joins the course folder as last loaded (so ``lms courses export`` writes it) and
    is linked to the lesson (a new lesson's when it is published), so the preview and, once
    published, trainees see it."""
    ref, row = upload(course, data, filename, "image", author, alt=alt)
    if lesson is not None:
        _link(lesson, row, ref)
    db.session.flush()
    return ref


def upload(
    course: Course, data: bytes, filename: str, kind: str, author: object, alt: str = ""
) -> tuple[str, MediaFile]:
    """Check and keep an uploaded file of ``kind`` as a file of the course folder; the path
    a lesson writes and the stored file. A video phones cannot play as it is is kept and
    transcoded by a background job (lms.content.renditions), which starts on commit."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix not in media.EXTENSIONS[kind]:
        raise media.MediaRefused(
            _l("%(f)s: the file must end in %(e)s", f=filename, e=" ".join(media.EXTENSIONS[kind]))
        )
    checked, content_type, measured = media.check(data, filename, kind)
    row = media.keep(checked, content_type, kind, filename, alt=alt, author=author, **measured)
    if kind == "video":
        from lms.content import renditions

        renditions.ensure_poster(row, checked)
        renditions.request(row)
    ref = f"media/upload-{row.sha256[:12]}{suffix}"
    path = f"{course.code}/{ref}"
    if db.session.scalar(select(ContentFile.id).where(ContentFile.path == path)) is None:
        db.session.add(ContentFile(path=path, sha256=row.sha256, data=checked))
    db.session.flush()
    return ref, row


def _link(lesson: Lesson, row: MediaFile, ref: str) -> None:
    exists = db.session.scalar(
        select(LessonMedia.id).where(
            LessonMedia.lesson_id == lesson.id, LessonMedia.media_id == row.id
        )
    )
    if exists is None:
        db.session.add(LessonMedia(lesson_id=lesson.id, media_id=row.id, path=ref[:200]))


def stored(course: Course, ref: str) -> MediaFile | None:
    """The stored file of the course folder's ``ref`` (``media/x.webm``), if kept."""
    sha256 = db.session.scalar(
        select(ContentFile.sha256).where(ContentFile.path == f"{course.code}/{ref}")
    )
    if sha256 is None:
        return None
    return db.session.scalar(select(MediaFile).where(MediaFile.sha256 == sha256))


def video_state(original: MediaFile | None, title: str = "") -> dict[str, Any] | None:
    """What the editor says of a video: being prepared for phones, or ready (its address)."""
    if original is None:
        return None
    playable = media.playable_of(original)
    return {
        "title": title,
        "name": original.original_name,
        "preparing": playable is None,
        "url": media.media_path(playable.id) if playable else None,
    }


def draft_video(course: Course, document: dict[str, Any]) -> dict[str, Any] | None:
    """The state of the video a draft shows (uploaded in the editor), or None."""
    video = document.get("video") or {}
    if not video.get("src"):
        return None
    return video_state(stored(course, video["src"]), video.get("title", ""))


def live_video(lesson: Lesson) -> dict[str, Any] | None:
    """The state of the lesson's live video, or None."""
    media_id = (lesson.video or {}).get("media")
    row = db.session.get(MediaFile, media_id) if media_id else None
    return video_state(row, (lesson.video or {}).get("title", ""))


def publish_video(lesson: Lesson, video: dict[str, str]) -> None:
    """Make the draft's video the lesson's (its trainees may fetch it and its captions)."""
    course = lesson.course
    original = stored(course, video["src"])
    captions = stored(course, video["captions"]) if video.get("captions") else None
    assert original is not None  # publishing refuses a draft whose video is missing first
    poster = media.poster_of(original)
    lesson.video = {
        "media": original.id,
        "captions": captions.id if captions else None,
        "poster": poster.id if poster else None,
        "title": video.get("title", ""),
        "duration": original.duration,
    }
    _link(lesson, original, video["src"])
    if captions is not None:
        _link(lesson, captions, video["captions"])
    db.session.flush()
