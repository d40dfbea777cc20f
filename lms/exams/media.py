"""Pictures, sounds and videos that questions show: which files are accepted (by their bytes,
not their names), storing them once in the media store (lms/core/storage.py, as lesson media
are), and who may fetch them.

Accepted: PNG, JPEG and GIF pictures (opened and checked by Pillow, at most ``MAX_PIXELS``),
MP3, M4A/MP4, Ogg, WAV and WebM sound and video, up to ``MAX_BYTES`` each. SVG is refused: it
is a document that can carry scripts and links, not a picture. A file whose bytes are none of
these is refused whatever its name or declared type says.

Who may fetch one (``may_see``): the bank's readers (city admins and examiners), and a trainee
whose started paper shows a question version that uses it. Everybody else gets a 404."""

from __future__ import annotations

import hashlib
import io
import warnings
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.core.roles import Role
from lms.core.storage import MissingMedia, media_store
from lms.db import db
from lms.exams.models import Attempt, Candidate, PaperItem, QuestionMedia, QuestionVersion

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 4096 * 4096

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}
#: Roles that read the bank and so every question's media.
BANK_READERS = (Role.CITY_ADMIN, Role.EXAMINER)


class MediaRefused(ValueError):
    """The file cannot be shown to candidates; the message says why."""


def sniff(data: bytes) -> str | None:
    """The content type the bytes are, among the accepted ones; None otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if data[4:8] == b"ftyp":
        return "audio/mp4" if data[8:11] == b"M4A" else "video/mp4"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "audio/wav"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


def _looks_like_svg(name: str, data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return name.lower().endswith((".svg", ".svgz")) or b"<svg" in head or head.startswith(b"<?xml")


def check(name: str, data: bytes, declared: str = "") -> str:
    """The content type of an accepted media file; raises MediaRefused with the reason."""
    if len(data) > MAX_BYTES:
        raise MediaRefused(
            _l("%(f)s is larger than %(mb)d MB", f=name, mb=MAX_BYTES // (1024 * 1024))
        )
    if _looks_like_svg(name, data) or "svg" in declared.lower():
        raise MediaRefused(
            _l("%(f)s is an SVG drawing, which can carry scripts; convert it to PNG", f=name)
        )
    kind = sniff(data)
    if kind is None:
        raise MediaRefused(
            _l(
                "%(f)s is not a PNG, JPEG or GIF picture nor an MP3, MP4, Ogg, WAV or WebM "
                "sound or video",
                f=name,
            )
        )
    family = declared.split("/", 1)[0].lower()
    if family in ("image", "audio", "video") and family != kind.split("/", 1)[0]:
        if not (family == "video" and kind in ("audio/ogg", "audio/mp4")):
            raise MediaRefused(
                _l("%(f)s is declared as %(d)s but is %(k)s", f=name, d=declared, k=kind)
            )
        kind = kind.replace("audio/", "video/")
    if kind.startswith("image/"):
        _check_picture(name, data, kind)
    return kind


def _check_picture(name: str, data: bytes, kind: str) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                width, height = picture.size
                if width * height > MAX_PIXELS:
                    raise MediaRefused(
                        _l("%(f)s is %(w)d×%(h)d pixels; too large", f=name, w=width, h=height)
                    )
                if IMAGE_TYPES.get(picture.format or "") != kind:
                    raise MediaRefused(_l("%(f)s cannot be read as a picture", f=name))
                picture.verify()
    except MediaRefused:
        raise
    except Exception:
        raise MediaRefused(_l("%(f)s cannot be read as a picture", f=name)) from None


def store(data: bytes, content_type: str, author: Any) -> QuestionMedia:
    """The stored media with these bytes (kept once, however many questions show them)."""
    digest = hashlib.sha256(data).hexdigest()
    found = db.session.scalar(select(QuestionMedia).where(QuestionMedia.sha256 == digest))
    if found is not None:
        return found
    media_store().put(digest, data, content_type)
    media = QuestionMedia(
        sha256=digest,
        content_type=content_type,
        size=len(data),
        created_by_id=getattr(author, "id", None),
    )
    db.session.add(media)
    db.session.flush()
    return media


def read(media: QuestionMedia) -> bytes:
    """The file's bytes: from the media store, or (a row imported before the store kept them)
    from the row; MissingMedia when neither holds them."""
    store = media_store()
    if store.exists(media.sha256):
        return store.read(media.sha256)
    if media.data is None:
        raise MissingMedia(media.sha256)
    return media.data


def move_to_store() -> int:
    """Put into the media store the bytes of the rows imported before it kept them, and empty
    their blob; how many moved. Safe to run again, or on a running site (the store is read
    first). Bytes that do not match their row's SHA-256 stay where they are."""
    store = media_store()
    moved = 0
    ids = db.session.scalars(select(QuestionMedia.id).where(QuestionMedia.data.is_not(None)))
    for media_id in list(ids):
        row = db.session.get(QuestionMedia, media_id)
        if row is None or row.data is None or hashlib.sha256(row.data).hexdigest() != row.sha256:
            continue
        store.put(row.sha256, row.data, row.content_type)
        row.data = None
        db.session.flush()
        db.session.expire(row)
        moved += 1
    return moved


def media_ids(media: dict[str, list[dict[str, Any]]] | None) -> set[int]:
    return {int(ref["id"]) for refs in (media or {}).values() for ref in refs}


def may_see(user: Any, media_id: int) -> bool:
    """Whether ``user`` may fetch the media: bank readers always; a trainee only while it is
    on a paper of theirs that has been started (never before the exam begins)."""
    if user.role in BANK_READERS:
        return True
    if user.role != Role.TRAINEE or user.staff_id is None:
        return False
    versions = db.session.scalars(
        select(QuestionVersion.media)
        .join(PaperItem, PaperItem.version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == PaperItem.attempt_id)
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .where(Candidate.staff_id == user.staff_id, Attempt.started_at.is_not(None))
    )
    return any(media_id in media_ids(media) for media in versions)
