"""Staff roster import from CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX: all or nothing.

``plan_import`` reads and checks every row and says what would change; ``apply_plan`` writes it.
A file with any bad row writes nothing, and each error names its row and column.
"""

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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from lms.core import idnumber as idn
from lms.core import localtime
from lms.core.access import Scope
from lms.core.crypto import cipher
from lms.core.errors import DomainError
from lms.core.validators import FieldError, normalize_mobile, normalize_person_name
from lms.db import db, utcnow
from lms.org.models import Gender, Institution, Post, Staff
from lms.org.services import ID_PURPOSE

CHUNK = 2000


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

GENDER_VALUES = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    "m": Gender.MALE,
    "f": Gender.FEMALE,
    "male": Gender.MALE,
    "female": Gender.FEMALE,
}
POST_VALUES = {
    "保育人员": Post.CAREGIVER,
    "保育员": Post.CAREGIVER,
    "保育师": Post.CAREGIVER,
    "caregiver": Post.CAREGIVER,
    "负责人": Post.LEAD,
    "机构负责人": Post.LEAD,
    "lead": Post.LEAD,
    "其他": Post.OTHER,
    "其它": Post.OTHER,
    "other": Post.OTHER,
}


class RosterFileError(DomainError, ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _(
            "Row %(row)d, column %(column)s: %(message)s",
            row=self.row,
            column=self.column,
            message=self.message,
        )


@dataclass
class PlannedRow:
    row: int
    action: str  # "new" | "update" | "unchanged"
    values: dict[str, Any]
    staff_id: int | None = None
    changed_fields: tuple[str, ...] = ()


@dataclass
class RosterPlan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


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


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _all_blank(cells: list[Any]) -> bool:
    return all(_blank(cell) for cell in cells)


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
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise RosterFileError(_l("The XLSX file has too many parts"))
        total = 0
        for entry in entries:
            limit = _limit_of(entry.filename)
            total += entry.file_size
            ratio = entry.file_size / max(entry.compress_size, 1)
            if (
                entry.file_size > limit
                or total > MAX_TOTAL_BYTES
                or (entry.file_size > RATIO_FROM and ratio > MAX_RATIO)
            ):
                raise RosterFileError(ZIP_BOMB_MESSAGE)
        for entry in entries:
            seen = 0
            with archive.open(entry) as part:
                while chunk := part.read(READ_CHUNK):
                    seen += len(chunk)
                    if seen > entry.file_size:
                        raise RosterFileError(ZIP_BOMB_MESSAGE)
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


# Checking ----------------------------------------------------------------------------------


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def _parse_date(cell: Any) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell).replace("/", "-").replace(".", "-")
    parts = text.split("-")
    if len(parts) == 3 and all(part.isdigit() for part in parts) and len(parts[0]) == 4:
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            pass
    raise FieldError(_l("Not a date in the form YYYY-MM-DD"))


@dataclass
class _RowContext:
    scope: Scope | None
    institutions: dict[str, Institution]
    today: date
    seen_ids: dict[str, int] = field(default_factory=dict)


def _check_row(
    number: int,
    cells: list[Any],
    positions: dict[str, int],
    context: _RowContext,
    errors: list[RowError],
) -> dict[str, Any] | None:
    """Validate one row and return its column values, or record its errors and return None."""

    def cell(key: str) -> Any:
        index = positions.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    row_errors: list[RowError] = []

    def fail(key: str, message: Any) -> None:
        row_errors.append(RowError(number, HEADER_OF[key], str(message)))

    values: dict[str, Any] = {}
    try:
        values["name"] = normalize_person_name(_text(cell("name")))
    except FieldError as error:
        fail("name", error.message)

    gender = GENDER_VALUES.get(_text(cell("gender")).lower())
    if gender is None:
        fail("gender", _l("Gender must be 男 or 女"))
    values["gender"] = gender

    raw_id = cell("id_number")
    parsed: idn.IdNumber | None = None
    if isinstance(raw_id, int | float):
        fail(
            "id_number",
            _l(
                "ID number was stored as a number (Excel rounds long numbers); "
                "format the column as text"
            ),
        )
    else:
        try:
            parsed = idn.parse(_text(raw_id), today=context.today)
        except idn.IdNumberError as error:
            fail("id_number", error.message)
    if parsed is not None:
        values["id_number"] = parsed.value
        first_row = context.seen_ids.setdefault(parsed.value, number)
        if first_row != number:
            fail("id_number", _l("Same ID number as row %(row)d", row=first_row))
        if gender is not None and parsed.gender != gender.value:
            fail("gender", _l("Gender does not match the ID number"))

    try:
        values["phone"] = normalize_mobile(_text(cell("phone")))
    except FieldError as error:
        fail("phone", error.message)

    institution = context.institutions.get(_text(cell("institution")))
    if institution is None:
        fail("institution", _l("No registered institution has exactly this name"))
    elif context.scope is not None and not context.scope.allows_institution(
        institution.id, institution.district_id
    ):
        fail("institution", _l("This institution is outside your scope"))
    else:
        values["institution_id"] = institution.id

    post = POST_VALUES.get(_text(cell("post")).lower())
    if post is None:
        fail("post", _l("Post must be one of 保育人员, 负责人, 其他"))
    values["post"] = post

    try:
        values["in_post_from"] = _parse_date(cell("in_post_from"))
        if values["in_post_from"] > context.today:
            fail("in_post_from", _l("Start date cannot be in the future"))
    except FieldError as error:
        fail("in_post_from", error.message)
    values["in_post_to"] = None
    if not _blank(cell("in_post_to")):
        try:
            values["in_post_to"] = _parse_date(cell("in_post_to"))
            start = values.get("in_post_from")
            if start and values["in_post_to"] < start:
                fail("in_post_to", _l("End date cannot be before the start date"))
        except FieldError as error:
            fail("in_post_to", error.message)

    if row_errors:
        errors.extend(row_errors)
        return None
    return values


COMPARED = ("name", "gender", "phone", "institution_id", "post", "in_post_from", "in_post_to")
#: Columns of a new staff record beyond COMPARED, computed when the row is checked.
IDENTITY = ("id_number_encrypted", "id_number_hash", "id_number_masked")
#: A file naming more people registered outside the importer's scope than this is refused as
#: a whole, without saying which rows: a roster is not a way to test ID numbers.
MAX_OUT_OF_SCOPE = 20


class ErrorLog:
    """Row errors: all counted, the first MAX_REPORTED_ERRORS kept."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.count = 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)


@dataclass
class CheckOutcome:
    """What checking a whole file found; the rows themselves went to the sink chunk by chunk."""

    counts: dict[str, int]
    errors: list[RowError]
    error_count: int
    #: Data rows read, with or without errors.
    data_rows: int

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def check_file(
    source: Source,
    *,
    scope: Scope | None,
    sink: Callable[[list[PlannedRow], int], None],
    today: date | None = None,
    max_rows: int | None = None,
) -> CheckOutcome:
    """Read and check a roster file in one pass, in chunks of CHUNK rows: every row is
    validated, compared with the records stored now, and handed to ``sink`` (which stores or
    writes it) with its action, together with the number of errors found so far. Memory holds
    one chunk, not the file.

    ``scope`` None means the operator (CLI) importing for the whole city."""
    positions, rows = read_table(source, max_rows=max_rows)
    institutions = {inst.name: inst for inst in db.session.scalars(select(Institution))}
    context = _RowContext(scope=scope, institutions=institutions, today=today or localtime.today())
    log = ErrorLog()
    counts = {"new": 0, "update": 0, "unchanged": 0}
    field_cipher = cipher()
    out_of_scope = 0
    chunk: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        nonlocal out_of_scope
        planned, outside = classify(chunk, scope, log)
        out_of_scope += outside
        if out_of_scope > MAX_OUT_OF_SCOPE:
            raise RosterFileError(
                _l(
                    "More than %(n)d rows name people registered outside your scope; the file "
                    "was not checked further. Ask the city administrator to import it",
                    n=MAX_OUT_OF_SCOPE,
                )
            )
        for row in planned:
            counts[row.action] += 1
        sink(planned, log.count)
        chunk.clear()

    data_rows = 0
    for number, cells in rows:
        data_rows += 1
        row_errors: list[RowError] = []
        values = _check_row(number, cells, positions, context, row_errors)
        for error in row_errors:
            log.add(error)
        if values is None:
            continue
        plain = values["id_number"]
        values["id_number_hash"] = field_cipher.blind_index(plain, ID_PURPOSE)
        values["id_number_encrypted"] = field_cipher.encrypt(plain, ID_PURPOSE)
        values["id_number_masked"] = idn.mask(plain)
        chunk.append((number, values))
        if len(chunk) >= CHUNK:
            flush()
    if not data_rows:
        raise RosterFileError(_l("The file has a header but no data rows"))
    flush()
    log.errors.sort(key=lambda error: error.row)
    return CheckOutcome(counts, log.errors, log.count, data_rows)


def classify(
    chunk: list[tuple[int, dict[str, Any]]], scope: Scope | None, log: ErrorLog
) -> tuple[list[PlannedRow], int]:
    """Compare checked rows with the records stored now: new, update or unchanged; errors go to
    ``log``. Returns the rows and how many name people registered outside ``scope``.

    Nothing about a record outside the actor's scope is told: the message for such a row is the
    same whoever holds the number and whatever name the row gives (the check comes before the
    names are compared)."""
    existing = _existing_staff(values["id_number_hash"] for _, values in chunk)
    planned: list[PlannedRow] = []
    outside = 0
    for number, values in chunk:
        current = existing.get(values["id_number_hash"])
        if current is None:
            planned.append(PlannedRow(number, "new", values))
            continue
        if scope is not None and not _current_in_scope(current, scope):
            outside += 1
            log.add(RowError(number, HEADER_OF["id_number"], str(OUTSIDE_SCOPE_MESSAGE)))
            continue
        if current["name"] != values["name"]:
            log.add(
                RowError(
                    number,
                    HEADER_OF["id_number"],
                    str(
                        _l(
                            "This ID number is registered to another name (%(name)s); "
                            "correct the row or the existing record",
                            name=current["name"],
                        )
                    ),
                )
            )
            continue
        changed = tuple(key for key in COMPARED if current[key] != values[key])
        action = "update" if changed else "unchanged"
        planned.append(PlannedRow(number, action, values, current["id"], changed))
    return planned, outside


OUTSIDE_SCOPE_MESSAGE = _l(
    "This ID number is already registered outside your scope; it cannot be imported here. "
    "Ask the city administrator"
)


def plan_import(
    filename: str,
    content: Source,
    *,
    scope: Scope | None,
    today: date | None = None,
    max_rows: int | None = None,
) -> RosterPlan:
    """Check a roster file and keep the whole plan in memory (small files, tests, benchmark);
    the web and the command line stream through ``check_file`` instead."""
    plan = RosterPlan()
    outcome = check_file(
        content,
        scope=scope,
        sink=lambda rows, _errors: plan.rows.extend(rows),
        today=today,
        max_rows=max_rows,
    )
    plan.errors = outcome.errors
    return plan


def _existing_staff(hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = list(hashes)
    found: dict[str, dict[str, Any]] = {}
    columns = (
        Staff.id,
        Staff.id_number_hash,
        Institution.district_id,
        *(getattr(Staff, key) for key in COMPARED),
    )
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        statement = (
            select(*columns)
            .join(Institution, Institution.id == Staff.institution_id)
            .where(Staff.id_number_hash.in_(chunk))
        )
        for row in db.session.execute(statement).mappings():
            found[row["id_number_hash"]] = dict(row)
    return found


def _current_in_scope(current: dict[str, Any], scope: Scope) -> bool:
    return scope.allows_institution(current["institution_id"], current["district_id"])


# Writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def write_rows(rows: Iterable[PlannedRow]) -> ImportResult:
    """Insert the new rows and update the changed ones, in the current transaction."""
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    unchanged = 0
    for row in rows:
        values = {key: row.values[key] for key in COMPARED}
        if row.action == "new":
            values.update(
                {key: row.values[key] for key in IDENTITY}, created_at=now, updated_at=now
            )
            inserts.append(values)
        elif row.action == "update":
            values.update(id=row.staff_id, updated_at=now)
            updates.append(values)
        else:
            unchanged += 1
    for start in range(0, len(inserts), CHUNK):
        db.session.execute(insert(Staff), inserts[start : start + CHUNK])
    for start in range(0, len(updates), CHUNK):
        db.session.execute(update(Staff), updates[start : start + CHUNK])
    return ImportResult(len(inserts), len(updates), unchanged)


def apply_plan(plan: RosterPlan) -> ImportResult:
    """Write a checked plan; refuses a plan with errors so nothing is half-imported."""
    if plan.errors:
        raise ValueError("a roster plan with errors cannot be applied")
    return write_rows(plan.rows)


def template_csv() -> bytes:
    """An empty roster with the required header, UTF-8 with BOM so Excel opens it correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员名单"
    sheet.append([column.header for column in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = 18
        # Text format keeps Excel from turning ID numbers into 1.40402E+17.
        for row in range(2, 1002):
            sheet.cell(row=row, column=index).number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
