"""The demo's skill assessment: a level-5 session with three panels of three examiners who have
marked most candidates — one examiner a little lenient, one a little harsh — so that results,
arbitrations and the agreement report show real figures; the demo examiner still has sheets
to mark."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import func, select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.core.roles import Role
from lms.db import db
from lms.demo.exams import completed_level5
from lms.exams.models import Candidate
from lms.grading import marking, sessions, tasks
from lms.grading.models import CandidateTask, SkillSession
from lms.org.models import Staff

CANDIDATES = 30
#: Extra examiners (the demo "examiner" account chairs the first panel).
EXAMINER_NAMES = ["王建华", "李秀英", "张丽娟", "刘志强", "陈淑珍", "杨桂芳", "赵文静", "黄晓燕"]
#: Marking habit of each examiner, points added to what the performance deserves.
BIAS = [0.0, 1.0, -1.0, 8.0, 0.5, -0.5, -7.0, 0.0, 1.5]
#: Candidates of the demo examiner's panel left unmarked, so the demo has sheets to fill.
LEFT_TO_MARK = 2


def seed_skill_session(starts: datetime, password: str, seed: int) -> None:
    """Create the demo skill session once, with marks."""
    if db.session.scalar(select(SkillSession.id)) is not None:
        return
    admin = db.session.scalar(select(User).where(User.role == Role.CITY_ADMIN).order_by(User.id))
    demo_examiner = db.session.scalar(select(User).where(User.username == "examiner"))
    if admin is None or demo_examiner is None or len(tasks.task_pool(5)) < 4:
        return
    # Not the open theory exam's candidates: the results journey (lms demo seed --with-results)
    # enters these people for a theory sitting of their own. Half of a small demo's people.
    total = db.session.scalar(select(func.count()).select_from(completed_level5().subquery()))
    people = db.session.scalars(
        completed_level5()
        .where(Staff.id.not_in(select(Candidate.staff_id)))
        .order_by(Staff.id.desc())
        .limit(min(CANDIDATES, max(3, (total or 0) // 2)))
    ).all()
    if len(people) < 3:
        return
    examiners = [demo_examiner] + [
        _examiner(n, name, password) for n, name in enumerate(EXAMINER_NAMES, 2)
    ]
    session = sessions.create_session(
        sessions.SessionData(
            title="2026年第1期保育师五级技能考核", level=5, starts_at=starts, slot_minutes=40
        ),
        admin,
    )
    for number in range(3):
        panel = examiners[number * 3 : number * 3 + 3]
        sessions.add_panel(session, f"第{number + 1}考站", panel[0], panel)
    sessions.add_candidates(session, list(people))
    sessions.assign(session)
    sessions.publish(session, admin)
    _mark(session, examiners, random.Random(seed))


def _examiner(number: int, name: str, password: str) -> User:
    username = f"examiner{number}"
    existing = db.session.scalar(select(User).where(User.username == username))
    return existing or accounts.create_user(
        username=username,
        password=password,
        role=Role.EXAMINER,
        display_name=name,
        chosen_by_user=True,
    )


def _mark(session: SkillSession, examiners: list[User], rng: random.Random) -> None:
    bias = {user.id: BIAS[index] for index, user in enumerate(examiners)}
    first_panel = session.panels[0].id
    waiting = [c for c in session.candidates if c.panel_id == first_panel][-LEFT_TO_MARK:]
    for candidate in session.candidates:
        if candidate in waiting:
            continue
        ability = rng.gauss(76, 11)
        for task in candidate.tasks:
            deserved = ability + rng.gauss(0, 6)
            failed = rng.random() < 0.03
            for examiner in task.panel.examiners if task.panel else []:
                target = min(100.0, max(0.0, deserved + bias[examiner.id] + rng.gauss(0, 3)))
                data = marking.SheetInput(
                    points=_points_for(task, target),
                    critical=[task.critical_errors[0]["key"]]
                    if failed and task.critical_errors
                    else [],
                    comment="",
                    version=marking.sheet_version(task, examiner),
                    submit=True,
                )
                marking.save_sheet(task, examiner, data)
            if task.status.value == "arbitration" and task.panel is not None:
                marking.arbitrate(
                    task,
                    task.panel.chief,
                    marking.consensus(task),
                    "评分差距较大，考评组复看操作录像后以合议分为准",
                )


def _points_for(task: CandidateTask, total: float) -> dict[str, float | None]:
    """Points per criterion, each the same share of its maximum, in half points."""
    share = total / 100
    return {item["key"]: round(item["points"] * share * 2) / 2 for item in task.criteria}
