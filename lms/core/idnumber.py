"""Resident identity numbers (GB 11643-1999): validation, masking and synthesis."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from lms.core import localtime
from lms.core.errors import DomainError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")

#: Province-level codes (first two digits) in use on resident identity cards.
PROVINCE_CODES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
        71,
        81,
        82,
    }
)

MIN_AGE = 16
MAX_AGE = 80


class IdNumberError(DomainError, ValueError):
    """The text is not a valid resident identity number; ``message`` says why, for users."""


@dataclass(frozen=True)
class IdNumber:
    value: str
    region_code: str
    birth_date: date
    gender: str  # "M" or "F", from the parity of the sequence code

    @property
    def masked(self) -> str:
        return mask(self.value)


def check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def looks_like(text: str) -> bool:
    """Whether the text has an ID number's shape (17 digits and a digit or X, lower-case x and
    white space allowed), without checking its region, birth date or check character: the one
    test of whether a search term or a file name is meant as an ID number."""
    return bool(_SHAPE.match(normalize(text)))


def parse(text: str, *, today: date | None = None) -> IdNumber:
    """Validate an 18-character ID number and return its parts; lower-case x is accepted."""
    value = normalize(text)
    if not value:
        raise IdNumberError(_l("ID number is required"))
    if len(value) != 18:
        raise IdNumberError(_l("ID number must have 18 characters"))
    if not _SHAPE.match(value):
        raise IdNumberError(_l("ID number must be 17 digits followed by a digit or X"))
    if int(value[:2]) not in PROVINCE_CODES:
        raise IdNumberError(_l("ID number has an unknown region code"))
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(_l("ID number contains an impossible birth date")) from None
    today = today or localtime.today()
    if birth > today:
        raise IdNumberError(_l("ID number has a birth date in the future"))
    age = _age_on(birth, today)
    if age < MIN_AGE or age > MAX_AGE:
        raise IdNumberError(
            _l(
                "ID number gives an age of %(age)d, outside %(low)d–%(high)d",
                age=age,
                low=MIN_AGE,
                high=MAX_AGE,
            )
        )
    if check_char(value[:17]) != value[17]:
        raise IdNumberError(_l("ID number check digit is wrong"))
    gender = "M" if int(value[16]) % 2 == 1 else "F"
    return IdNumber(value=value, region_code=value[:6], birth_date=birth, gender=gender)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def mask(value: str) -> str:
    """Show the region and the last four characters only, e.g. ``140402********1234``."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[-4:]


def synthesize(region_code: str, birth: date, sequence: int) -> str:
    """Build a valid ID number (for demo data and tests); odd sequences are male."""
    if not (len(region_code) == 6 and region_code.isdigit() and 0 <= sequence <= 999):
        raise ValueError("region code must be 6 digits and sequence 0–999")
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
