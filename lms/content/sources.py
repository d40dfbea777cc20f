"""The files of courses/ as they were last loaded, kept byte for byte (``content_files``).

courses/ stays the exchange format: ``lms courses export`` writes the live content back to
that layout (lms.authoring.export), taking each file as it was loaded and putting into the
lesson files the text published in the browser since. Kept by ``sync_content`` whenever it
loads a tree from a folder."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath

from sqlalchemy import LargeBinary, String, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, db, utcnow


class ContentFile(Base):
    __tablename__ = "content_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Relative to the content root, with / (``baoyushi-l5/lessons/01-ethics.md``).
    path: Mapped[str] = mapped_column(String(300), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


def _files(root: Path) -> dict[str, Path]:
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    }


def remember(root: Path) -> int:
    """Keep every file of the tree at ``root`` (new and changed ones written, removed ones
    forgotten); return how many changed."""
    kept = {row.path: row for row in db.session.scalars(select(ContentFile))}
    changed = 0
    files = _files(root)
    for name, path in files.items():
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        row = kept.get(name)
        if row is None:
            db.session.add(ContentFile(path=name, sha256=digest, data=data))
            changed += 1
        elif row.sha256 != digest:
            row.sha256, row.data, row.loaded_at = digest, data, utcnow()
            changed += 1
    for name, row in kept.items():
        if name not in files:
            db.session.delete(row)
            changed += 1
    db.session.flush()
    return changed


def media_exists(course_code: str, relative: str) -> bool:
    """Whether a lesson of ``course_code`` may point at ``relative`` (``media/x.svg``): a file
    of the course folder as last loaded."""
    path = PurePosixPath(course_code) / PurePosixPath(relative)
    if ".." in path.parts or path.is_absolute():
        return False
    return (
        db.session.scalar(select(ContentFile.id).where(ContentFile.path == str(path))) is not None
    )


def find_media(course_code: str, ref: str, kind: str) -> str | None:
    """The course folder as last loaded, as lms.content.lesson_check asks of a lesson edited in
    the browser (``Find``): None when it holds no file ``ref``, else why lms.content.media
    refuses the file ('' when it accepts it)."""
    if not media_exists(course_code, ref):
        return None
    path = str(PurePosixPath(course_code) / PurePosixPath(ref))
    sha256 = db.session.scalar(select(ContentFile.sha256).where(ContentFile.path == path))
    return _refusal(path, str(sha256), ref, kind)


@lru_cache(maxsize=256)
def _refusal(path: str, sha256: str, ref: str, kind: str) -> str:
    """Why the stored file is refused; cached while its content (``sha256``) is unchanged."""
    from lms.content.lesson_check import refusal

    data = db.session.scalar(select(ContentFile.data).where(ContentFile.path == path))
    return refusal(data or b"", ref, kind)


def stored_files() -> list[ContentFile]:
    return list(db.session.scalars(select(ContentFile).order_by(ContentFile.path)))
