"""The pictures of a lesson edited in the browser, as trainees' pages show them: a path the
text writes (``media/x.png``) is a file of the course folder, kept in the media store
(lms.content.media) and linked to the lesson so its trainees may fetch it. A new lesson has
no row until it is published: its pictures are the course's until then."""

from __future__ import annotations

from pathlib import PurePosixPath

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
    checked, content_type, measured = media.check(data, filename, "image")
    row = media.keep(checked, content_type, "image", filename, alt=alt, author=author, **measured)
    suffix = PurePosixPath(filename).suffix.lower()
    ref = f"media/upload-{row.sha256[:12]}{suffix}"
    path = f"{course.code}/{ref}"
    if db.session.scalar(select(ContentFile.id).where(ContentFile.path == path)) is None:
        db.session.add(ContentFile(path=path, sha256=row.sha256, data=checked))
    if lesson is None:
        db.session.flush()
        return ref
    exists = db.session.scalar(
        select(LessonMedia.id).where(
            LessonMedia.lesson_id == lesson.id, LessonMedia.media_id == row.id
        )
    )
    if exists is None:
        db.session.add(LessonMedia(lesson_id=lesson.id, media_id=row.id, path=ref))
    db.session.flush()
    return ref
