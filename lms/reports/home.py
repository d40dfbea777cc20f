"""What each role's home shows: the work waiting now, counted, each figure with the page where
it is done.

Each figure comes from the feature that owns it (its ``queries.py``, or the rule's home named in
docs/architecture.md), narrowed to the user's ``Scope``; one query per figure, none per row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from lms.certification import queries as certificate_queries
from lms.certification import services as certificates
from lms.certification.models import Certificate
from lms.core.access import Scope
from lms.core.localtime import today, utcnow
from lms.core.roles import Role
from lms.db import db
from lms.exams import marking as theory_marking
from lms.exams import queries as exam_queries
from lms.grading import queries as skill_queries
from lms.grading import results
from lms.learning import queries as training_queries
from lms.learning import study
from lms.learning.models import Enrolment, EnrolmentStatus
from lms.learning.services import current_plan
from lms.org import queries as org_queries
from lms.org.models import Institution, Staff
from lms.reports import queries
from lms.reports.queries import FunnelStage
from lms.reports.rates import Count

PIPELINE_LABELS = {
    "trained": _l("Finished training"),
    "theory_passed": _l("Passed the theory"),
    "skills_passed": _l("Passed the skills"),
    # Certificates this programme issued: the funnel's end. Confirmed certificates from
    # elsewhere count toward the rate (lms/reports/rates.py) but were not earned on this way.
    "certified": _l("Certified by this programme"),
}


@dataclass(frozen=True)
class Need:
    """One thing waiting: how many, what, and where it is done."""

    key: str
    count: int
    label: Any
    url: str
    hint: Any = ""


@dataclass
class Home:
    role: Role
    needs: list[Need] = field(default_factory=list)
    rate: Count | None = None
    rate_url: str = ""
    target: float = 0.9
    short_of: int = 0
    pipeline: list[tuple[str, Any, int]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def pipeline(scope: Scope, day: date) -> list[FunnelStage]:
    """Distinct people of ``scope`` who finished training, passed the theory, passed the skills
    (each part as lms.grading.results publishes it) and hold a certificate valid on ``day``:
    where the city's caregivers stand on the way to a certificate, in one query."""

    def people(statement: Select[Any]) -> Any:
        joined = statement.join(Institution, Institution.id == Staff.institution_id)
        counted = org_queries.in_scope(joined, scope).subquery()
        return select(func.count()).select_from(counted).scalar_subquery()

    def passed(part: Select[Any]) -> Any:
        rows = part.subquery()
        return people(
            select(Staff.id)
            .distinct()
            .join(rows, rows.c.staff_id == Staff.id)
            .where(rows.c.passed.is_(True))
        )

    trained = people(
        select(Staff.id)
        .distinct()
        .join(Enrolment, Enrolment.staff_id == Staff.id)
        .where(Enrolment.status == EnrolmentStatus.COMPLETED)
    )
    certified = people(
        select(Staff.id)
        .distinct()
        .join(Certificate, Certificate.staff_id == Staff.id)
        .where(Certificate.status_on_sql(day) == "valid")
    )
    counts = db.session.execute(
        select(
            trained,
            passed(results.theory_results()),
            passed(results.skill_results()),
            certified,
        )
    ).one()
    keys = ("trained", "theory_passed", "skills_passed", "certified")
    return [FunnelStage(key, int(count or 0)) for key, count in zip(keys, counts, strict=True)]


def short_of(count: Count, wanted: float) -> int:
    """How many more certified caregivers ``count`` needs to reach the rate ``wanted``."""
    # Rounded first: 0.9 * 30 is 27.000000000000004 in floating point, not 27.
    return max(0, math.ceil(round(wanted * count.in_post, 9)) - count.certified)


def target() -> float:
    return float(current_app.config["RATE_TARGET"])


def _rate(home: Home, scope: Scope, url: str) -> None:
    home.rate = queries.overall(scope, today())
    home.rate_url = url
    home.target = target()
    home.short_of = short_of(home.rate, home.target)


def city(scope: Scope) -> Home:
    home = Home(Role.CITY_ADMIN)
    _rate(home, scope, url_for("reports.index"))
    home.pipeline = [
        (stage.key, PIPELINE_LABELS[stage.key], stage.count) for stage in pipeline(scope, today())
    ]
    ready, no_photo = certificates.waiting_counts()
    home.needs = [
        Need(
            "sittings_to_close",
            exam_queries.sittings_to_close(scope, utcnow()),
            _l("Exam sittings to close"),
            url_for("exam_sessions.index"),
            _l("The window is over"),
        ),
        Need(
            "theory_results",
            exam_queries.results_to_publish(scope),
            _l("Theory results to publish"),
            url_for("exam_sessions.index"),
            _l("Closed exam sessions"),
        ),
        Need(
            "skill_results",
            skill_queries.results_to_publish(),
            _l("Skill results to publish"),
            url_for("skills.index"),
            _l("Every task has its final mark"),
        ),
        Need(
            "certificates",
            ready,
            _l("Certificates to issue"),
            url_for("certificates.index"),
            _l("Passed both parts, photo on file"),
        ),
        Need(
            "photos",
            no_photo,
            _l("Certificates waiting for a photo"),
            url_for("certificates.index"),
            _l("Passed both parts, no photo yet"),
        ),
        Need(
            "external",
            certificate_queries.external_to_confirm(scope),
            _l("Certificates from elsewhere to confirm"),
            url_for("external.index"),
        ),
        Need(
            "nominations",
            training_queries.nominations_waiting(scope),
            _l("Nominations waiting for approval"),
            url_for("training.nominations"),
        ),
    ]
    return home


def district(scope: Scope) -> Home:
    home = Home(Role.DISTRICT_ADMIN)
    _rate(home, scope, url_for("reports.index"))
    plan = current_plan()
    quota = training_queries.quota_of(scope.district_id or 0, plan.id) if plan else None
    home.extra["quota"] = quota
    home.needs = [
        Need(
            "nominations",
            training_queries.nominations_waiting(scope),
            _l("Nominations waiting for approval"),
            url_for("training.nominations"),
        ),
        Need(
            "uncertified",
            home.rate.uncertified if home.rate else 0,
            _l("In-post caregivers without a certificate"),
            url_for("reports.institutions", sort="uncertified", desc="y"),
        ),
        Need(
            "sittings_to_close",
            exam_queries.sittings_to_close(scope, utcnow()),
            _l("Exam sittings to close"),
            url_for("exam_sessions.index", status="to_close"),
            _l("The window is over"),
        ),
        Need(
            "theory_results",
            exam_queries.results_to_publish(scope),
            _l("Theory results to publish"),
            url_for("exam_sessions.index", status="closed"),
            _l("Closed exam sessions"),
        ),
        Need(
            "external",
            certificate_queries.external_to_confirm(scope),
            _l("Certificates from elsewhere to confirm"),
            url_for("external.index"),
        ),
    ]
    return home


def manager(scope: Scope) -> Home:
    home = Home(Role.INSTITUTION_MANAGER)
    place = url_for("reports.institution", institution_id=scope.institution_id or 0)
    _rate(home, scope, place)
    home.needs = [
        Need(
            "uncertified",
            home.rate.uncertified if home.rate else 0,
            _l("In-post caregivers without a certificate"),
            place + "#uncertified-head",
            _l("Nominate them for training"),
        ),
        Need(
            "nominations",
            training_queries.nominations_waiting(scope),
            _l("Nominations waiting for the district's approval"),
            url_for("training.overview"),
        ),
        Need(
            "external",
            certificate_queries.external_to_confirm(scope),
            _l("Certificates from elsewhere awaiting confirmation"),
            url_for("external.index"),
        ),
    ]
    return home


def examiner(user: Any) -> Home:
    home = Home(Role.EXAMINER)
    home.needs = [
        Need(
            "practical",
            skill_queries.waiting_for(user.id),
            _l("Practical sheets waiting for your mark"),
            url_for("skills.marking"),
            _l("Including arbitrations you chair"),
        ),
        Need(
            "scripts",
            theory_marking.waiting_count(),
            _l("Short answers waiting for a mark"),
            url_for("exams.marking_queue"),
        ),
    ]
    home.extra["skill_sessions"] = skill_queries.sessions_of(user.id)
    home.extra["exam_sessions"] = exam_queries.invigilated_by(user.id)
    return home


def trainee(user: Any) -> Home:
    home = Home(Role.TRAINEE)
    staff_id = user.staff_id
    if staff_id is None:
        return home
    lesson = training_queries.next_lesson(staff_id)
    home.extra["lesson"] = lesson
    home.extra["progress"] = study.course_progress(lesson.enrolment) if lesson else None
    home.extra["exam"] = exam_queries.next_sitting(staff_id, utcnow())
    home.extra["assessment"] = skill_queries.next_assessment(staff_id)
    home.extra["standing"] = results.standing(staff_id)
    home.extra["certificates"] = certificate_queries.valid_certificates(staff_id)
    return home


def for_user(user: Any) -> Home:
    """The home of ``user``'s role."""
    scope = user.scope
    if user.role == Role.CITY_ADMIN:
        return city(scope)
    if user.role == Role.DISTRICT_ADMIN:
        return district(scope)
    if user.role == Role.INSTITUTION_MANAGER:
        return manager(scope)
    if user.role == Role.EXAMINER:
        return examiner(user)
    if user.role == Role.COURSE_EXPERT:
        return expert(user)
    return trainee(user)


def expert(user: Any) -> Home:
    """A course expert's home: drafts others wrote (lessons, questions, tasks) waiting for their
    review."""
    from lms.authoring.services import waiting_for_review

    home = Home(Role.COURSE_EXPERT)
    home.needs = [
        Need(
            "content_review",
            len(list(waiting_for_review(user))),
            _l("Drafts waiting for your review (lessons, questions, practical tasks)"),
            url_for("author.index"),
        )
    ]
    return home
