"""The training lists that grow with the programme, narrowed, ordered and paged: the people of a
cohort (search by name, a mobile number's or an ID number's digits; a status filter) and the
progress report (search by the row's name; district and institution filters). Who sees whom is
lms.learning.queries' alone (every statement here starts from one of its scoped statements);
this module only narrows and orders what those let through."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_

from lms.core import idnumber
from lms.core.access import Scope
from lms.learning import queries
from lms.learning.models import Cohort, Enrolment, EnrolmentStatus
from lms.org.models import Institution, Staff

#: The cohort's people: sort orders (lms.core.pagination.sorted_by), each ending on the id.
PEOPLE_ORDERS: dict[str, tuple[Any, ...]] = {
    "name": (Staff.name, Enrolment.id),
    "institution": (Institution.name, Staff.name, Enrolment.id),
    "status": (Enrolment.status, Staff.name, Enrolment.id),
    "progress": (queries.LESSONS_DONE, Enrolment.study_seconds, Enrolment.id),
    "hours": (Enrolment.study_seconds, Enrolment.id),
}
PEOPLE_DEFAULT = "institution"
#: The progress report's sort orders, by the name of its column.
PROGRESS_COLUMNS = ("nominated", "enrolled", "active", "completed", "seconds")
PROGRESS_DEFAULT = "name"
#: The longest search term read from an address.
TEXT_LIMIT = 50


def person_matches(text: str) -> ColumnElement[bool] | None:
    """What a typed term finds among staff, as the staff list reads it: a full ID number by its
    keyed hash; digits by the beginning or end of the mobile number or the last characters of
    the ID number (all an administrator sees of it); anything else a part of the name."""
    from lms.org.services import id_number_hash

    term = idnumber.normalize(text)
    if not term:
        return None
    if idnumber.looks_like(term):
        return Staff.id_number_hash == id_number_hash(term)
    if re.fullmatch(r"[0-9]+X?", term):
        found: list[ColumnElement[bool]] = []
        if len(term) <= 4:  # the masked number shows its last four characters
            found.append(Staff.id_number_masked.endswith(term, autoescape=True))
        if term.isdigit():
            found.append(Staff.phone.startswith(term, autoescape=True))
            found.append(Staff.phone.endswith(term, autoescape=True))
        return or_(*found)
    return Staff.name.contains(text.strip(), autoescape=True)


@dataclass(frozen=True)
class PeopleWanted:
    """The cohort page's search and status filter; empty: everybody the user sees."""

    text: str = ""
    status: EnrolmentStatus | None = None

    @classmethod
    def of(cls, args: Any) -> PeopleWanted:
        """From the address: an unknown status filters nothing (an edited or stale link)."""
        raw = args.get("status", "")
        status = EnrolmentStatus(raw) if raw in {s.value for s in EnrolmentStatus} else None
        return cls((args.get("q") or "").strip()[:TEXT_LIMIT], status)


def people(cohort: Cohort, scope: Scope, wanted: PeopleWanted) -> Select[Any]:
    """(enrolment, lessons done) of the cohort's people ``scope`` sees, narrowed to ``wanted``."""
    statement = queries.cohort_enrolments_statement(cohort, scope)
    matches = person_matches(wanted.text)
    if matches is not None:
        statement = statement.where(matches)
    if wanted.status is not None:
        statement = statement.where(Enrolment.status == wanted.status)
    return statement


@dataclass(frozen=True)
class ProgressWanted:
    """The progress report's search and filters (ids already bounded by the view)."""

    text: str = ""
    district_id: int | None = None
    institution_id: int | None = None


def progress(
    scope: Scope, by: str, plan_id: int | None, wanted: ProgressWanted
) -> tuple[Select[Any], dict[str, tuple[Any, ...]]]:
    """The progress report's rows ``scope`` sees, narrowed to ``wanted``, and its sort orders
    (the row's name and each figure; each ends on the row's id)."""
    statement = queries.progress_statement(scope, by, plan_id)
    columns = statement.selected_columns
    key, name = columns[0], columns[1]
    if wanted.text:
        statement = statement.where(name.contains(wanted.text, autoescape=True))
    if wanted.district_id:
        statement = statement.where(Institution.district_id == wanted.district_id)
    if wanted.institution_id:
        statement = statement.where(Institution.id == wanted.institution_id)
    orders: dict[str, tuple[Any, ...]] = {"name": (name, key)}
    orders.update({column: (columns[column], name, key) for column in PROGRESS_COLUMNS})
    return statement, orders
