"""Opening an uploaded QTI file: one item XML, or a zip content package with its item files and
their media. Nothing in a package is trusted: it goes through the ZIP guards of
lms/core/archives.py (entry count, names that point outside, declared and real sizes,
compression ratio, nested archives) with this upload's limits, and is refused whole, with the
reason, when any guard trips."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.core import archives
from lms.exams import media

MAX_FILES = 2000
#: QTI item files are a few KB; these leave room for long items and large packages.
MAX_ENTRIES = MAX_FILES
MAX_ENTRY_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 40 * 1024 * 1024
#: XML compresses about 10:1; a file of more than 64 KB compressed beyond this is a bomb.
MAX_RATIO = 100
RATIO_FLOOR = 64 * 1024
CHUNK = 64 * 1024


class UnsafePackage(Exception):
    """The package is refused whole; the message says why (in the user's language)."""


@dataclass
class Upload:
    #: (name, bytes) of the item XML files, in name order.
    documents: list[tuple[str, bytes]] = field(default_factory=list)
    #: Every other file of the package by its path: the media items may point at.
    files: dict[str, bytes] = field(default_factory=dict)
    #: Whether the upload was a package (media can only come with one).
    package: bool = False


def _entry_limit(name: str) -> int:
    return MAX_ENTRY_BYTES if name.lower().endswith(".xml") else media.MAX_BYTES


def _too_big(name: str) -> Any:
    return _l(
        "%(f)s: a file expands to more than %(mb)d MB; the package is refused",
        f=name,
        mb=_entry_limit(name) // (1024 * 1024),
    )


LIMITS = archives.Limits(
    max_entries=MAX_ENTRIES,
    max_entry_bytes=_entry_limit,
    max_total_bytes=MAX_TOTAL_BYTES,
    max_ratio=MAX_RATIO,
    ratio_floor=RATIO_FLOOR,
    refuse_nested=True,
)


def read_upload(filename: str, content: bytes) -> Upload:
    """The upload's item files and other files; raises UnsafePackage."""
    if content[:2] == b"PK" or filename.lower().endswith(".zip"):
        return _package(filename, content)
    if len(content) > MAX_ENTRY_BYTES:
        raise UnsafePackage(_too_big(filename))
    return Upload(documents=[(filename, content)])


def _package(filename: str, content: bytes) -> Upload:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UnsafePackage(_l("%(f)s: the zip file cannot be opened", f=filename)) from None
    try:
        entries = archives.checked_entries(archive, LIMITS)
    except archives.ArchiveRefused as refusal:
        raise UnsafePackage(_refusal_message(filename, refusal)) from None
    upload = Upload(package=True)
    read_total = 0
    for info in sorted(entries, key=lambda i: i.filename):
        name = info.filename.replace("\\", "/")
        if name.lower().endswith("imsmanifest.xml"):
            continue
        data = _read_within(archive, info, filename, MAX_TOTAL_BYTES - read_total)
        read_total += len(data)
        if name.lower().endswith(".xml"):
            upload.documents.append((name, data))
        else:
            upload.files[name] = data
    return upload


def _read_within(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, left: int
) -> bytes:
    """One file's bytes, read in chunks; stops as soon as it passes a limit, whatever the
    directory claimed."""
    try:
        return archives.read_capped(
            archive, info, _entry_limit(info.filename), CHUNK, total_left=left, refuse_nested=True
        )
    except archives.ArchiveRefused as refusal:
        raise UnsafePackage(_refusal_message(filename, refusal)) from None


def _refusal_message(filename: str, refusal: archives.ArchiveRefused) -> Any:
    name = refusal.name
    if refusal.reason == archives.TOO_MANY_ENTRIES:
        return _l(
            "%(f)s: the package holds %(n)d files; at most %(max)d are accepted",
            f=filename,
            n=refusal.count,
            max=MAX_ENTRIES,
        )
    if refusal.reason == archives.UNSAFE_NAME:
        return _l("%(f)s: the file name %(n)s points outside the package", f=filename, n=name)
    if refusal.reason == archives.NESTED_ARCHIVE:
        return _l("%(f)s: archives inside the package are not accepted (%(n)s)", f=filename, n=name)
    if refusal.reason == archives.ENTRY_TOO_BIG:
        return _too_big(name)
    if refusal.reason == archives.TOO_COMPRESSED:
        return _l(
            "%(f)s: %(n)s is compressed more than %(r)d to 1, as a zip bomb is; "
            "the package is refused",
            f=filename,
            n=name,
            r=MAX_RATIO,
        )
    if refusal.reason == archives.TOTAL_TOO_BIG:
        return _l(
            "%(f)s: the package expands to more than %(mb)d MB; it is refused",
            f=filename,
            mb=MAX_TOTAL_BYTES // (1024 * 1024),
        )
    return _l("%(f)s: %(n)s cannot be read from the zip file", f=filename, n=name)
