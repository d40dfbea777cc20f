"""``lms demo seed --with-results``, after the results are published: the rest of what a new user
walks through without editing data — some passed candidates certified (the others wait for the
city admin), a candidate who failed the theory entered for a retake in a later sitting (with a
sign-in to see it from the trainee's side), a sitting that is over and can be closed, and a
second skill session whose sheets wait for the demo examiner.

Every entry goes through the features' services, so the retake rule (lms.grading.retakes) and
the eligibility rules decide as they would for a user. A demo too small for a journey skips it;
``Journeys.missing`` says which."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.certification import services as certification
from lms.certification.models import Certificate
from lms.core.localtime import LOCAL_ZONE, utcnow
from lms.core.roles import Role
from lms.db import db
from lms.demo.exams import completed_level5, share
from lms.demo.results import answer, seat_rooms
from lms.exams import attempts, sessions
from lms.exams.models import Blueprint, Candidate, ExamSession, SessionStatus
from lms.grading import retakes
from lms.grading import sessions as skill_sessions
from lms.grading.models import SkillCandidate, SkillSession
from lms.grading.results import part_passes
from lms.org.models import Staff

RETAKE_TRAINEE_NAME = "retake-trainee"
#: The retake sitting: this day, or two weeks from today when that is later, so it is upcoming.
RETAKE_DAY = date(2026, 12, 12)
#: The sitting that is over but not closed (or yesterday, when this day is still to come).
CLOSEABLE_DAY = date(2026, 11, 14)
RETAKE_TITLE = "{year}年第2场保育师（五级）理论知识考试（含补考）"
CLOSEABLE_TITLE = "{year}年第1期保育师（五级）理论知识考试（第二批）"
SECOND_SKILL_TITLE = "2026年第2期保育师五级技能考核"


@dataclass
class Journeys:
    certified: int = 0
    waiting: int = 0
    retakes: int = 0
    to_close: int = 0
    sheets: int = 0
    missing: list[str] = field(default_factory=list)
    already: bool = False


def seed_journeys(seed: int, demo_password: str) -> Journeys:
    """Add the journeys that need published results; idempotent (each is made once)."""
    found = Journeys()
    admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN).order_by(User.id))
    blueprint = db.session.scalar(
        select(Blueprint).where(Blueprint.level == 5, Blueprint.is_active)
    )
    if admin is None or blueprint is None:
        found.missing.append("all (no demo world)")
        return found
    if _exists(SkillSession, SECOND_SKILL_TITLE) or db.session.scalar(
        select(ExamSession.id).where(ExamSession.title.like("%（含补考）"))
    ):
        found.already = True  # seeded before: a second run adds nothing
        return found
    rng = random.Random(seed + 2)
    found.certified = _certify_some()
    found.waiting = len(certification.eligible())
    found.retakes = _retake_session(admin, blueprint, demo_password)
    group = _closeable_session(admin, blueprint, rng)
    found.to_close = len(group)
    found.sheets = _skill_session_to_mark(admin, group)
    for name, count in (
        ("certified", found.certified),
        ("waiting for certificates", found.waiting),
        ("retake", found.retakes),
        ("exam to close", found.to_close),
        ("skill sheets to mark", found.sheets),
    ):
        if not count:
            found.missing.append(name)
    return found


def _certify_some() -> int:
    """Issue a third of the waiting certificates (at least one, and never the last one)."""
    ready = certification.eligible()
    if db.session.scalar(select(Certificate.id)) is not None or len(ready) < 2:
        return 0
    return certification.issue_many(ready[: max(1, len(ready) // 3)])


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_ZONE)


def _exists(model: type[ExamSession] | type[SkillSession], title: str) -> bool:
    return db.session.scalar(select(model.id).where(model.title == title)) is not None


def _retake_session(admin: User, blueprint: Blueprint, password: str) -> int:
    """Enter those who failed the published theory for the next sitting; returns how many."""
    opens = max(_at(RETAKE_DAY, 9), _at(utcnow().astimezone(LOCAL_ZONE).date(), 9) + timedelta(14))
    title = RETAKE_TITLE.format(year=opens.year)
    if _exists(ExamSession, title):
        return 0
    sat = db.session.scalars(
        select(Staff)
        .join(Candidate, Candidate.staff_id == Staff.id)
        .join(ExamSession, ExamSession.id == Candidate.session_id)
        .where(ExamSession.status == SessionStatus.RESULTS_PUBLISHED, ExamSession.level == 5)
        .order_by(Candidate.id)
    ).all()
    failed = [person for person in sat if not part_passes(person.id, 5)["theory"]]
    failed = [p for p in failed if retakes.entry_refusal(p.id, 5, "theory", opens) is None]
    if not failed:
        return 0
    session = sessions.create_session(
        sessions.SessionData(
            title=title,
            blueprint_id=blueprint.id,
            opens_at=opens,
            closes_at=opens + timedelta(hours=2),
            duration_minutes=blueprint.duration_minutes,
            district_id=None,
        ),
        admin,
    )
    seat_rooms(session, len(failed), "长治市托育综合服务中心 第{n}考场")
    sessions.add_candidates(session, failed)
    sessions.publish(session, admin)
    # The sign-in goes to one who passed the skills, if any: only the theory is left to retake.
    person = next((p for p in failed if part_passes(p.id, 5)["skills"]), failed[0])
    if db.session.scalar(select(User.id).where(User.staff_id == person.id)) is None:
        accounts.create_user(
            username=RETAKE_TRAINEE_NAME,
            password=password,
            role=Role.TRAINEE,
            display_name=person.name,
            staff=person,
            chosen_by_user=True,
        )
    return len(failed)


def _closeable_session(admin: User, blueprint: Blueprint, rng: random.Random) -> list[Staff]:
    """A sitting whose window is over, handed in by all but one, not yet closed."""
    opens = min(_at(CLOSEABLE_DAY, 9), utcnow().astimezone(LOCAL_ZONE) - timedelta(days=1))
    title = CLOSEABLE_TITLE.format(year=opens.year)
    if _exists(ExamSession, title):
        return []
    taken = select(SkillCandidate.staff_id)
    free = {person.id for person in sessions.eligible_staff(ExamSession(level=5))}
    people = [
        person
        for person in db.session.scalars(
            completed_level5().where(Staff.id.not_in(taken)).order_by(Staff.id)
        )
        if person.id in free and retakes.entry_refusal(person.id, 5, "theory", opens) is None
    ][: share(12)]
    if not people:
        return []
    session = sessions.create_session(
        sessions.SessionData(
            title=title,
            blueprint_id=blueprint.id,
            opens_at=opens,
            closes_at=opens + timedelta(hours=3),
            duration_minutes=blueprint.duration_minutes,
            district_id=None,
        ),
        admin,
    )
    seat_rooms(session, len(people), "第{n}考场")
    sessions.add_candidates(session, people)
    sessions.publish(session, admin)
    started = opens + timedelta(minutes=5)
    candidates = db.session.scalars(
        select(Candidate).where(Candidate.session_id == session.id).order_by(Candidate.id)
    ).all()
    absent = candidates[-1] if len(candidates) > 1 else None
    for candidate in candidates:
        if candidate is absent:
            continue
        attempt = attempts.start(candidate, now=started)
        knows = min(0.98, max(0.4, rng.gauss(0.78, 0.1)))
        for item in attempt.items:
            value = answer(item, rng.random() < knows)
            if value is not None:
                attempts.save_answer(attempt, item.position, value, seq=1, now=started)
        attempts.submit(attempt, now=started + timedelta(minutes=55))
    return people


def _skill_session_to_mark(admin: User, people: list[Staff]) -> int:
    """The closeable sitting's candidates in a skill session the demo examiner's panel has yet
    to mark; returns the sheets waiting for the demo examiner."""
    examiners = db.session.scalars(
        select(User).where(User.role == Role.EXAMINER).order_by(User.id)
    ).all()
    chief = next((user for user in examiners if user.username == "examiner"), None)
    if not people or chief is None or len(examiners) < 3:
        return 0
    if _exists(SkillSession, SECOND_SKILL_TITLE):
        return 0
    starts = min(_at(CLOSEABLE_DAY, 9) + timedelta(days=7), utcnow() - timedelta(hours=2))
    session = skill_sessions.create_session(
        skill_sessions.SessionData(
            title=SECOND_SKILL_TITLE, level=5, starts_at=starts, slot_minutes=40
        ),
        admin,
    )
    panel = [chief, *[user for user in examiners if user is not chief][:2]]
    skill_sessions.add_panel(session, "第1考站", chief, panel)
    skill_sessions.add_candidates(session, people)
    skill_sessions.assign(session)
    skill_sessions.publish(session, admin)
    return sum(len(candidate.tasks) for candidate in session.candidates)
