"""Rules for institutions and staff records."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.core import audit, localtime
from lms.core import idnumber as idn
from lms.core.access import Scope
from lms.core.crypto import cipher
from lms.core.errors import DomainError, NotAllowed
from lms.core.roles import Role
from lms.core.validators import FieldError, normalize_mobile, normalize_person_name
from lms.db import db
from lms.org.models import District, Gender, Institution, InstitutionType, Post, Staff

ID_PURPOSE = "staff.id_number"
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


class FieldErrors(DomainError):
    """Several fields are wrong; ``errors`` maps field name to message."""

    code = "invalid_fields"

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__("; ".join(f"{key}: {value}" for key, value in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ProtectedIdNumber:
    encrypted: bytes
    hash: str
    masked: str


def protect_id_number(value: str) -> ProtectedIdNumber:
    """Encrypt a validated ID number and compute its look-up hash and masked form."""
    field_cipher = cipher()
    return ProtectedIdNumber(
        encrypted=field_cipher.encrypt(value, ID_PURPOSE),
        hash=field_cipher.blind_index(value, ID_PURPOSE),
        masked=idn.mask(value),
    )


def id_number_hash(text: str) -> str:
    return cipher().blind_index(idn.normalize(text), ID_PURPOSE)


def normalize_contact_phone(text: str) -> str:
    value = (text or "").strip()
    if not value:
        return ""
    if _LANDLINE.match(value):
        return value
    return normalize_mobile(value)


# Institutions ------------------------------------------------------------------------------


@dataclass
class InstitutionData:
    name: str
    district_id: int
    type: InstitutionType
    is_inclusive: bool = False
    registered_places: int = 0
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    is_active: bool = True


def _validate_institution(data: InstitutionData, existing: Institution | None) -> InstitutionData:
    errors: dict[str, Any] = {}
    name = re.sub(r"\s+", "", data.name or "")
    if not name:
        errors["name"] = _l("Name is required")
    else:
        clash = select(func.count()).where(Institution.name == name)
        if existing is not None:
            clash = clash.where(Institution.id != existing.id)
        if db.session.scalar(clash):
            errors["name"] = _l("An institution with this name is already registered")
    if db.session.get(District, data.district_id) is None:
        errors["district_id"] = _l("Unknown district")
    if data.registered_places < 0:
        errors["registered_places"] = _l("Places cannot be negative")
    try:
        phone = normalize_contact_phone(data.contact_phone)
    except FieldError as error:
        errors["contact_phone"] = error.message
        phone = data.contact_phone
    if errors:
        raise FieldErrors(errors)
    data.name, data.contact_phone = name, phone
    data.address, data.contact_name = data.address.strip(), data.contact_name.strip()
    return data


def create_institution(data: InstitutionData, scope: Scope) -> Institution:
    """Register an institution; district admins only inside their district."""
    if not scope.allows_district(data.district_id):
        raise NotAllowed(_l("You may only register institutions in your own district"))
    data = _validate_institution(data, None)
    institution = Institution(**vars(data))
    db.session.add(institution)
    db.session.flush()
    audit.record("institution.created", institution, name=institution.name)
    return institution


#: Fields an institution manager may change on their own institution.
MANAGER_EDITABLE = ("registered_places", "address", "contact_name", "contact_phone")


def update_institution(institution: Institution, data: InstitutionData, scope: Scope) -> None:
    if not scope.allows_institution(institution.id, institution.district_id):
        raise NotAllowed(_l("This institution is outside your scope"))
    if scope.role == Role.INSTITUTION_MANAGER:
        for field in vars(data):
            if field not in MANAGER_EDITABLE:
                setattr(data, field, getattr(institution, field))
    elif not scope.allows_district(data.district_id):
        raise NotAllowed(_l("You may only move institutions within your own district"))
    data = _validate_institution(data, institution)
    changed = {
        field: [str(getattr(institution, field)), str(value)]
        for field, value in vars(data).items()
        if getattr(institution, field) != value
    }
    for field, value in vars(data).items():
        setattr(institution, field, value)
    if changed:
        audit.record("institution.updated", institution, changes=changed)


# Staff -------------------------------------------------------------------------------------


@dataclass
class StaffData:
    name: str
    gender: Gender | None
    phone: str
    institution_id: int
    post: Post
    in_post_from: date | None
    in_post_to: date | None = None
    #: Plain ID number; ``None`` on update keeps the stored one.
    id_number: str | None = None


def _validate_staff(data: StaffData, existing: Staff | None, scope: Scope) -> dict[str, Any]:
    """Check a staff record and return the column values to store."""
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    try:
        values["name"] = normalize_person_name(data.name)
    except FieldError as error:
        errors["name"] = error.message
    try:
        values["phone"] = normalize_mobile(data.phone)
    except FieldError as error:
        errors["phone"] = error.message
    if data.gender is None:
        errors["gender"] = _l("Gender is required")
    values["gender"] = data.gender
    if existing is None or data.id_number:
        try:
            parsed = idn.parse(data.id_number or "")
        except idn.IdNumberError as error:
            errors["id_number"] = error.message
        else:
            if data.gender is not None and parsed.gender != data.gender.value:
                errors["gender"] = _l("Gender does not match the ID number")
            protected = protect_id_number(parsed.value)
            clash = select(Staff.id).where(Staff.id_number_hash == protected.hash)
            other = db.session.scalar(clash)
            if other is not None and (existing is None or other != existing.id):
                errors["id_number"] = _l("A staff record with this ID number already exists")
            values.update(
                id_number_encrypted=protected.encrypted,
                id_number_hash=protected.hash,
                id_number_masked=protected.masked,
            )
    institution = db.session.get(Institution, data.institution_id)
    if institution is None:
        errors["institution_id"] = _l("Unknown institution")
    elif not scope.allows_institution(institution.id, institution.district_id):
        errors["institution_id"] = _l("This institution is outside your scope")
    values["institution_id"] = data.institution_id
    values["post"] = data.post
    if data.in_post_from is None:
        errors["in_post_from"] = _l("Start date in post is required")
    elif data.in_post_from > localtime.today():
        errors["in_post_from"] = _l("Start date in post cannot be in the future")
    if data.in_post_to and data.in_post_from and data.in_post_to < data.in_post_from:
        errors["in_post_to"] = _l("End date cannot be before the start date")
    values["in_post_from"] = data.in_post_from
    values["in_post_to"] = data.in_post_to
    if errors:
        raise FieldErrors(errors)
    return values


def create_staff(data: StaffData, scope: Scope) -> Staff:
    """Add a staff record to an institution in the user's scope."""
    staff = Staff(**_validate_staff(data, None, scope))
    db.session.add(staff)
    db.session.flush()
    audit.record("staff.created", staff)
    return staff


def update_staff(staff: Staff, data: StaffData, scope: Scope) -> None:
    if not scope.allows_staff(staff):
        raise NotAllowed(_l("This person is outside your scope"))
    values = _validate_staff(data, staff, scope)
    changed = sorted(
        field
        for field, value in values.items()
        if getattr(staff, field) != value and field != "id_number_encrypted"
    )
    for field, value in values.items():
        setattr(staff, field, value)
    if changed:
        # Field names only: the log must not become a second copy of personal data.
        audit.record("staff.updated", staff, fields=changed)


# Full ID numbers ---------------------------------------------------------------------------
# Every full number a user sees comes from here: only city administrators see them, and each
# disclosure (one person's, or an export's) is recorded in the audit log.


def decrypt_id_number(staff: Staff) -> str:
    """The person's full ID number, unaudited: for documents about the person themself (their
    certificate). A number shown to a user goes through ``reveal_id_number`` or
    ``export_id_numbers``, which check and audit."""
    return cipher().decrypt(staff.id_number_encrypted, ID_PURPOSE)


def _ensure_city(scope: Scope) -> None:
    if not scope.is_city:
        raise NotAllowed(_l("Only city administrators may see full ID numbers"))


def reveal_id_number(staff: Staff, scope: Scope, *, reason: str) -> str:
    """Return the full ID number for a city admin, and record that they saw it."""
    _ensure_city(scope)
    if not reason.strip():
        raise DomainError(_l("Give a reason for viewing the full ID number"))
    audit.record("staff.id_number_viewed", staff, reason=reason.strip()[:200])
    return decrypt_id_number(staff)


def export_id_numbers(
    people: Sequence[Staff],
    scope: Scope,
    *,
    full: bool,
    export: Literal["staff", "uncertified", "certificates"],
    target: Any | None = None,
    **details: Any,
) -> Callable[[Staff], str]:
    """How an export shows each person's ID number: masked, or in full for a city admin who
    asked (``full``), which is recorded once in the audit log as that ``export``'s action."""
    if not full:
        return lambda person: person.id_number_masked
    _ensure_city(scope)
    # Literal actions: the audit labels' test reads them from the source.
    if export == "staff":
        audit.record("staff.exported_full", target, count=len(people), **details)
    elif export == "uncertified":
        audit.record("reports.uncertified_exported_full", target, count=len(people), **details)
    else:  # the batch for the provincial platform (certification/report.py)
        audit.record("certificates.report_exported", target, count=len(people), **details)
    field_cipher = cipher()
    return lambda person: field_cipher.decrypt(person.id_number_encrypted, ID_PURPOSE)
