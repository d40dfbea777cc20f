"""The certificates page's lists, read from the address: the register's search and filters
(``register_filter``, and back to an address with ``query_of``) and the list of those waiting for
a photo (searched, sorted by ``WAITING_ORDERS``, paged on its own). Reads only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from lms.certification import queries, services
from lms.core import params
from lms.grading.models import SkillCandidate, SkillSession
from lms.org.models import Institution, Staff

#: The waiting-for-photo list's sort orders (``wsort``); each ends on the candidate's id.
WAITING_ORDERS: dict[str, tuple[Any, ...]] = {
    "name": (Staff.name, SkillCandidate.id),
    "number": (SkillCandidate.admission_number, SkillCandidate.id),
    "level": (SkillSession.level, Staff.name, SkillCandidate.id),
    "institution": (Institution.name, Staff.name, SkillCandidate.id),
}
WAITING_DEFAULT = "number"


def waiting_for_photo(text: str) -> Select[Any]:
    """Those who would be issued a certificate but for their photo, ``text`` matching a part of
    the name or of the admission number (lms.certification.services), with their institution
    joined for sorting."""
    return services.waiting_for_photo_matching(text).join(
        Institution, Institution.id == Staff.institution_id
    )


def register_filter(values: Any) -> queries.RegisterFilter:
    """The register's search and filters from ``values`` (the query string, or the search
    form's posted fields), each bounded (an out-of-range value answers 400)."""

    def number(name: str, low: int, high: int) -> int | None:
        raw = (values.get(name) or "").strip()
        return params.whole_number(raw, name, low, high) if raw else None

    def day(name: str) -> Any:
        raw = (values.get(name) or "").strip()
        return params.a_date(raw, name) if raw else None

    status = values.get("status", "")
    return queries.RegisterFilter(
        text=(values.get("q") or "")[:50],
        district_id=number("district", 1, params.MAX_ID),
        cohort_id=number("cohort", 1, params.MAX_ID),
        level=number("level", 0, 5) or None,
        status=status if status in queries.REGISTER_STATUSES else None,
        issued_from=day("from"),
        issued_to=day("to"),
    )


def query_of(wanted: queries.RegisterFilter) -> dict[str, Any]:
    """The filter as query arguments (the empty ones left out)."""
    values = {
        "q": wanted.text.strip(),
        "district": wanted.district_id,
        "cohort": wanted.cohort_id,
        "level": wanted.level,
        "status": wanted.status,
        "from": wanted.issued_from,
        "to": wanted.issued_to,
    }
    return {name: value for name, value in values.items() if value}
