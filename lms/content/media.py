"""Media of lessons: checking a file by its bytes, keeping it once in the media store, and the
one entry point every path uses (``store_media``: courses sync, authoring uploads).

Accepted: PNG and JPEG pictures (opened by Pillow, at most ``MAX_PIXELS``), SVG drawings only
after ``svg.sanitise`` rebuilt them without scripts or outside references, MP4/H.264 videos a
phone can play (ffprobe; ``MEDIA_MAX_VIDEO_MB``), WebVTT captions. A video phones cannot play
as it is (MP4 with HEVC or MPEG-4 part 2, WebM VP8/VP9, MOV) is kept as its ``source`` and
transcoded to MP4/H.264 + AAC by a background job (lms.content.renditions); until then its
lesson says the video is being prepared. Anything else is refused with the reason
(``MediaRefused``, in the user's language) naming the file."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.content import svg, video
from lms.content.models import MediaFile
from lms.core.errors import DomainError
from lms.core.storage import media_store
from lms.db import db

MAX_PIXELS = 4096 * 4096
MAX_CAPTION_BYTES = 512 * 1024
#: File name endings a lesson may reference, by kind.
EXTENSIONS = {
    "image": (".png", ".jpg", ".jpeg", ".svg"),
    "video": (".mp4", ".m4v", ".mov", ".webm"),
    "captions": (".vtt",),
    "poster": (".jpg", ".jpeg", ".png"),
}


class MediaRefused(DomainError, ValueError):
    """The file cannot be shown in a lesson; ``message`` says why, naming the file."""


@dataclass(frozen=True)
class MediaRef:
    """A stored media file as its users need it."""

    id: int
    sha256: str
    kind: str
    content_type: str
    size: int
    alt: str = ""
    duration: float | None = None

    @property
    def url(self) -> str:
        return media_path(self.id)

    @classmethod
    def of(cls, row: MediaFile) -> MediaRef:
        return cls(row.id, row.sha256, row.kind, row.content_type, row.size, row.alt, row.duration)


def media_path(media_id: int) -> str:
    """Where the media route (lms/learning/media_views.py) serves a stored file."""
    return f"/media/{media_id}"


def _limit(kind: str) -> int:
    # Courses can be checked without an application (lms courses check on a laptop).
    config = current_app.config if has_app_context() else {}
    default = {"MEDIA_MAX_VIDEO_MB": 200, "MEDIA_MAX_IMAGE_MB": 10}
    config = {**default, **{k: config[k] for k in default if config.get(k) is not None}}
    megabytes = config["MEDIA_MAX_VIDEO_MB"] if kind == "video" else config["MEDIA_MAX_IMAGE_MB"]
    return int(megabytes) << 20


def check(data: bytes, filename: str, kind: str) -> tuple[bytes, str, dict[str, Any]]:
    """The bytes to keep (a sanitised copy for SVG), their content type and what was measured;
    MediaRefused with the reason otherwise."""
    limit = _limit(kind)
    if len(data) > limit:
        raise MediaRefused(_l("%(f)s is larger than %(mb)d MB", f=filename, mb=limit >> 20))
    if not data:
        raise MediaRefused(_l("%(f)s is empty", f=filename))
    if kind in ("image", "poster"):
        return _check_picture(data, filename)
    if kind == "video":
        try:
            info = video.inspect_bytes(data, filename)
        except video.VideoRefused as refused:
            raise MediaRefused(refused.args[0]) from None
        return (
            data,
            info.container,
            {
                "duration": info.duration,
                "width": info.width,
                "height": info.height,
                "bitrate": info.bitrate,
                #: Why phones cannot play it as it is: it is transcoded then.
                "transcode": info.reason,
            },
        )
    if kind == "captions":
        return _check_captions(data, filename)
    raise MediaRefused(_l("%(f)s: unknown kind of media", f=filename))


def _check_picture(data: bytes, filename: str) -> tuple[bytes, str, dict[str, Any]]:
    head = data[:1024].lstrip().lower()
    if filename.lower().endswith(".svg") or head.startswith((b"<?xml", b"<svg")):
        try:
            return svg.sanitise(data), "image/svg+xml", {}
        except svg.UnsafeSvg:
            raise MediaRefused(
                _l("%(f)s is not an SVG drawing that can be read", f=filename)
            ) from None
    from PIL import Image

    kinds = {"PNG": "image/png", "JPEG": "image/jpeg"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                width, height = picture.size
                content_type = kinds.get(picture.format or "")
                if content_type is None:
                    raise MediaRefused(_l("%(f)s is not a PNG or JPEG picture", f=filename))
                if width * height > MAX_PIXELS:
                    raise MediaRefused(
                        _l("%(f)s is %(w)d×%(h)d pixels; too large", f=filename, w=width, h=height)
                    )
                picture.verify()
    except MediaRefused:
        raise
    except Exception:
        raise MediaRefused(_l("%(f)s is not a PNG or JPEG picture", f=filename)) from None
    return data, content_type, {"width": width, "height": height}


def _check_captions(data: bytes, filename: str) -> tuple[bytes, str, dict[str, Any]]:
    if len(data) > MAX_CAPTION_BYTES:
        raise MediaRefused(_l("%(f)s is larger than %(mb)d MB", f=filename, mb=1))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MediaRefused(_l("%(f)s is not UTF-8 text", f=filename)) from None
    if not text.startswith("WEBVTT"):
        raise MediaRefused(_l("%(f)s is not a WebVTT caption file", f=filename))
    return text.encode("utf-8"), "text/vtt", {}


def keep(
    data: bytes,
    content_type: str,
    kind: str,
    filename: str = "",
    *,
    alt: str = "",
    author: Any = None,
    parent: MediaFile | None = None,
    variant: str | None = None,
    **measured: Any,
) -> MediaFile:
    """Store checked bytes once (by their SHA-256) and return their row; a video phones cannot
    play as it is (``measured["transcode"]`` says why) is kept as a ``source`` to transcode."""
    if measured.get("transcode") and parent is None:
        variant = "source"
    digest = hashlib.sha256(data).hexdigest()
    row = db.session.scalar(select(MediaFile).where(MediaFile.sha256 == digest))
    if row is not None:
        if alt and row.alt != alt:
            row.alt = alt
        return row
    media_store().put(digest, data, content_type)
    row = MediaFile(
        sha256=digest,
        kind=kind,
        content_type=content_type,
        size=len(data),
        original_name=filename[-200:],
        alt=alt,
        created_by_id=getattr(author, "id", None),
        parent_id=parent.id if parent is not None else None,
        variant=variant,
        **{name: measured.get(name) for name in ("width", "height", "duration", "bitrate")},
    )
    db.session.add(row)
    db.session.flush()
    return row


def store_media(
    data: bytes,
    filename: str,
    kind: str,
    *,
    alt: str = "",
    author: Any = None,
    rendition: bool = True,
) -> MediaRef:
    """Check and keep one file a lesson or question shows (``kind``: image, video, captions,
    poster); a video gets its poster now and (``rendition``) its lighter rendition from a
    background job that starts when the transaction commits. MediaRefused says why a file is
    not accepted."""
    kept, content_type, measured = check(data, filename, kind)
    row = keep(kept, content_type, kind, filename, alt=alt, author=author, **measured)
    if kind == "video":
        from lms.content import renditions

        renditions.ensure_poster(row, kept)
        if rendition or row.variant == "source":
            renditions.request(row)
    return MediaRef.of(row)


def playable_of(row: MediaFile) -> MediaFile | None:
    """The file phones play for the video ``row``: itself, or its MP4/H.264 copy once the
    background job made it (None until then: the video is being prepared)."""
    return variant_of(row, "h264") if row.variant == "source" else row


def poster_of(row: MediaFile) -> MediaFile | None:
    return variant_of(row, "poster")


def rendition_of(row: MediaFile) -> MediaFile | None:
    return variant_of(row, "low")


def variant_of(row: MediaFile, variant: str) -> MediaFile | None:
    """What was made from the video ``row``: its ``poster``, ``low`` rendition or ``h264`` copy."""
    return db.session.scalar(
        select(MediaFile).where(MediaFile.parent_id == row.id, MediaFile.variant == variant)
    )
