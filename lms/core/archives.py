"""Checking a ZIP archive before it is trusted: the one home of the guards every upload of a
ZIP (a QTI package, a ZIP of photos, an XLSX workbook) goes through.

Nothing in an archive is trusted: its directory is checked before a byte is inflated (number
of entries, names, declared sizes, compression ratio), then each entry is read in chunks and
reading stops past the allowed size, since the sizes a ZIP declares can lie. Each caller keeps
its own limits and turns an :class:`ArchiveRefused` into its own message."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: Names and first bytes of archives, refused inside an archive by callers that ask.
ARCHIVE_SUFFIXES = (".zip", ".jar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar")
ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")

#: Errors reading an entry can raise (a corrupt stream, an unknown method, encryption).
READ_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError)

# Reasons an archive or an entry is refused.
TOO_MANY_ENTRIES = "too_many_entries"
UNSAFE_NAME = "unsafe_name"
NESTED_ARCHIVE = "nested_archive"
ENTRY_TOO_BIG = "entry_too_big"
TOO_COMPRESSED = "too_compressed"
TOTAL_TOO_BIG = "total_too_big"
UNREADABLE = "unreadable"


@dataclass
class ArchiveRefused(Exception):
    """Why the archive (or one entry, ``name``) is refused; ``count`` is the number of entries
    for TOO_MANY_ENTRIES. The caller words the message."""

    reason: str
    name: str = ""
    count: int = 0


@dataclass(frozen=True)
class Limits:
    """One caller's limits. ``max_entry_bytes`` may depend on the entry's name; the ratio is
    checked only for entries declared larger than ``ratio_floor`` bytes."""

    max_entries: int
    max_entry_bytes: int | Callable[[str], int]
    max_total_bytes: int
    max_ratio: int
    ratio_floor: int
    check_names: bool = True
    refuse_nested: bool = False

    def entry_limit(self, name: str) -> int:
        limit = self.max_entry_bytes
        return limit if isinstance(limit, int) else limit(name)


def unsafe_name(name: str) -> bool:
    """An entry name that could point outside where it is unpacked: absolute, with ``..``, a
    drive letter, a backslash root or a NUL."""
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\"))
        or ".." in parts
        or (len(name) > 1 and name[1] == ":")
        or "\x00" in name
    )


def checked_entries(archive: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    """The archive's file entries (directories left out) once its directory passes the limits;
    raises ArchiveRefused otherwise."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveRefused(TOO_MANY_ENTRIES, count=len(infos))
    declared = 0
    files = []
    for info in infos:
        name = info.filename
        if limits.check_names and unsafe_name(name):
            raise ArchiveRefused(UNSAFE_NAME, name)
        if info.is_dir():
            continue
        if limits.refuse_nested and name.lower().endswith(ARCHIVE_SUFFIXES):
            raise ArchiveRefused(NESTED_ARCHIVE, name)
        if info.file_size > limits.entry_limit(name):
            raise ArchiveRefused(ENTRY_TOO_BIG, name)
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise ArchiveRefused(TOO_COMPRESSED, name)
        declared += info.file_size
        files.append(info)
    if declared > limits.max_total_bytes:
        raise ArchiveRefused(TOTAL_TOO_BIG)
    return files


def capped_chunks(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limit: int,
    chunk: int,
    total_left: int | None = None,
) -> Iterator[bytes]:
    """The entry's bytes in chunks of at most ``chunk``; raises ArchiveRefused (ENTRY_TOO_BIG,
    or TOTAL_TOO_BIG past ``total_left``) as soon as more came out than allowed, whatever the
    directory declared. Read errors (READ_ERRORS) are left to the caller."""
    size = 0
    with archive.open(info) as stream:
        while data := stream.read(chunk):
            size += len(data)
            if size > limit:
                raise ArchiveRefused(ENTRY_TOO_BIG, info.filename)
            if total_left is not None and size > total_left:
                raise ArchiveRefused(TOTAL_TOO_BIG, info.filename)
            yield data


def read_capped(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limit: int,
    chunk: int,
    total_left: int | None = None,
    refuse_nested: bool = False,
) -> bytes:
    """The entry's bytes, read as :func:`capped_chunks` does; a read error is UNREADABLE, and
    an entry that is itself an archive (by its first bytes) NESTED_ARCHIVE when asked."""
    try:
        data = b"".join(capped_chunks(archive, info, limit, chunk, total_left))
    except READ_ERRORS:
        raise ArchiveRefused(UNREADABLE, info.filename) from None
    if refuse_nested and data.startswith(ARCHIVE_MAGIC):
        raise ArchiveRefused(NESTED_ARCHIVE, info.filename)
    return data
