"""The roster file: its columns, and reading CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX into
rows safely (bounded rows, columns, line lengths, ZIP parts and ratios). Checking the rows and
writing them is lms.org.roster."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import unicodedata
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l

from lms.core import archives
from lms.core.errors import DomainError


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...]
    required: bool = True


COLUMNS = (
    Column("name", "姓名", ("name",)),
    Column("gender", "性别", ("gender", "sex")),
    Column("id_number", "身份证号码", ("身份证号", "公民身份号码", "id_number", "id number")),
    Column("phone", "手机号码", ("手机号", "手机", "phone", "mobile")),
    Column("institution", "机构名称", ("机构", "institution")),
    Column("post", "岗位", ("post",)),
    Column("in_post_from", "上岗日期", ("start_date", "in_post_from")),
    Column("in_post_to", "离岗日期", ("end_date", "in_post_to"), required=False),
)
HEADER_OF = {column.key: column.header for column in COLUMNS}
#: Column headings for the fields a planned update changes.
FIELD_HEADERS = {**HEADER_OF, "institution_id": HEADER_OF["institution"]}


class RosterFileError(DomainError, ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


# Reading -----------------------------------------------------------------------------------
#
# Files are read as streams, row by row, and only the columns the roster needs are kept, so
# that memory does not grow with the file. XLSX files are ZIP archives: their directory is
# checked before anything is decompressed, and every part is read once, counted, before the
# spreadsheet library sees it (a part that inflates past what its header declared is refused).

#: Data rows a file may hold (ROSTER_MAX_ROWS).
MAX_ROWS = 200_000
#: Columns read from each row; a roster has eight.
MAX_COLUMNS = 64
#: Characters in one CSV line.
MAX_LINE_CHARS = 8192
#: How many row errors are kept for the preview (all are counted).
MAX_REPORTED_ERRORS = 1000
MAX_ZIP_ENTRIES = 500
#: A worksheet is streamed; shared strings are held packed; other XML parts become objects.
MAX_SHEET_BYTES = 256 * 1024 * 1024
MAX_PART_BYTES = 40 * 1024 * 1024
MAX_XML_PART_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 320 * 1024 * 1024
#: Uncompressed/compressed size of a part larger than RATIO_FROM bytes; real rosters stay
#: far below (their rows differ); a zip bomb is thousands.
MAX_RATIO = 100
RATIO_FROM = 1024 * 1024
READ_CHUNK = 1024 * 1024

Source = bytes | BinaryIO


def _stream(source: Source) -> BinaryIO:
    return io.BytesIO(source) if isinstance(source, bytes | bytearray) else source


def read_table(
    source: Source, *, max_rows: int | None = None
) -> tuple[dict[str, int], Iterator[tuple[int, list[Any]]]]:
    """Return the column positions and an iterator over the data rows (with their row numbers
    in the sheet). The iterator raises RosterFileError when the file has more than ``max_rows``
    data rows, before reading further."""
    stream = _stream(source)
    stream.seek(0)
    if not stream.read(4096).strip() and not stream.read(1):
        raise RosterFileError(_l("The file is empty"))
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head[:4] == b"PK\x03\x04":
        records = _read_xlsx(stream)
    elif head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise RosterFileError(_l("Old .xls files are not supported; save as .xlsx or CSV"))
    else:
        records = _read_csv(stream)
    limit = max_rows or MAX_ROWS
    for _number, header_row in (r for r in records if not _all_blank(r[1])):
        positions = _map_header(header_row)
        break
    else:
        raise RosterFileError(_l("The file has no header row"))

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        count = 0
        for number, cells in records:
            if _all_blank(cells):
                continue
            count += 1
            if count > limit:
                raise RosterFileError(
                    _l(
                        "The file has more than %(n)s data rows; split it into files of at "
                        "most %(n)s rows",
                        n=f"{limit:,}",
                    )
                )
            yield number, cells

    return positions, data_rows()


def blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _all_blank(cells: list[Any]) -> bool:
    return all(blank(cell) for cell in cells)


def _csv_encoding(stream: BinaryIO) -> str:
    """UTF-8 (with or without BOM) or GB 18030 (a superset of GBK and GB 2312), found by
    decoding the whole stream once, in chunks."""
    stream.seek(0)
    if stream.read(3) == b"\xef\xbb\xbf":
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            while chunk := stream.read(READ_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise RosterFileError(
        _l("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX")
    )


def _read_csv(stream: BinaryIO) -> Iterator[tuple[int, list[Any]]]:
    encoding = _csv_encoding(stream)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")

    def lines() -> Iterator[str]:
        while line := text.readline(MAX_LINE_CHARS + 1):
            if len(line) > MAX_LINE_CHARS:
                raise RosterFileError(
                    _l("A line of the file is longer than %(n)d characters", n=MAX_LINE_CHARS)
                )
            yield line

    try:
        reader = csv.reader(lines())
        for number, cells in enumerate(reader, start=1):
            yield number, cells[:MAX_COLUMNS]
    except csv.Error as error:
        raise RosterFileError(_l("The CSV file cannot be read: %(e)s", e=error)) from None
    finally:
        with contextlib.suppress(ValueError):  # the stream was closed already
            text.detach()


def check_zip(stream: BinaryIO) -> None:
    """Refuse an XLSX whose parts would inflate beyond the limits: first by the sizes its
    directory declares, then by reading every part once and counting what really comes out
    (zipfile stops at the declared size and then fails the part's CRC, so a part that lies
    about its size is refused too)."""
    try:
        archive = zipfile.ZipFile(stream)
        try:
            entries = archives.checked_entries(archive, _xlsx_limits())
            for entry in entries:
                for _chunk in archives.capped_chunks(archive, entry, entry.file_size, READ_CHUNK):
                    pass
        except archives.ArchiveRefused as refusal:
            if refusal.reason == archives.TOO_MANY_ENTRIES:
                raise RosterFileError(_l("The XLSX file has too many parts")) from None
            raise RosterFileError(ZIP_BOMB_MESSAGE) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError,
            zlib.error) as error:  # fmt: skip
        raise RosterFileError(_l("The XLSX file cannot be opened: %(e)s", e=error)) from None
    finally:
        stream.seek(0)


ZIP_BOMB_MESSAGE = _l(
    "The XLSX file expands to far more data than a roster holds (a compressed “zip bomb” "
    "or a sheet with too many rows); it was not read"
)


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _limit_of(name: str) -> int:
    """Worksheets are streamed; shared strings are kept packed; every other XML part (the
    workbook, its styles, the manifest) becomes objects in memory whole, so it stays small."""
    if _is_sheet(name):
        return MAX_SHEET_BYTES
    if name.endswith((".xml", ".rels")) and not name.endswith("sharedStrings.xml"):
        return MAX_XML_PART_BYTES
    return MAX_PART_BYTES


def _xlsx_limits() -> archives.Limits:
    """The limits above for lms.core.archives (read on use); an XLSX part's name is not a path
    anything is unpacked to, so names are not checked."""
    return archives.Limits(
        max_entries=MAX_ZIP_ENTRIES,
        max_entry_bytes=_limit_of,
        max_total_bytes=MAX_TOTAL_BYTES,
        max_ratio=MAX_RATIO,
        ratio_floor=RATIO_FROM,
        check_names=False,
    )


def _read_xlsx(stream: BinaryIO) -> Iterator[tuple[int, list[Any]]]:
    """The first worksheet's rows, parsed as a stream by openpyxl's own sheet parser (so that
    dates, shared strings and number formats read as they do in openpyxl). ``load_workbook``
    is not used: even in read-only mode it scans every sheet whole for its size when the
    sheet does not state it, which a hostile file turns into minutes of work."""
    from openpyxl.reader.excel import ExcelReader  # only XLSX uploads pay the import time
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    check_zip(stream)
    errors = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError)
    try:
        reader = ExcelReader(stream, read_only=True, data_only=True)
        reader.read_manifest()
        reader.shared_strings = _shared_strings(reader)
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
    except RosterFileError:
        raise
    except errors as error:
        raise RosterFileError(_l("The XLSX file cannot be opened: %(e)s", e=error)) from None
    if not sheets:
        raise RosterFileError(_l("The file has no header row"))
    workbook = reader.wb
    try:
        with reader.archive.open(sheets[0]) as source:
            parser = WorkSheetParser(
                _Guarded(source),
                reader.shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for number, cells in parser.parse():
                values: list[Any] = [None] * min(
                    MAX_COLUMNS, max((cell["column"] for cell in cells), default=0)
                )
                for cell in cells:
                    if cell["column"] <= MAX_COLUMNS:
                        values[cell["column"] - 1] = cell["value"]
                yield number, values
    except RosterFileError:
        raise
    except errors as error:
        raise RosterFileError(_l("The XLSX file cannot be opened: %(e)s", e=error)) from None
    finally:
        reader.archive.close()


#: Bytes of XML between two tags (a cell's text, a tag with its attributes). Excel holds at
#: most 32,767 characters in a cell; a single 200 MB cell would be a 200 MB string.
MAX_XML_RUN = 256 * 1024
_LONG_RUN = re.compile(rb"[^<]{%d}" % (MAX_XML_RUN + 1))


class _Guarded:
    """An XML part read through a check that no text or tag runs longer than MAX_XML_RUN."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.carried = raw, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        first = chunk.find(b"<")
        head = len(chunk) if first == -1 else first
        if self.carried + head > MAX_XML_RUN or _LONG_RUN.search(chunk):
            raise RosterFileError(ZIP_BOMB_MESSAGE)
        last = chunk.rfind(b"<")
        self.carried = self.carried + len(chunk) if last == -1 else len(chunk) - last - 1
        return chunk


class SharedStrings:
    """An XLSX's shared strings, packed: one UTF-8 buffer and an array of offsets, about the
    size of the text itself. (openpyxl keeps a list of str and, while reading, every parsed
    element: a 4.7 MB file of two million short strings took 360 MB that way.)"""

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("Q")

    def append(self, text: str) -> None:
        self.data += text.encode("utf-8")
        self.ends.append(len(self.data))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> str:
        start = self.ends[index - 1] if index > 0 else 0
        return self.data[start : self.ends[index]].decode("utf-8")


def _shared_strings(reader: Any) -> SharedStrings:
    """Read the shared-strings part as a stream, dropping each element once read; the text of
    a string is its plain text or the text of its runs (phonetic runs left out), as openpyxl
    reads it."""
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    strings = SharedStrings()
    part = reader.package.find(SHARED_STRINGS)
    if part is None:
        return strings
    si, t, r = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("si", "t", "r"))
    root = None
    with reader.archive.open(part.PartName[1:]) as source:
        for event, element in iterparse(_Guarded(source), events=("start", "end")):
            if root is None:
                root = element
            if event != "end" or element.tag != si:
                continue
            texts = [child.text or "" for child in element if child.tag == t]
            for run in element:
                if run.tag == r:
                    texts.extend(child.text or "" for child in run if child.tag == t)
            strings.append("".join(texts).replace("x005F_", ""))
            root.clear()
    return strings


def _header_key(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip().lower().replace("*", "")


def _map_header(header: list[Any]) -> dict[str, int]:
    positions: dict[str, int] = {}
    lookup = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            lookup[_header_key(name)] = column.key
    for index, cell in enumerate(header):
        key = lookup.get(_header_key(cell))
        if key and key not in positions:
            positions[key] = index
    missing = [
        column.header for column in COLUMNS if column.required and column.key not in positions
    ]
    if missing:
        raise RosterFileError(
            _l("Required columns are missing from the header: %(names)s", names="、".join(missing))
        )
    return positions
