"""Checking one roster row: its cells parsed and validated into a staff record's values, or
RowErrors naming the row and column. lms.org.roster checks whole files with it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.core import idnumber as idn
from lms.core.access import Scope
from lms.core.validators import FieldError, normalize_mobile, normalize_person_name
from lms.org.models import Gender, Institution, Post
from lms.org.roster_files import (
    HEADER_OF,
    blank,
)

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
class RowContext:
    scope: Scope | None
    institutions: dict[str, Institution]
    today: date
    seen_ids: dict[str, int] = field(default_factory=dict)


def check_row(
    number: int,
    cells: list[Any],
    positions: dict[str, int],
    context: RowContext,
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
    if not blank(cell("in_post_to")):
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
