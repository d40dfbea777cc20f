"""Staff roster import from CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX: all or nothing.

``plan_import`` reads and checks every row and says what would change; ``apply_plan`` writes it.
A file with any bad row writes nothing, and each error names its row and column.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from lms.core import idnumber as idn
from lms.core.access import Scope
from lms.core.crypto import cipher
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


class RosterFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


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


def read_table(filename: str, content: bytes) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
    """Return the column positions and the data rows (with sheet row numbers) of a file."""
    if not content.strip():
        raise RosterFileError(_l("The file is empty"))
    if content[:4] == b"PK\x03\x04":
        records = _read_xlsx(content)
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise RosterFileError(_l("Old .xls files are not supported; save as .xlsx or CSV"))
    else:
        records = _read_csv(content)
    header_row: list[Any] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in records:
        if all(_blank(cell) for cell in cells):
            continue
        if header_row is None:
            header_row = cells
            continue
        rows.append((number, cells))
    if header_row is None:
        raise RosterFileError(_l("The file has no header row"))
    return _map_header(header_row), rows


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_csv(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    if content.startswith(b"\xef\xbb\xbf"):
        text = content[3:].decode("utf-8", errors="strict")
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")  # a superset of GBK and GB2312
            except UnicodeDecodeError:
                raise RosterFileError(
                    _l("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX")
                ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    for number, cells in enumerate(reader, start=1):
        yield number, list(cells)


def _read_xlsx(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # imported here: only XLSX uploads pay its import time

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise RosterFileError(_l("The XLSX file cannot be opened: %(e)s", e=error)) from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


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


def plan_import(
    filename: str, content: bytes, *, scope: Scope | None, today: date | None = None
) -> RosterPlan:
    """Read and check a roster file; say for each row whether it is new, an update or unchanged.

    ``scope`` None means the operator (CLI) importing for the whole city.
    """
    positions, rows = read_table(filename, content)
    if not rows:
        raise RosterFileError(_l("The file has a header but no data rows"))
    institutions = {inst.name: inst for inst in db.session.scalars(select(Institution))}
    context = _RowContext(scope=scope, institutions=institutions, today=today or date.today())
    plan = RosterPlan()
    checked: list[tuple[int, dict[str, Any]]] = []
    for number, cells in rows:
        values = _check_row(number, cells, positions, context, plan.errors)
        if values is not None:
            checked.append((number, values))

    field_cipher = cipher()
    for _number, values in checked:
        values["id_number_hash"] = field_cipher.blind_index(values["id_number"], ID_PURPOSE)
    existing = _existing_staff(values["id_number_hash"] for _, values in checked)
    for number, values in checked:
        current = existing.get(values["id_number_hash"])
        if current is None:
            plan.rows.append(PlannedRow(number, "new", values))
            continue
        if current["name"] != values["name"]:
            plan.errors.append(
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
        if scope is not None and not _current_in_scope(current, scope):
            plan.errors.append(
                RowError(
                    number,
                    HEADER_OF["id_number"],
                    str(_l("This person is registered at an institution outside your scope")),
                )
            )
            continue
        changed = tuple(key for key in COMPARED if current[key] != values[key])
        action = "update" if changed else "unchanged"
        plan.rows.append(PlannedRow(number, action, values, current["id"], changed))
    plan.errors.sort(key=lambda error: error.row)
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


def apply_plan(plan: RosterPlan) -> ImportResult:
    """Write a checked plan; refuses a plan with errors so nothing is half-imported."""
    if plan.errors:
        raise ValueError("a roster plan with errors cannot be applied")
    field_cipher = cipher()
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in plan.rows:
        values = {key: row.values[key] for key in COMPARED}
        if row.action == "new":
            plain = row.values["id_number"]
            values.update(
                id_number_encrypted=field_cipher.encrypt(plain, ID_PURPOSE),
                id_number_hash=row.values["id_number_hash"],
                id_number_masked=idn.mask(plain),
                created_at=now,
                updated_at=now,
            )
            inserts.append(values)
        elif row.action == "update":
            values.update(id=row.staff_id, updated_at=now)
            updates.append(values)
    for start in range(0, len(inserts), CHUNK):
        db.session.execute(insert(Staff), inserts[start : start + CHUNK])
    for start in range(0, len(updates), CHUNK):
        db.session.execute(update(Staff), updates[start : start + CHUNK])
    return ImportResult(len(inserts), len(updates), plan.count("unchanged"))


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
