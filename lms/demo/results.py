"""``lms demo seed --with-results``: the demo skill session finished and published, and a theory
session of the week before sat by the same candidates and published, so that most of them have
passed level 5 and can be certified straight away."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from lms.accounts.models import User
from lms.core.roles import Role
from lms.db import db
from lms.exams import attempts, question_types, sessions
from lms.exams.models import Blueprint, Candidate, ExamSession, PaperItem
from lms.grading import marking
from lms.grading import sessions as skill_sessions
from lms.grading.models import SkillSession, SkillSessionStatus, TaskStatus
from lms.grading.results import level_result


def seed_results(seed: int) -> int:
    """Publish theory and skill results for the demo skill session; returns how many passed."""
    skill = db.session.scalar(select(SkillSession).order_by(SkillSession.id))
    admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN).order_by(User.id))
    if skill is None or admin is None or skill.status != SkillSessionStatus.PUBLISHED:
        return 0
    rng = random.Random(seed + 1)
    _finish_marking(skill, rng)
    skill_sessions.publish_results(skill, admin)
    _sit_theory(skill, admin, rng)
    return sum(1 for c in skill.candidates if level_result(c)["passed"])


def _finish_marking(skill: SkillSession, rng: random.Random) -> None:
    for candidate in skill.candidates:
        for task in candidate.current_tasks:
            if task.status == TaskStatus.MARKING and task.panel is not None:
                deserved = rng.gauss(78, 8)
                for examiner in task.panel.examiners:
                    mark = marking.sheet_for(task, examiner)
                    if mark is not None and mark.submitted_at is not None:
                        continue
                    share = min(1.0, max(0.0, (deserved + rng.gauss(0, 2)) / 100))
                    points = {c["key"]: round(c["points"] * share * 2) / 2 for c in task.criteria}
                    marking.save_sheet(
                        task,
                        examiner,
                        marking.SheetInput(
                            points=dict(points),
                            critical=[],
                            comment="",
                            version=marking.sheet_version(task, examiner),
                            submit=True,
                        ),
                    )
            if task.status == TaskStatus.ARBITRATION and task.panel is not None:
                marking.arbitrate(
                    task, task.panel.chief, marking.consensus(task), "考评组合议后以合成分为准"
                )


def _sit_theory(skill: SkillSession, admin: User, rng: random.Random) -> None:
    blueprint = db.session.scalar(
        select(Blueprint).where(Blueprint.level == skill.level, Blueprint.is_active)
    )
    if blueprint is None:
        return
    opens = skill.starts_at - timedelta(days=7)
    theory = sessions.create_session(
        sessions.SessionData(
            title=f"{opens:%Y}年第1期保育师（五级）理论知识考试",
            blueprint_id=blueprint.id,
            opens_at=opens,
            closes_at=opens + timedelta(hours=3),
            duration_minutes=blueprint.duration_minutes,
            district_id=None,
        ),
        admin,
    )
    eligible = {person.id for person in sessions.eligible_staff(theory)}
    people = [c.staff for c in skill.candidates if c.staff_id in eligible]
    if not people:  # nobody free to sit it: the session stays a draft
        return
    seat_rooms(theory, len(people), "第{n}考场")
    sessions.add_candidates(theory, people)
    sessions.publish(theory, admin)
    started = opens + timedelta(minutes=2)
    candidates = db.session.scalars(
        select(Candidate).where(Candidate.session_id == theory.id).order_by(Candidate.id)
    ).all()
    for number, candidate in enumerate(candidates, start=1):
        attempt = attempts.start(candidate, now=started)
        knows = min(0.98, max(0.3, rng.gauss(0.8, 0.12)))
        if number == len(candidates) and number >= 3:
            knows = 0.35  # one came unprepared: the demo has a theory retake to enter
        for item in attempt.items:
            value = answer(item, rng.random() < knows)
            if value is not None:
                attempts.save_answer(attempt, item.position, value, seq=1, now=started)
        attempts.submit(attempt, now=started + timedelta(minutes=50))
    sessions.close(theory, now=theory.closes_at + timedelta(seconds=1))
    sessions.publish_results(theory)


def seat_rooms(theory: ExamSession, people: int, name: str) -> None:
    """Rooms of 30 for ``people`` candidates, two demo examiners invigilating each."""
    examiners = db.session.scalars(
        select(User).where(User.role == Role.EXAMINER).order_by(User.id)
    ).all()
    for number in range((people + 29) // 30):
        room = sessions.add_room(theory, name.format(n=number + 1), 30)
        for invigilator in examiners[number * 2 : number * 2 + 2]:
            sessions.add_invigilator(room, invigilator)


def answer(item: PaperItem, right: bool) -> object | None:
    """A display answer to an objective item, right or wrong; short answers are left blank."""
    question = item.version
    kind = question_types.get(question.type)
    if not kind.auto_scored:
        return None
    if question.type == "truefalse":
        return question.answer_key if right else not question.answer_key
    keys = [question.answer_key] if question.type == "single" else list(question.answer_key)
    letters = [question_types.OPTION_KEYS[item.option_order.index(key)] for key in keys]
    if right:
        return sorted(letters)
    others = [question_types.OPTION_KEYS[i] for i in range(len(item.option_order))]
    others = [letter for letter in others if letter not in letters]
    return others[:1] if others else sorted(letters)[:1]  # all options right: answer part
