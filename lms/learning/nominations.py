"""Nomination and approval within the district quota and the cohort's capacity, rejection and
withdrawal (which gives the place back): the training programme's enrolment rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Update, func, select, update

from lms.accounts.models import User
from lms.core import audit, localtime
from lms.core.access import Scope
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.learning.models import (
    HOLDS_PLACE,
    Cohort,
    Course,
    DistrictQuota,
    Enrolment,
    EnrolmentStatus,
)
from lms.org.models import District, Institution, Staff


class QuotaFull(Conflict):
    code = "quota_full"


class CohortFull(Conflict):
    code = "cohort_full"


# Nomination and approval ---------------------------------------------------------------------

_ACTIVE = (EnrolmentStatus.NOMINATED, EnrolmentStatus.ENROLLED)


def nomination_problem(
    cohort: Cohort, staff: Staff, scope: Scope, today: date | None = None
) -> str | None:
    """Why ``staff`` cannot be nominated to ``cohort`` by this user, or None."""
    today = today or localtime.today()
    if not cohort.is_open:
        return str(_l("The cohort is not open for nominations"))
    if not scope.allows_staff(staff):
        return str(_l("This person is outside your scope"))
    if not staff.caregiver_in_post_on(today):
        return str(_l("Only caregiving staff in post can be nominated"))
    if cohort.district_id is not None and staff.institution.district_id != cohort.district_id:
        return str(
            _l("This cohort is for %(d)s only", d=cohort.district.name if cohort.district else "")
        )
    earlier = db.session.execute(
        select(Cohort.title, Enrolment.status)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .join(Course, Course.id == Cohort.course_id)
        .where(
            Enrolment.staff_id == staff.id,
            Enrolment.status.in_([*_ACTIVE, EnrolmentStatus.COMPLETED]),
            Course.level == cohort.course.level,
        )
        .limit(1)
    ).first()
    if earlier is not None and earlier.status == EnrolmentStatus.COMPLETED:
        return str(_l("Already completed the training of this level (%(c)s)", c=earlier.title))
    if earlier is not None:
        return str(_l("Already nominated or enrolled at this level (%(c)s)", c=earlier.title))
    return None


def nominate(cohort: Cohort, people: Iterable[Staff], actor: User) -> list[Enrolment]:
    """Nominate staff to a cohort; each must pass ``nomination_problem``."""
    scope = actor.scope
    created = []
    for staff in people:
        problem = nomination_problem(cohort, staff, scope)
        if problem:
            raise DomainError(f"{staff.name}：{problem}")
        enrolment = db.session.scalar(
            select(Enrolment).where(
                Enrolment.cohort_id == cohort.id, Enrolment.staff_id == staff.id
            )
        )
        if enrolment is None:
            enrolment = Enrolment(cohort_id=cohort.id, staff_id=staff.id)
            db.session.add(enrolment)
        enrolment.status = EnrolmentStatus.NOMINATED
        enrolment.quota_id = None
        enrolment.completed_at = None
        enrolment.nominated_by_id = actor.id
        enrolment.nominated_at = utcnow()
        enrolment.decided_by_id = enrolment.decided_at = None
        enrolment.decision_note = ""
        created.append(enrolment)
    db.session.flush()
    if created:
        audit.record("training.nominated", cohort, staff_ids=[e.staff_id for e in created])
    return created


def can_decide(scope: Scope, enrolment: Enrolment) -> bool:
    return scope.allows_district(enrolment.staff.institution.district_id)


def _rows_changed(statement: Update) -> int:
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return result.rowcount  # type: ignore[attr-defined]


def _take_place(enrolment: Enrolment) -> DistrictQuota:
    """Charge one place to the district quota and the cohort, atomically in the database:
    the conditional UPDATEs cannot both succeed past the limit, whatever runs concurrently."""
    cohort = enrolment.cohort
    district_id = enrolment.staff.institution.district_id
    quota = db.session.scalar(
        select(DistrictQuota).where(
            DistrictQuota.plan_id == cohort.plan_id, DistrictQuota.district_id == district_id
        )
    )
    if quota is None:
        district = db.session.get(District, district_id)
        raise QuotaFull(_l("%(d)s has no quota in this plan", d=district.name if district else ""))
    taken = _rows_changed(
        update(DistrictQuota)
        .where(DistrictQuota.id == quota.id, DistrictQuota.used < DistrictQuota.quota)
        .values(used=DistrictQuota.used + 1)
    )
    if taken != 1:
        raise QuotaFull(
            _l("The quota of %(d)s is used up (%(q)d places)", d=quota.district.name, q=quota.quota)
        )
    seated = _rows_changed(
        update(Cohort)
        .where(Cohort.id == cohort.id, Cohort.enrolled < Cohort.capacity)
        .values(enrolled=Cohort.enrolled + 1)
    )
    if seated != 1:
        raise CohortFull(_l("The cohort is full (%(c)d places)", c=cohort.capacity))
    db.session.expire(quota)
    db.session.expire(cohort)
    return quota


def _release_place(enrolment: Enrolment) -> None:
    if enrolment.quota_id is not None:
        db.session.execute(
            update(DistrictQuota)
            .where(DistrictQuota.id == enrolment.quota_id)
            .values(used=DistrictQuota.used - 1)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Cohort)
        .where(Cohort.id == enrolment.cohort_id)
        .values(enrolled=Cohort.enrolled - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(enrolment.cohort)


def approve(enrolment: Enrolment, actor: User) -> None:
    """Enrol a nominated person, within their district's quota and the cohort's capacity."""
    if not can_decide(actor.scope, enrolment):
        raise NotAllowed(_l("Only the district administrator of this person may decide"))
    if enrolment.status != EnrolmentStatus.NOMINATED:
        raise Conflict(_l("Only nominations waiting for a decision can be approved"))
    quota = _take_place(enrolment)
    enrolment.status = EnrolmentStatus.ENROLLED
    enrolment.quota_id = quota.id
    enrolment.decided_by_id = actor.id
    enrolment.decided_at = utcnow()
    audit.record("training.approved", enrolment, staff_id=enrolment.staff_id)


@dataclass
class DecisionReport:
    approved: int = 0
    rejected: int = 0
    refused: list[str] | None = None


def approve_many(enrolments: Iterable[Enrolment], actor: User) -> DecisionReport:
    """Approve in order; a nomination that does not fit is left waiting and reported."""
    report = DecisionReport(refused=[])
    for enrolment in enrolments:
        try:
            with db.session.begin_nested():
                approve(enrolment, actor)
            report.approved += 1
        except DomainError as error:
            report.refused.append(f"{enrolment.staff.name}：{error.message}")  # type: ignore[union-attr]
    return report


def reject(enrolment: Enrolment, actor: User, note: str) -> None:
    if not can_decide(actor.scope, enrolment):
        raise NotAllowed(_l("Only the district administrator of this person may decide"))
    if enrolment.status != EnrolmentStatus.NOMINATED:
        raise Conflict(_l("Only nominations waiting for a decision can be rejected"))
    enrolment.status = EnrolmentStatus.REJECTED
    enrolment.decided_by_id = actor.id
    enrolment.decided_at = utcnow()
    enrolment.decision_note = note.strip()[:200]
    audit.record("training.rejected", enrolment, staff_id=enrolment.staff_id)


def withdraw(enrolment: Enrolment, actor: User) -> None:
    """Take someone out of a cohort; an approved place goes back to the quota."""
    scope = actor.scope
    staff = enrolment.staff
    if not (can_decide(scope, enrolment) or scope.allows_staff(staff)):
        raise NotAllowed(_l("This person is outside your scope"))
    if enrolment.status not in _ACTIVE:
        raise Conflict(_l("Only nominated or enrolled people can be withdrawn"))
    if enrolment.status in HOLDS_PLACE:
        _release_place(enrolment)
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.quota_id = None
    audit.record("training.withdrawn", enrolment, staff_id=enrolment.staff_id)


#: The most people the nominate page weighs at once (each is checked); a search finds the rest.
NOMINABLE_LIMIT = 500


def nominable_staff(cohort: Cohort, scope: Scope, text: str = "") -> list[tuple[Staff, str | None]]:
    """In-post caregivers the user could nominate to the cohort (``text``: a name part, a mobile
    or an ID number), with the reason if they cannot; at most ``NOMINABLE_LIMIT``."""
    from lms.org import queries as org_queries

    statement = org_queries.staff(scope, text=text, caregivers_in_post_on=localtime.today())
    if cohort.district_id is not None:
        statement = statement.where(Institution.district_id == cohort.district_id)
    people = db.session.scalars(statement.limit(NOMINABLE_LIMIT)).all()
    return [(person, nomination_problem(cohort, person, scope)) for person in people]


def pending_count(scope: Scope) -> int:
    statement = (
        select(func.count())
        .select_from(Enrolment)
        .join(Staff, Staff.id == Enrolment.staff_id)
        .join(Institution, Institution.id == Staff.institution_id)
        .where(Enrolment.status == EnrolmentStatus.NOMINATED)
    )
    if scope.role == Role.DISTRICT_ADMIN:
        statement = statement.where(Institution.district_id == scope.district_id)
    return db.session.scalar(statement) or 0
