"""Drawing a paper from the bank according to a blueprint.

Cells naming a work area and a difficulty are filled first, then the ones that leave either open,
so an open cell cannot take the questions a specific one needs. The same seed and bank give the
same paper; question order (within each type) and option order are shuffled per candidate.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l

from lms.exams import question_types

#: Papers group questions by type, in this order, as Chinese theory papers do.
TYPE_ORDER = ("single", "multiple", "truefalse", "short")


class CellLike(Protocol):
    question_type: str
    work_area: str | None
    difficulty: str | None
    count: int
    points: float


#: (key, level, type, work area, difficulty) — enough to allocate without loading texts.
PoolEntry = tuple[Any, int, str, str, str]


class Shortfall(Exception):
    """The bank cannot fill the blueprint; ``problems`` names each short cell."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _specificity(cell: CellLike) -> int:
    return (cell.work_area is not None) + (cell.difficulty is not None)


def fill_order(cells: Sequence[CellLike]) -> list[int]:
    """The order in which ``allocate`` fills the cells (indexes): the most specific first."""
    return sorted(range(len(cells)), key=lambda i: (-_specificity(cells[i]), i))


def matches(entry: PoolEntry, level: int, cell: CellLike) -> bool:
    """Whether a bank entry can be drawn for ``cell`` of a level-``level`` paper."""
    _key, entry_level, kind, area, difficulty = entry
    return (
        entry_level == level
        and kind == cell.question_type
        and (cell.work_area is None or cell.work_area == area)
        and (cell.difficulty is None or cell.difficulty == difficulty)
    )


def _describe(number: int, cell: CellLike, need: int, have: int) -> str:
    any_label = str(_l("any"))
    return str(
        _l(
            "cell %(n)d (%(type)s · %(area)s · %(difficulty)s) needs %(need)d questions; "
            "the bank has %(have)d",
            n=number,
            type=question_types.get(cell.question_type).label
            if cell.question_type in question_types.REGISTRY
            else cell.question_type,
            area=cell.work_area or any_label,
            difficulty=cell.difficulty or any_label,
            need=need,
            have=have,
        )
    )


def allocate(
    level: int, cells: Sequence[CellLike], pool: Sequence[PoolEntry], rng: random.Random | None
) -> list[list[Any]]:
    """Keys chosen for each cell (in the cells' order); raises Shortfall listing short cells."""
    chosen: list[list[Any]] = [[] for _ in cells]
    used: set[Any] = set()
    problems = []
    for index in fill_order(cells):
        cell = cells[index]
        candidates = [e[0] for e in pool if e[0] not in used and matches(e, level, cell)]
        if len(candidates) < cell.count:
            problems.append((index, _describe(index + 1, cell, cell.count, len(candidates))))
            continue
        picked = rng.sample(candidates, cell.count) if rng else candidates[: cell.count]
        chosen[index] = picked
        used.update(picked)
    if problems:
        raise Shortfall([message for _, message in sorted(problems)])
    return chosen


def shortfalls(level: int, cells: Sequence[CellLike], pool: Sequence[PoolEntry]) -> list[str]:
    try:
        allocate(level, cells, pool, rng=None)
    except Shortfall as shortfall:
        return shortfall.problems
    return []


@dataclass(frozen=True)
class DrawnItem:
    question_id: int
    points: float
    option_order: list[str]


def draw(
    level: int,
    cells: Sequence[CellLike],
    questions: Sequence[Any],
    seed: int,
) -> list[DrawnItem]:
    """A paper for one candidate. ``questions`` are bank rows (id, level, type, work_area,
    difficulty, options)."""
    rng = random.Random(seed)  # noqa: S311 (reproducible draw; the seed itself is secret)
    by_id = {question.id: question for question in questions}
    pool = [(q.id, q.level, q.type, q.work_area, q.difficulty) for q in questions]
    chosen = allocate(level, cells, pool, rng)
    items = [
        (question_id, cell.points)
        for cell, ids in zip(cells, chosen, strict=True)
        for question_id in ids
    ]
    rng.shuffle(items)
    items.sort(
        key=lambda item: (
            TYPE_ORDER.index(by_id[item[0]].type)
            if by_id[item[0]].type in TYPE_ORDER
            else len(TYPE_ORDER)
        )
    )
    paper = []
    for question_id, points in items:
        question = by_id[question_id]
        options = shuffled_options(
            list(question.options or {}), getattr(question, "fixed_options", None) or [], rng
        )
        paper.append(DrawnItem(question_id, float(points), options))
    return paper


def shuffled_options(keys: list[str], fixed: Sequence[str], rng: random.Random) -> list[str]:
    """The options in a candidate's order: fixed ones (QTI fixed="true", or all of an item that
    must not be shuffled) stay where they are, the others are shuffled among the remaining
    places. Without fixed options this is one ``rng.shuffle``, as papers were always drawn."""
    moving = [key for key in keys if key not in fixed]
    rng.shuffle(moving)
    order = iter(moving)
    return [key if key in fixed else next(order) for key in keys]
