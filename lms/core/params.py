"""Bounded parsing of request parameters: page numbers, whole numbers, record ids and dates.

Whatever arrives in an address or a form (an edited link, a fuzzer, ``page=10**20``,
``on=0001-01-15``) is either a value the queries can use or a ``BadParameter``, which the error
handlers answer with HTTP 400 and the message; it never reaches the database or date arithmetic
out of range, where it would be a server error (integer overflow, date overflow).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, Map, ValidationError

from lms.core.errors import DomainError

#: Dates anyone may ask for: before 2000 or after 2100 nothing happened or will.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
#: The largest key of any table (a 32-bit signed INTEGER column).
MAX_ID = 2**31 - 1
#: Pages beyond this are certainly past the end of any list.
MAX_PAGE = 1_000_000


class BadParameter(DomainError):
    """A request parameter out of its range or not of its kind; answered with 400."""

    status = 400
    code = "invalid_parameter"


def whole_number(raw: Any, name: str, low: int, high: int) -> int:
    """``raw`` as an integer between ``low`` and ``high`` inclusive, or ``BadParameter``."""
    if isinstance(raw, bool):
        raise BadParameter(_l("%(name)s: not a whole number", name=name))
    if isinstance(raw, int):
        value = raw
    else:
        try:
            value = int(str(raw).strip())
        except ValueError:  # not digits, or more digits than Python converts
            raise BadParameter(_l("%(name)s: not a whole number", name=name)) from None
    if not low <= value <= high:
        raise BadParameter(
            _l("%(name)s: must be between %(low)s and %(high)s", name=name, low=low, high=high)
        )
    return value


def a_date(raw: Any, name: str) -> date:
    """``raw`` (``YYYY-MM-DD``) as a date in the supported range, or ``BadParameter``."""
    try:
        value = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
    except ValueError:
        raise BadParameter(_l("%(name)s: not a date (use YYYY-MM-DD)", name=name)) from None
    if not in_date_range(value):
        raise BadParameter(
            _l(
                "%(name)s: the date must be between %(low)s and %(high)s",
                name=name,
                low=EARLIEST_DATE.isoformat(),
                high=LATEST_DATE.isoformat(),
            )
        )
    return value


def in_date_range(value: date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


# Query-string readers --------------------------------------------------------------------------


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """The query parameter ``name`` as a bounded integer; ``default`` when absent or empty."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    return whole_number(raw, name, low, high)


def id_arg(name: str, *, form: bool = False) -> int | None:
    """The query parameter (or with ``form``, the posted field) ``name`` as a record id
    (1 … ``MAX_ID``); None when absent or empty."""
    raw = (request.form if form else request.args).get(name)
    if raw is None or raw.strip() == "":
        return None
    return whole_number(raw, name, 1, MAX_ID)


def page_arg(name: str = "page") -> int:
    """The page number asked for (1 by default); ``paginate`` brings it within the list."""
    return int_arg(name, 1, 1, MAX_PAGE)


def date_arg(name: str, default: date | None = None) -> date | None:
    """The query parameter ``name`` as a date in the supported range; ``default`` when absent."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    return a_date(raw, name)


def month_arg(name: str, default: date) -> tuple[int, int]:
    """The query parameter ``name`` (``YYYY-MM``) as (year, month) in the supported range;
    the month of ``default`` when absent."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default.year, default.month
    try:
        first = date.fromisoformat(f"{raw.strip()}-01")
    except ValueError:
        raise BadParameter(_l("%(name)s: not a month (use YYYY-MM)", name=name)) from None
    first = a_date(first, name)
    return first.year, first.month


class RecordIdConverter(IntegerConverter):
    """``<int:…>`` in routes: a record id of at most ``MAX_ID``; a longer number is a 404 like
    any id that names nothing, rather than an integer overflow in the database."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=MAX_ID)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)):
            raise ValidationError()
        return int(super().to_python(value))


def refuse_nul_characters() -> None:
    """Before every request: a NUL character in any address or form value is refused with 400
    (no user types one; PostgreSQL cannot hold or even compare it, a server error otherwise);
    in a JSON body (the exam autosave) likewise."""
    sources = [request.args, request.form] if request.mimetype in _FORM_TYPES else [request.args]
    for values in sources:
        for name, value in values.items(multi=True):
            if "\x00" in name or "\x00" in value:
                raise BadParameter(_l("%(name)s: contains a NUL character", name=name[:40]))
    if request.is_json and holds_nul(request.get_json(silent=True)):
        raise BadParameter(_l("%(name)s: contains a NUL character", name="JSON"))


def holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_nul(item) for item in value)
    return False


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
