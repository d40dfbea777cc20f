"""How deep the bank is for each blueprint cell, measured the way ``draw.allocate`` draws.

A cell's pool is every question of the paper's level that the cell may take. Cells overlap: a
true/false cell without a difficulty takes from the same questions as the true/false cells that
name one, and is filled after them (``draw.fill_order``). So a cell's *draws* are the questions
that a paper takes from the cell's pool on average, by whichever cell: the draws of every cell
are followed, in the draw's order, over groups of questions alike in type, work area and
difficulty (each cell takes from its groups in proportion to what they have left, as a uniform
sample does). The ratio pool ÷ draws is the inverse of the chance that a given question of the
pool is on a paper, which is about the share of those questions two papers have in common.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from lms.exams.draw import CellLike, PoolEntry, fill_order, matches

#: A cell's pool must hold at least this many times what a paper draws from it.
MIN_RATIO = 3.0
#: Two candidates' papers share at most this share of their questions on average.
MAX_OVERLAP = 0.35

#: (type, work area, difficulty): questions alike for every cell.
Group = tuple[str, str, str]


@dataclass(frozen=True)
class CellDepth:
    number: int  # 1-based, in the blueprint's order
    cell: CellLike
    pool: int
    draws: float

    @property
    def ratio(self) -> float:
        return self.pool / self.draws if self.draws else float("inf")

    @property
    def deep_enough(self) -> bool:
        return self.ratio >= MIN_RATIO - 1e-9


@dataclass(frozen=True)
class PaperDepth:
    cells: list[CellDepth]
    #: Questions on a paper, and questions of the level the paper may take.
    length: int
    pool: int
    #: The share of their questions two papers are expected to have in common.
    expected_overlap: float


def _groups(level: int, pool: Sequence[PoolEntry]) -> Counter[Group]:
    return Counter(
        (kind, area, difficulty) for _key, lv, kind, area, difficulty in pool if lv == level
    )


def _in_cell(group: Group, level: int, cell: CellLike) -> bool:
    return matches((None, level, *group), level, cell)


def paper_depth(level: int, cells: Sequence[CellLike], pool: Sequence[PoolEntry]) -> PaperDepth:
    """Pool, expected draws and ratio of every cell of a level-``level`` blueprint."""
    sizes = _groups(level, pool)
    left = {group: float(size) for group, size in sizes.items()}
    taken = dict.fromkeys(sizes, 0.0)
    for index in fill_order(cells):
        cell = cells[index]
        mine = [group for group in sizes if _in_cell(group, level, cell)]
        available = sum(left[group] for group in mine)
        if available <= 0:
            continue
        share = min(cell.count, available) / available
        for group in mine:
            took = left[group] * share
            taken[group] += took
            left[group] -= took
    depths = []
    for number, cell in enumerate(cells, start=1):
        mine = [group for group in sizes if _in_cell(group, level, cell)]
        depths.append(
            CellDepth(number, cell, sum(sizes[g] for g in mine), sum(taken[g] for g in mine))
        )
    length = sum(cell.count for cell in cells)
    # Two papers share a question with probability p² where p = taken / size of its group.
    shared = sum(taken[g] ** 2 / sizes[g] for g in sizes if sizes[g])
    in_reach = {g for g in sizes if any(_in_cell(g, level, cell) for cell in cells)}
    return PaperDepth(
        cells=depths,
        length=length,
        pool=sum(sizes[g] for g in in_reach),
        expected_overlap=shared / length if length else 0.0,
    )
