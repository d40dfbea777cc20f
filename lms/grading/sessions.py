"""Skill sessions: creating them, their examiner panels and candidates, the draw of each
candidate's tasks, conflict-free assignment to panels, publication, and publishing the
results. Services flush, never commit."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.accounts.models import User
from lms.core import audit
from lms.core.errors import Conflict, DomainError
from lms.core.roles import Role
from lms.db import db
from lms.grading import retakes, rules, skill_draw
from lms.grading.models import (
    CandidateTask,
    Panel,
    PanelMember,
    PracticalTask,
    SkillCandidate,
    SkillPlan,
    SkillSession,
    SkillSessionStatus,
    TaskStatus,
)
from lms.grading.panels import capacity, panel_conflicts
from lms.grading.tasks import skill_plan, task_pool
from lms.learning.study import eligible_levels
from lms.org.models import Staff

#: A panel has an odd number of examiners, at least this many.
MIN_PANEL = 3


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
    if data.tasks_per_candidate not in skill_draw.TASKS_PER_CANDIDATE:
        raise DomainError(_l("A candidate performs 4 to 6 tasks"))
    _plan_and_pool(data.level, data.tasks_per_candidate)
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


def require_draft(session: SkillSession) -> None:
    if session.status != SkillSessionStatus.DRAFT:
        raise Conflict(_l("The session is published; it can no longer be changed"))


def add_panel(session: SkillSession, name: str, chief: User, members: list[User]) -> Panel:
    """Add an examiner panel; the chief examiner is one of its members."""
    require_draft(session)
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
    require_draft(session)
    refused = [person.name for person in people if session.level not in eligible_levels(person.id)]
    if refused:
        raise DomainError(_l("Not eligible for this session: %(names)s", names="、".join(refused)))
    retakes.refuse_entries(people, session.level, "skills", session.starts_at)
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


def _plan_and_pool(level: int, tasks: int) -> tuple[SkillPlan, list[PracticalTask]]:
    """The level's skill plan and task pool, refused when a set of ``tasks`` tasks cannot be
    drawn after the plan."""
    plan = skill_plan(level)
    if plan is None:
        raise DomainError(
            _l("Level %(level)s has no skill plan; run lms courses sync", level=level)
        )
    pool = task_pool(level)
    if not any(
        skill_draw.feasible(plan, pool, counts)
        for counts in skill_draw.allowed_counts(plan.weights, tasks)
    ):
        raise DomainError(
            _l(
                "Level %(level)s has only %(n)s practical tasks in the pool",
                level=level,
                n=len(pool),
            )
        )
    return plan, pool


def _drawn_rubric(task: PracticalTask) -> dict[str, Any]:
    """The rubric as drawn, with the task card the examiner reads to the candidate (the
    situation, the time, the materials), so both stay what the candidate was given."""
    rubric = copy.deepcopy(task.rubric)
    rubric["card"] = {
        "scenario": task.scenario,
        "duration_minutes": task.duration_minutes,
        "materials": list(task.materials),
    }
    return rubric


def draw_tasks(candidate: SkillCandidate, session: SkillSession) -> None:
    """Draw the candidate's tasks from the pool after the level's skill plan (stratified by
    work area, with a task of the candidate's own level), reproducibly (seeded by session and
    person), and unlike every other candidate's set in the session unless the pool forces it."""
    plan, pool = _plan_and_pool(session.level, session.tasks_per_candidate)
    # Reproducible for the server, unpredictable without its secret key.
    seed = f"skills:{current_app.secret_key!r}:{session.id}:{candidate.staff_id}"
    chooser = random.Random(seed)  # noqa: S311 (a reproducible draw, not a secret)
    taken = {
        frozenset(task.task_code for task in other.current_tasks)
        for other in session.candidates
        if other is not candidate
    }
    chosen = skill_draw.draw_set(plan, pool, session.tasks_per_candidate, chooser, taken)
    weights = rules.equal_weights(len(chosen))
    candidate.tasks = [
        CandidateTask(
            position=position,
            task_code=task.code,
            title=task.title,
            work_area=task.work_area,
            weight=weight,
            rubric=_drawn_rubric(task),
        )
        for position, (task, weight) in enumerate(zip(chosen, weights, strict=True), start=1)
    ]


def assign(session: SkillSession) -> list[str]:
    """Send each candidate to a panel with no conflict of interest, filling panels evenly, and
    give them time slots; returns the admission numbers that no panel could take. When the
    pool forced two candidates onto one set of tasks, they go to different panels if a panel
    can take them."""
    require_draft(session)
    load = {panel.id: 0 for panel in session.panels}
    sets: dict[int, set[frozenset[str]]] = {panel.id: set() for panel in session.panels}
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
        drawn = frozenset(task.task_code for task in candidate.current_tasks)
        panel = min(
            options,
            key=lambda option: (
                drawn in sets[option.id],
                load[option.id] / capacity(option),
                option.name,
            ),
        )
        sets[panel.id].add(drawn)
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
    require_draft(session)
    problems = publication_problems(session)
    if problems:
        raise Conflict(_l("Cannot publish: %(problems)s", problems="；".join(problems)))
    session.status = SkillSessionStatus.PUBLISHED
    audit.record("skills.session_published", session, actor=actor)


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
