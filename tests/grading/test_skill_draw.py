"""A candidate's practical tasks are drawn after the level's skill plan: stratified by work
area, at least one task of the candidate's own level, and no two candidates of a session with
the same set unless the pool forces it."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from math import ceil, floor

import pytest

from lms.grading import sessions, skill_draw
from lms.grading.tasks import skill_plan, task_pool
from tests.grading.factories import load_practical_tasks, make_skill_session


@dataclass
class Task:
    code: str
    levels: list[int]
    work_area: str


@dataclass
class Plan:
    level: int
    weights: dict[str, int]
    own_level: int = 1
    extra: dict = field(default_factory=dict)


def follows(plan, tasks, n: int) -> bool:
    counts = Counter(task.work_area for task in tasks)
    return len(tasks) == n and all(
        floor(n * w / 100) <= counts[area] <= ceil(n * w / 100) for area, w in plan.weights.items()
    )


@pytest.mark.content
def test_a_thousand_level_3_sets_hold_a_level_3_task_and_follow_the_weights(app):
    """The shipped pool and plan, drawn as sessions draw (skill_draw.draw_set)."""
    load_practical_tasks()
    plan, pool = skill_plan(3), task_pool(3)
    assert plan is not None
    for n in (4, 6):
        per_area: Counter[str] = Counter()
        rng = random.Random(n)
        for _ in range(1000):
            drawn = skill_draw.draw_set(plan, pool, n, rng)
            assert any(task.levels == [3] or max(task.levels) == 3 for task in drawn)
            assert follows(plan, drawn, n), [t.code for t in drawn]
            assert len({t.code for t in drawn}) == n
            per_area.update(task.work_area for task in drawn)
        for area, weight in plan.weights.items():  # on average, each area its share
            assert abs(per_area[area] / 1000 - n * weight / 100) < 0.1, (area, per_area)


def test_plain_sampling_would_miss_the_level_most_of_the_time():
    """Two level-3 tasks among twelve: a plain sample of 4 misses them 42% of the time; the
    plan's draw never does."""
    pool = [Task(f"easy-{i}", [5, 4, 3], "daily_care") for i in range(10)] + [
        Task("l3-a", [3], "safety_health"),
        Task("l3-b", [3], "safety_health"),
    ]
    plan = Plan(3, {"daily_care": 70, "safety_health": 30})
    rng = random.Random(1)
    plain = sum(not any(t.levels == [3] for t in rng.sample(pool, 4)) for _ in range(1000))
    assert plain > 300
    for _ in range(1000):
        assert any(t.levels == [3] for t in skill_draw.draw_set(plan, pool, 4, rng))


def test_the_own_level_task_can_come_from_any_area_the_counts_allow():
    pool = (
        [Task(f"care-{i}", [5, 4], "daily_care") for i in range(6)]
        + [Task(f"safe-{i}", [5, 4], "safety_health") for i in range(3)]
        + [Task("l4-env", [4], "environment")]
    )
    # environment weighs 10%: with 4 tasks it is drawn 40% of the time; the draw keeps
    # only counts that can hold the level's task.
    plan = Plan(4, {"daily_care": 60, "safety_health": 30, "environment": 10})
    rng = random.Random(2)
    for _ in range(200):
        drawn = skill_draw.draw_set(plan, pool, 4, rng)
        assert "l4-env" in {t.code for t in drawn}


def test_sets_differ_until_the_pool_runs_out_of_sets():
    pool = [Task(f"t-{i}", [5], "daily_care") for i in range(5)]  # C(5, 4) = 5 sets
    plan = Plan(5, {"daily_care": 100})
    rng = random.Random(3)
    taken: list[frozenset[str]] = []
    for _ in range(5):
        drawn = frozenset(t.code for t in skill_draw.draw_set(plan, pool, 4, rng, taken))
        assert drawn not in taken
        taken.append(drawn)
    # A sixth candidate: every set is given; the pool forces a repeat rather than failing.
    sixth = frozenset(t.code for t in skill_draw.draw_set(plan, pool, 4, rng, taken))
    assert sixth in taken


def test_a_plan_the_pool_cannot_follow_is_refused():
    pool = [Task(f"t-{i}", [5], "daily_care") for i in range(4)]
    plan = Plan(5, {"daily_care": 50, "co_parenting": 50})
    with pytest.raises(skill_draw.CannotDraw):
        skill_draw.draw_set(plan, pool, 4, random.Random(0))


def test_quotas_give_each_area_its_share_on_average():
    weights = {"daily_care": 40, "safety_health": 30, "environment": 10, "co_parenting": 20}
    rng = random.Random(4)
    totals: Counter[str] = Counter()
    for _ in range(4000):
        counts = skill_draw.draw_counts(weights, 6, rng)
        assert sum(counts.values()) == 6
        assert all(floor(6 * w / 100) <= counts[a] <= ceil(6 * w / 100) for a, w in weights.items())
        totals.update(counts)
    for area, weight in weights.items():
        assert abs(totals[area] / 4000 - 6 * weight / 100) < 0.05


def test_two_candidates_of_one_station_get_different_sets(app):
    session = make_skill_session(candidates=8, level=5, publish=False)
    sets = [frozenset(t.task_code for t in c.current_tasks) for c in session.candidates]
    assert len(set(sets)) == len(sets)
    plan = skill_plan(5)
    for candidate in session.candidates:
        drawn = [t for t in task_pool(5) if t.code in {c.task_code for c in candidate.tasks}]
        assert follows(plan, drawn, session.tasks_per_candidate)
    by_station = Counter(c.panel_id for c in session.candidates)
    assert by_station and all(n >= 2 for n in by_station.values())


def test_a_level_3_session_gives_every_candidate_a_level_3_task(app):
    session = make_skill_session(candidates=6, level=3, publish=False)
    own = {t.code for t in task_pool(3) if t.home_level == 3}
    for candidate in session.candidates:
        assert own & {t.task_code for t in candidate.tasks}


def test_a_session_is_refused_when_the_level_has_no_plan(app):
    from datetime import timedelta

    from lms.core.errors import DomainError
    from lms.core.roles import Role
    from lms.db import db, utcnow
    from lms.grading.models import SkillPlan
    from tests.factories import make_user

    load_practical_tasks()
    skill_plan(4).retired_at = utcnow()
    db.session.flush()
    with pytest.raises(DomainError, match="4"):
        sessions.create_session(
            sessions.SessionData(title="无方案", level=4, starts_at=utcnow() + timedelta(days=1)),
            make_user(Role.CITY_ADMIN),
        )
    assert db.session.get(SkillPlan, skill_plan(5).id) is not None


def test_a_repeat_the_pool_forces_goes_to_another_station(app):
    """Five daily-care tasks and 4 per candidate: five sets for six candidates. The one set
    given twice is marked at two different stations."""
    from datetime import timedelta

    from lms.core.roles import Role
    from lms.db import db, utcnow
    from tests.exams.factories import eligible_trainee
    from tests.factories import make_user
    from tests.grading.factories import make_examiner

    load_practical_tasks()
    keep = {"hand-washing", "diaper-change", "dressing", "formula-prep", "temperature"}
    for task in task_pool(5):
        if task.code not in keep:
            task.retired_at = utcnow()
        else:
            task.work_area = "daily_care"
    skill_plan(5).weights = {"daily_care": 100}
    db.session.flush()
    session = sessions.create_session(
        sessions.SessionData(title="小题库", level=5, starts_at=utcnow() + timedelta(days=1)),
        make_user(Role.CITY_ADMIN),
    )
    for number in (1, 2):
        members = [make_examiner() for _ in range(3)]
        sessions.add_panel(session, f"第{number}考站", members[0], members)
    sessions.add_candidates(session, [eligible_trainee(5) for _ in range(6)])
    assert sessions.assign(session) == []
    sets = [frozenset(t.task_code for t in c.current_tasks) for c in session.candidates]
    assert len(set(sets)) == 5
    (twice,) = [s for s in set(sets) if sets.count(s) == 2]
    stations = {c.panel_id for c, s in zip(session.candidates, sets, strict=True) if s == twice}
    assert len(stations) == 2
