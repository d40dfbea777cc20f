"""Drawing a candidate's practical tasks: stratified by work area after the level's plan.

With ``n`` tasks and a work area weighing ``w`` percent, the area gets ``floor(n·w/100)`` tasks,
and the slots left over go to areas drawn with a chance equal to their fractional part
(systematic sampling in a shuffled order), so each area's count is the floor or the ceiling of
its share and, on average, exactly its share. At least ``own_level`` tasks are of the
candidate's own level (a task's home level: the most elementary level it lists). Within an
area tasks are drawn uniformly. A set that another candidate of the session already has is
drawn again, and only when no other set is possible is a set given twice.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product
from math import ceil, floor
from typing import Protocol, TypeVar

#: A candidate performs this many tasks (the session chooses within).
TASKS_PER_CANDIDATE = range(4, 7)
#: Draws tried before looking through every possible set for one nobody has.
ATTEMPTS = 60
#: Sets looked through at most in that search.
SEARCH_LIMIT = 200_000


class TaskLike(Protocol):
    code: str
    levels: list[int]
    work_area: str


T = TypeVar("T", bound=TaskLike)


class PlanLike(Protocol):
    level: int
    weights: dict[str, int]
    own_level: int


class CannotDraw(Exception):
    """The pool cannot give a set that follows the plan; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def home_level(task: TaskLike) -> int:
    return max(task.levels)


@dataclass(frozen=True)
class Quotas:
    """Each area's certain tasks, and the areas that may get one more."""

    base: dict[str, int]
    fractions: dict[str, Fraction]
    extra: int


def quotas(weights: dict[str, int], n: int) -> Quotas:
    shares = {area: Fraction(n * weight, 100) for area, weight in weights.items()}
    base = {area: floor(share) for area, share in shares.items()}
    fractions = {area: share - base[area] for area, share in shares.items() if share > base[area]}
    return Quotas(base, fractions, n - sum(base.values()))


def allowed_counts(weights: dict[str, int], n: int) -> Iterator[dict[str, int]]:
    """Every count per area that follows the weights (each area its floor or ceiling)."""
    q = quotas(weights, n)
    for chosen in combinations(sorted(q.fractions), q.extra):
        yield {area: q.base[area] + (area in chosen) for area in q.base}


def draw_counts(weights: dict[str, int], n: int, rng: random.Random) -> dict[str, int]:
    q = quotas(weights, n)
    areas = sorted(q.fractions)
    rng.shuffle(areas)
    start = Fraction(rng.randrange(1_000_000), 1_000_000)
    counts = dict(q.base)
    low = Fraction(0)
    for area in areas:
        high = low + q.fractions[area]
        # the points start, start + 1, … (one per slot left over) fall in [0, extra)
        if start + ceil(low - start) < high:
            counts[area] += 1
        low = high
    return counts


def _by_area(pool: Sequence[T]) -> dict[str, list[T]]:
    areas: dict[str, list[T]] = {}
    for task in sorted(pool, key=lambda t: t.code):
        areas.setdefault(task.work_area, []).append(task)
    return areas


def feasible(plan: PlanLike, pool: Sequence[TaskLike], counts: dict[str, int]) -> bool:
    areas = _by_area(pool)
    if any(len(areas.get(area, [])) < k for area, k in counts.items()):
        return False
    own = sum(
        min(k, sum(home_level(t) == plan.level for t in areas.get(area, [])))
        for area, k in counts.items()
    )
    return own >= plan.own_level


def _pick(plan: PlanLike, pool: Sequence[T], counts: dict[str, int], rng: random.Random) -> list[T]:
    areas = _by_area(pool)
    slots = {area: k for area, k in counts.items() if k}
    chosen: list[T] = []
    for _ in range(plan.own_level):
        own = [
            t
            for area, k in slots.items()
            if k
            for t in areas[area]
            if home_level(t) == plan.level and t not in chosen
        ]
        task = rng.choice(own)
        chosen.append(task)
        slots[task.work_area] -= 1
    for area, k in slots.items():
        chosen.extend(rng.sample([t for t in areas[area] if t not in chosen], k))
    return sorted(chosen, key=lambda t: (list(counts).index(t.work_area), t.code))


def draw_once(plan: PlanLike, pool: Sequence[T], n: int, rng: random.Random) -> list[T]:
    """One set of ``n`` tasks that follows the plan."""
    for _ in range(ATTEMPTS):
        counts = draw_counts(plan.weights, n, rng)
        if feasible(plan, pool, counts):
            return _pick(plan, pool, counts, rng)
    if not any(feasible(plan, pool, c) for c in allowed_counts(plan.weights, n)):
        raise CannotDraw(f"level {plan.level}: no set of {n} tasks follows the plan")
    counts = rng.choice([c for c in allowed_counts(plan.weights, n) if feasible(plan, pool, c)])
    return _pick(plan, pool, counts, rng)


def _every_set(plan: PlanLike, pool: Sequence[TaskLike], n: int) -> Iterator[frozenset[str]]:
    areas = _by_area(pool)
    seen = 0
    for counts in allowed_counts(plan.weights, n):
        if not feasible(plan, pool, counts):
            continue
        parts = [combinations(areas.get(area, []), k) for area, k in counts.items() if k]
        for combo in product(*parts):
            tasks = [t for part in combo for t in part]
            if sum(home_level(t) == plan.level for t in tasks) >= plan.own_level:
                yield frozenset(t.code for t in tasks)
            seen += 1
            if seen >= SEARCH_LIMIT:
                return


def draw_set(
    plan: PlanLike,
    pool: Sequence[T],
    n: int,
    rng: random.Random,
    taken: Collection[frozenset[str]] = (),
) -> list[T]:
    """A set of ``n`` tasks that follows the plan and that no set in ``taken`` equals, unless
    the pool allows no other; raises CannotDraw when the pool cannot follow the plan."""
    first = draw_once(plan, pool, n, rng)
    if frozenset(t.code for t in first) not in taken:
        return first
    for _ in range(ATTEMPTS):
        tasks = draw_once(plan, pool, n, rng)
        if frozenset(t.code for t in tasks) not in taken:
            return tasks
    by_code = {t.code: t for t in pool}
    for codes in _every_set(plan, pool, n):
        if codes not in taken:
            order = list(plan.weights)
            return sorted(
                (by_code[c] for c in codes), key=lambda t: (order.index(t.work_area), t.code)
            )
    return first  # the pool forces a repeat
