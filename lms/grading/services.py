"""Skill assessment rules: sessions, panels, task draws, conflict-free assignment, marking
sheets, combining marks, arbitration, results and appeals. Services flush, never commit."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from lms.accounts.models import User
from lms.core import audit
from lms.core import idnumber as idn
from lms.core.errors import Conflict, DomainError, NotAllowed
from lms.core.roles import Role
from lms.db import db, utcnow
from lms.grading import rules
from lms.grading.models import (
    CandidateTask,
    DeclaredRelation,
    Mark,
    Panel,
    PanelMember,
    SkillCandidate,
    SkillSession,
    SkillSessionStatus,
    TaskStatus,
)
from lms.grading.tasks import task_pool
from lms.learning.study import eligible_levels
from lms.org.models import Staff
from lms.org.services import id_number_hash

PASS_SCORE = 60.0
#: A panel marks at most this many candidates per member.
CANDIDATES_PER_EXAMINER = 5
MIN_PANEL = 3


# Sessions and panels ----------------------------------------------------------------------------


@dataclass
class SessionData:
    title: str
    level: int
    starts_at: datetime
    slot_minutes: int = 60
    tasks_per_candidate: int = 4
    combine_rule: str = "mean"
    max_spread: float = 15.0


def create_session(data: SessionData, actor: User) -> SkillSession:
    """Create a draft skill session."""
    if data.combine_rule not in rules.COMBINE_RULES:
        raise DomainError(_l("Unknown rule for combining marks"))
    if not 4 <= data.tasks_per_candidate <= 6:
        raise DomainError(_l("A candidate performs 4 to 6 tasks"))
    pool_size = len(task_pool(data.level))
    if pool_size < data.tasks_per_candidate:
        raise DomainError(
            _l(
                "Level %(level)s has only %(n)s practical tasks in the pool",
                level=data.level,
                n=pool_size,
            )
        )
    session = SkillSession(
        title=data.title,
        level=data.level,
        starts_at=data.starts_at,
        slot_minutes=data.slot_minutes,
        tasks_per_candidate=data.tasks_per_candidate,
        combine_rule=data.combine_rule,
        max_spread=data.max_spread,
        created_by_id=actor.id,
    )
    db.session.add(session)
    db.session.flush()
    audit.record("skills.session_created", session, actor=actor, title=data.title)
    return session


def _require_draft(session: SkillSession) -> None:
    if session.status != SkillSessionStatus.DRAFT:
        raise Conflict(_l("The session is published; it can no longer be changed"))


def add_panel(session: SkillSession, name: str, chief: User, members: list[User]) -> Panel:
    """Add an examiner panel; the chief examiner is one of its members."""
    _require_draft(session)
    examiners = {user.id: user for user in [chief, *members]}
    if any(user.role != Role.EXAMINER for user in examiners.values()):
        raise DomainError(_l("Only examiners can sit on a panel"))
    taken = set(
        db.session.scalars(
            select(PanelMember.examiner_id)
            .join(Panel)
            .where(Panel.session_id == session.id, PanelMember.examiner_id.in_(examiners))
        )
    )
    if taken:
        raise Conflict(_l("An examiner can sit on one panel of a session only"))
    panel = Panel(session=session, name=name, chief_id=chief.id)
    panel.members = [PanelMember(examiner_id=user_id) for user_id in examiners]
    db.session.add(panel)
    db.session.flush()
    return panel


def eligible_staff(session: SkillSession) -> list[Staff]:
    """Trainees who completed the level's course and are not yet candidates of this session."""
    taken = select(SkillCandidate.staff_id).where(SkillCandidate.session_id == session.id)
    people = db.session.scalars(
        select(Staff).where(Staff.id.not_in(taken)).order_by(Staff.id)
    ).all()
    return [person for person in people if session.level in eligible_levels(person.id)]


def add_candidates(session: SkillSession, people: list[Staff]) -> int:
    """Admit eligible trainees and draw their tasks; each gets an admission number."""
    _require_draft(session)
    refused = [person.name for person in people if session.level not in eligible_levels(person.id)]
    if refused:
        raise DomainError(_l("Not eligible for this session: %(names)s", names="、".join(refused)))
    count = len(session.candidates)
    for offset, person in enumerate(people, start=1):
        candidate = SkillCandidate(
            session=session,
            staff_id=person.id,
            admission_number=f"J{session.starts_at:%y}{session.level}{session.id:04d}"
            f"{count + offset:04d}",
        )
        db.session.add(candidate)
        draw_tasks(candidate, session)
    db.session.flush()
    return len(people)


def draw_tasks(candidate: SkillCandidate, session: SkillSession) -> None:
    """Draw the candidate's tasks from the pool, reproducibly (seeded by session and person)."""
    pool = task_pool(session.level)
    # Reproducible for the server, unpredictable without its secret key.
    seed = f"skills:{current_app.secret_key!r}:{session.id}:{candidate.staff_id}"
    chooser = random.Random(seed)  # noqa: S311 (a reproducible draw, not a secret)
    chosen = chooser.sample(pool, session.tasks_per_candidate)
    weights = rules.equal_weights(len(chosen))
    candidate.tasks = [
        CandidateTask(
            position=position,
            task_code=task.code,
            title=task.title,
            work_area=task.work_area,
            weight=weight,
            rubric=copy.deepcopy(task.rubric),
        )
        for position, (task, weight) in enumerate(zip(chosen, weights, strict=True), start=1)
    ]


# Conflicts of interest and assignment ------------------------------------------------------------


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


def assign(session: SkillSession) -> list[str]:
    """Send each candidate to a panel with no conflict of interest, filling panels evenly, and
    give them time slots; returns the admission numbers that no panel could take."""
    _require_draft(session)
    load = {panel.id: 0 for panel in session.panels}
    unplaced = []
    for candidate in session.candidates:
        options = [
            panel
            for panel in session.panels
            if load[panel.id] < capacity(panel) and not panel_conflicts(panel, candidate.staff)
        ]
        if not options:
            candidate.panel_id = None
            candidate.slot_at = None
            unplaced.append(candidate.admission_number)
            continue
        panel = min(options, key=lambda option: (load[option.id] / capacity(option), option.name))
        candidate.panel_id = panel.id
        candidate.slot_at = session.starts_at + timedelta(
            minutes=session.slot_minutes * load[panel.id]
        )
        load[panel.id] += 1
        for task in candidate.tasks:
            task.panel_id = panel.id
    db.session.flush()
    return unplaced


def publication_problems(session: SkillSession) -> list[str]:
    """Everything that stops the session being published, in words for the organiser."""
    problems: list[str] = []
    if not session.candidates:
        problems.append(str(_l("No candidates yet")))
    if not session.panels:
        problems.append(str(_l("No examiner panels yet")))
    for panel in session.panels:
        size = len(panel.members)
        if size < MIN_PANEL or size % 2 == 0:
            problems.append(
                str(
                    _l(
                        "Panel %(name)s has %(n)s examiners; a panel needs an odd number, "
                        "at least 3",
                        name=panel.name,
                        n=size,
                    )
                )
            )
        assigned = sum(1 for c in session.candidates if c.panel_id == panel.id)
        if assigned > capacity(panel):
            problems.append(
                str(
                    _l(
                        "Panel %(name)s has %(n)s candidates; at most %(max)s (5 per examiner)",
                        name=panel.name,
                        n=assigned,
                        max=capacity(panel),
                    )
                )
            )
    panels = {panel.id: panel for panel in session.panels}
    for candidate in session.candidates:
        assigned_panel = panels.get(candidate.panel_id or 0)
        if assigned_panel is None:
            problems.append(str(_l("Candidate %(n)s has no panel", n=candidate.admission_number)))
        elif panel_conflicts(assigned_panel, candidate.staff):
            problems.append(
                str(
                    _l(
                        "Candidate %(n)s would be marked by a conflicted examiner",
                        n=candidate.admission_number,
                    )
                )
            )
        if sum(task.weight for task in candidate.current_tasks) != 100:
            problems.append(
                str(_l("The task weights of %(n)s do not sum to 100", n=candidate.admission_number))
            )
    return problems


def publish(session: SkillSession, actor: User) -> None:
    """Open the session for marking, if nothing stands in the way."""
    _require_draft(session)
    problems = publication_problems(session)
    if problems:
        raise Conflict(_l("Cannot publish: %(problems)s", problems="；".join(problems)))
    session.status = SkillSessionStatus.PUBLISHED
    audit.record("skills.session_published", session, actor=actor)


# Marking ------------------------------------------------------------------------------------------


def is_member(panel: Panel | None, examiner: User) -> bool:
    return panel is not None and any(m.examiner_id == examiner.id for m in panel.members)


def marking_open(task: CandidateTask) -> bool:
    """Marks can change while the session runs, and for appeal re-markings after results."""
    status = task.candidate.session.status
    return task.status == TaskStatus.MARKING and (
        status == SkillSessionStatus.PUBLISHED
        or (status == SkillSessionStatus.RESULTS_PUBLISHED and task.round > 1)
    )


def sheet_for(task: CandidateTask, examiner: User) -> Mark | None:
    """The examiner's own marking sheet for the task, None until first saved."""
    if not is_member(task.panel, examiner):
        raise NotAllowed(_l("You are not on the panel for this candidate"))
    if task.candidate.session.status == SkillSessionStatus.DRAFT:
        raise NotAllowed(_l("The session is not open for marking"))
    return next((m for m in task.marks if m.examiner_id == examiner.id), None)


def blank_sheet(task: CandidateTask, examiner: User) -> Mark:
    """An empty sheet to show (not stored: opening a page changes nothing)."""
    return Mark(
        candidate_task_id=task.id,
        examiner_id=examiner.id,
        points={},
        critical=[],
        comment="",
        version=0,
    )


def sheet_version(task: CandidateTask, examiner: User) -> int:
    """The version a freshly loaded sheet carries: 0 before the first save."""
    mark = sheet_for(task, examiner)
    return mark.version if mark is not None else 0


@dataclass
class SheetInput:
    points: dict[str, float | None]
    critical: list[str]
    comment: str
    version: int
    submit: bool = False


def save_sheet(task: CandidateTask, examiner: User, data: SheetInput) -> Mark:
    """Save the examiner's sheet as they go; ``submit`` hands it in (then it can't change).

    A sheet saved from a page older than the stored one (another tab) is refused."""
    mark = sheet_for(task, examiner)
    if not marking_open(task):
        raise Conflict(_l("Marking of this task is closed"))
    if mark is not None and mark.submitted_at is not None:
        raise Conflict(_l("You have already submitted this sheet"))
    if data.version != (mark.version if mark is not None else 0):
        raise Conflict(
            _l(
                "This sheet was changed in another window or tab. Reload it to see the "
                "latest marks before changing them."
            )
        )
    criteria = {item["key"]: item for item in task.criteria}
    points: dict[str, float] = {}
    for key, value in data.points.items():
        if key not in criteria:
            raise DomainError(_l("Unknown criterion %(key)s", key=key))
        if value is None:
            continue
        if not 0 <= value <= criteria[key]["points"]:
            raise DomainError(
                _l(
                    "%(text)s: give 0 to %(max)s points",
                    text=criteria[key]["text"],
                    max=criteria[key]["points"],
                )
            )
        points[key] = float(value)
    known_errors = {item["key"] for item in task.critical_errors}
    if not set(data.critical) <= known_errors:
        raise DomainError(_l("Unknown critical error"))
    if data.submit and not data.critical and set(points) != set(criteria):
        raise DomainError(_l("Mark every criterion before submitting"))
    if mark is None:
        mark = Mark(task=task, examiner_id=examiner.id)
        db.session.add(mark)
    mark.points = points
    mark.critical = sorted(set(data.critical))
    mark.comment = data.comment.strip()
    complete = bool(data.critical) or set(points) == set(criteria)
    mark.total = rules.sheet_total(task.criteria, points, mark.critical) if complete else None
    if data.submit:
        mark.submitted_at = utcnow()
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):  # a newer save, or a first save from another tab
        raise Conflict(_l("This sheet was changed in another window or tab. Reload it.")) from None
    audit.record(
        "skills.mark_submitted" if data.submit else "skills.mark_saved",
        mark,
        actor=examiner,
        task=task.id,
        total=mark.total,
        critical=mark.critical,
    )
    if data.submit:
        _combine_if_complete(task)
    return mark


def all_submitted(task: CandidateTask) -> bool:
    members = {m.examiner_id for m in task.panel.members} if task.panel else set()
    submitted = {m.examiner_id for m in task.marks if m.submitted_at is not None}
    return bool(members) and members <= submitted


def submitted_totals(task: CandidateTask) -> list[float]:
    return [
        float(m.total) for m in task.marks if m.submitted_at is not None and m.total is not None
    ]


def spread(task: CandidateTask) -> float:
    totals = submitted_totals(task)
    return max(totals) - min(totals) if totals else 0.0


def consensus(task: CandidateTask) -> float:
    """The panel's marks combined by the session's rule (before any arbitration)."""
    return rules.combine(task.candidate.session.combine_rule, submitted_totals(task))


def _combine_if_complete(task: CandidateTask) -> None:
    if not all_submitted(task):
        return
    apart = spread(task)
    if apart > task.candidate.session.max_spread:
        task.status = TaskStatus.ARBITRATION
        audit.record("skills.arbitration_needed", task, spread=apart)
    else:
        task.status = TaskStatus.FINAL
        task.final_score = consensus(task)
        audit.record("skills.task_final", task, score=task.final_score)
    db.session.flush()
    update_skills_score(task.candidate)


def arbitrate(task: CandidateTask, chief: User, score: float, reason: str) -> None:
    """The chief examiner settles marks that differ too much, with a written reason."""
    if task.panel is None or task.panel.chief_id != chief.id:
        raise NotAllowed(_l("Only the panel's chief examiner can arbitrate"))
    if task.status != TaskStatus.ARBITRATION:
        raise Conflict(_l("This task does not need arbitration"))
    if not reason.strip():
        raise DomainError(_l("Write the reason for the arbitrated mark"))
    if not 0 <= score <= 100:
        raise DomainError(_l("The mark is out of 100"))
    task.status = TaskStatus.FINAL
    task.final_score = round(score, 2)
    task.arbitration_reason = reason.strip()
    task.arbitrated_by_id = chief.id
    db.session.flush()
    audit.record("skills.arbitrated", task, actor=chief, score=task.final_score, reason=reason)
    update_skills_score(task.candidate)


def update_skills_score(candidate: SkillCandidate) -> None:
    """The weighted skills score once every current task has its final mark."""
    tasks = candidate.current_tasks
    if tasks and all(task.status == TaskStatus.FINAL for task in tasks):
        score = sum(task.weight * float(task.final_score or 0) for task in tasks) / 100
        candidate.skills_score = round(score, 2)
        candidate.skills_passed = candidate.skills_score >= PASS_SCORE
    else:
        candidate.skills_score = None
        candidate.skills_passed = None
    db.session.flush()


# Results and appeals ------------------------------------------------------------------------------


def unfinished(session: SkillSession) -> int:
    return sum(
        1 for c in session.candidates for t in c.current_tasks if t.status != TaskStatus.FINAL
    )


def publish_results(session: SkillSession, actor: User) -> None:
    """Publish the results; marks lock from now on (except appeal re-markings)."""
    if session.status != SkillSessionStatus.PUBLISHED:
        raise Conflict(_l("Only a running session's results can be published"))
    left = unfinished(session)
    if left:
        raise Conflict(_l("%(n)d tasks still have no final mark", n=left))
    session.status = SkillSessionStatus.RESULTS_PUBLISHED
    audit.record("skills.results_published", session, actor=actor)


def open_appeal(task: CandidateTask, panel: Panel, reason: str, actor: User) -> CandidateTask:
    """Re-open one task of one candidate for re-marking by a different panel; the old marks stay."""
    candidate = task.candidate
    if candidate.session.status != SkillSessionStatus.RESULTS_PUBLISHED:
        raise Conflict(_l("Appeals are heard after the results are published"))
    if task.status != TaskStatus.FINAL:
        raise Conflict(_l("Only a task with a final mark can be appealed"))
    if not reason.strip():
        raise DomainError(_l("Write the reason for the appeal"))
    if panel.session_id != candidate.session_id:
        raise DomainError(_l("Choose a panel of this session"))
    earlier = {m.examiner_id for m in task.marks}
    if earlier & {m.examiner_id for m in panel.members} or panel_conflicts(panel, candidate.staff):
        raise Conflict(_l("The new panel must not include the earlier examiners or conflicts"))
    task.status = TaskStatus.SUPERSEDED
    again = CandidateTask(
        candidate=candidate,
        position=task.position,
        task_code=task.task_code,
        title=task.title,
        work_area=task.work_area,
        weight=task.weight,
        rubric=task.rubric,
        round=task.round + 1,
        panel_id=panel.id,
        appeal_reason=reason.strip(),
    )
    db.session.add(again)
    db.session.flush()
    audit.record("skills.appeal_opened", again, actor=actor, reason=reason, previous=task.id)
    update_skills_score(candidate)
    return again
