"""Examiners and candidates who must not meet: declared relations, conflicts of interest (own
institution, declared relation), a panel's capacity and membership."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.core import audit
from lms.core import idnumber as idn
from lms.core.errors import DomainError
from lms.db import db
from lms.grading.models import (
    DeclaredRelation,
    Panel,
)
from lms.org.models import Staff
from lms.org.services import id_number_hash

#: A panel marks at most this many candidates per member.
CANDIDATES_PER_EXAMINER = 5


def declare_relation(examiner: User, id_number: str, note: str) -> DeclaredRelation:
    """Record an examiner's relation with whoever holds ``id_number``; they will never mark
    that person. Kept as the ID number's keyed hash: nothing here (nor in what the examiner is
    shown) depends on whether anybody registered holds it, so it tells them nothing about who
    is a trainee; the match is made silently when panels are assigned."""
    try:
        value = idn.parse(id_number).value
    except idn.IdNumberError as error:
        raise DomainError(error.message) from None
    digest = id_number_hash(value)
    existing = db.session.scalar(
        select(DeclaredRelation).where(
            DeclaredRelation.examiner_id == examiner.id, DeclaredRelation.id_number_hash == digest
        )
    )
    if existing is not None:
        return existing
    relation = DeclaredRelation(
        examiner_id=examiner.id,
        id_number_hash=digest,
        id_number_masked=idn.mask(value),
        note=note,
    )
    db.session.add(relation)
    db.session.flush()
    audit.record("skills.relation_declared", relation, actor=examiner)
    return relation


def conflicted_staff(examiner: User) -> tuple[int | None, set[int]]:
    """(the examiner's own institution, staff ids they declared a relation with)."""
    institution_id = examiner.staff.institution_id if examiner.staff else examiner.institution_id
    related = set(
        db.session.scalars(
            select(Staff.id)
            .join(DeclaredRelation, DeclaredRelation.id_number_hash == Staff.id_number_hash)
            .where(DeclaredRelation.examiner_id == examiner.id)
        )
    )
    return institution_id, related


def panel_conflicts(panel: Panel, staff: Staff) -> list[User]:
    """Members of ``panel`` who may not mark ``staff``."""
    conflicted = []
    for examiner in panel.examiners:
        institution_id, related = conflicted_staff(examiner)
        if staff.institution_id == institution_id or staff.id in related:
            conflicted.append(examiner)
    return conflicted


def capacity(panel: Panel) -> int:
    return CANDIDATES_PER_EXAMINER * len(panel.members)


def is_member(panel: Panel | None, examiner: User) -> bool:
    return panel is not None and any(m.examiner_id == examiner.id for m in panel.members)
