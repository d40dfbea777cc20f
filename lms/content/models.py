"""Media files of lessons (pictures, videos, captions, posters, lighter renditions): what each
one is, kept once per content in the media store (lms/core/storage.py) under its SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow

#: What a media file is for; a rendition and a poster belong to a video (``parent_id``).
MEDIA_KINDS = ("image", "video", "captions", "poster", "rendition")


class MediaFile(Base):
    __tablename__ = "media_files"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('image', 'video', 'captions', 'poster', 'rendition')", name="known_kind"
        ),
        CheckConstraint("size >= 0", name="size_not_negative"),
        #: One rendition (or poster) of each variant per video.
        UniqueConstraint("parent_id", "variant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The bytes' SHA-256: the key in the media store; the same bytes are kept once.
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    #: The name it came with (``media/hand-washing.mp4``), for messages and authors.
    original_name: Mapped[str] = mapped_column(String(200), default="")
    #: Alternative text of a picture (authors give it; lessons take it from the Markdown).
    alt: Mapped[str] = mapped_column(Text, default="")
    width: Mapped[int | None]
    height: Mapped[int | None]
    #: Seconds, for videos and renditions.
    duration: Mapped[float | None] = mapped_column(Float)
    #: Bits per second of a video or rendition (ffprobe's figure).
    bitrate: Mapped[int | None]
    #: The video a poster or rendition was made from; "low" / "poster" name which.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id"), index=True)
    variant: Mapped[str | None] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
