"""Staff roster import from CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX: all or nothing.

``plan_import`` reads and checks every row and says what would change; ``apply_plan`` writes it.
A file with any bad row writes nothing, and each error names its row and column. Reading the
file safely is lms.org.roster_files, checking one row lms.org.roster_rows; uploads through the
web (stored rows, background jobs) are lms.org.roster_uploads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from lms.core import idnumber as idn
from lms.core import localtime
from lms.core.access import Scope
from lms.core.crypto import cipher
from lms.db import db, utcnow
from lms.org.models import Institution, Staff
from lms.org.roster_files import (
    COLUMNS,
    HEADER_OF,
    MAX_REPORTED_ERRORS,
    RosterFileError,
    Source,
    read_table,
)
from lms.org.roster_rows import RowContext, RowError, check_row
from lms.org.services import ID_PURPOSE

CHUNK = 2000


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


# Checking ----------------------------------------------------------------------------------


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
    context = RowContext(scope=scope, institutions=institutions, today=today or localtime.today())
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
        values = check_row(number, cells, positions, context, row_errors)
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
