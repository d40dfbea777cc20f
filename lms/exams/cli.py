"""``lms exams``: measures of the theory bank that need papers drawn."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from lms.content.courses import load_content
from lms.core.cli import CommandError, fail
from lms.db import db
from lms.exams.depth import MAX_OVERLAP
from lms.exams.draw import CellLike, Shortfall, draw


@click.group("exams", help="Theory exams: measures of the question bank.")
def exams_group() -> None:
    pass


@dataclass(frozen=True)
class BankQuestion:
    """What the draw reads of a question, from courses/ or from the bank."""

    id: Any
    level: int
    type: str
    work_area: str
    difficulty: str
    options: dict[str, str]


@dataclass(frozen=True)
class Overlap:
    papers: int
    length: int
    mean: float
    max: float


def paper_overlap(
    level: int, cells: Sequence[CellLike], questions: Sequence[Any], papers: int, seed: int = 0
) -> Overlap:
    """Draw ``papers`` papers with the draw candidates get (``draw.draw``, each with its own
    seed) and measure the share of questions two of them have in common, over every pair."""
    seeds = random.Random(seed)  # noqa: S311 (a measure, not a secret)
    drawn = [
        frozenset(
            item.question_id for item in draw(level, cells, questions, seeds.randrange(2**31))
        )
        for _ in range(papers)
    ]
    length = max((len(paper) for paper in drawn), default=0)
    shares = [len(a & b) / length for a, b in combinations(drawn, 2)] if length else []
    return Overlap(
        papers=papers,
        length=length,
        mean=sum(shares) / len(shares) if shares else 0.0,
        max=max(shares, default=0.0),
    )


def _from_files(
    level: int, key: str | None, root: Path | None
) -> tuple[str, Sequence[CellLike], list[BankQuestion]]:
    content, problems = load_content(root or Path(current_app.config["COURSES_ROOT"]))
    if problems:
        fail(_("%(count)d problems in the course files", count=len(problems)), *problems)
    blueprints = [b for b in content.blueprints if b.level == level and key in (None, b.key)]
    questions = [
        BankQuestion(q.key, q.level, q.type, q.work_area, q.difficulty, q.options)
        for q in content.questions
        if q.level == level
    ]
    blueprint = _one(blueprints, level)
    return blueprint.key, blueprint.cells, questions


def _from_database(
    level: int, key: str | None, _root: Path | None
) -> tuple[str, Sequence[CellLike], list[BankQuestion]]:
    from lms.exams.models import Blueprint, Question

    query = select(Blueprint).where(Blueprint.level == level, Blueprint.is_active.is_(True))
    if key:
        query = query.where(Blueprint.key == key)
    blueprint = _one(list(db.session.scalars(query.order_by(Blueprint.key))), level)
    rows = db.session.scalars(
        select(Question).where(Question.level == level, Question.retired_at.is_(None))
    )
    questions = [
        BankQuestion(q.id, q.level, q.type, q.work_area, q.difficulty, q.options or {})
        for q in rows
    ]
    return blueprint.key, list(blueprint.cells), questions


def _one(blueprints: list[Any], level: int) -> Any:
    if not blueprints:
        raise CommandError(_("No blueprint for level %(level)d", level=level))
    if len(blueprints) > 1:
        raise CommandError(
            _(
                "Level %(level)d has several blueprints (%(keys)s); choose one with --blueprint",
                level=level,
                keys=", ".join(b.key for b in blueprints),
            )
        )
    return blueprints[0]


@exams_group.command(
    "overlap", help="Draw papers of a level and print the share of questions two papers share."
)
@click.option("--level", type=click.IntRange(1, 5), required=True)
@click.option("--papers", type=click.IntRange(2, 2000), default=200, show_default=True)
@click.option("--blueprint", "key", help="Blueprint key (when the level has several).")
@click.option(
    "--database",
    is_flag=True,
    help="Draw from the bank in the database instead of the files in courses/.",
)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Content folder (default: LMS_COURSES_ROOT or courses/).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the papers' seeds.")
@with_appcontext
def overlap(
    level: int, papers: int, key: str | None, database: bool, root: Path | None, seed: int
) -> None:
    name, cells, questions = (_from_database if database else _from_files)(level, key, root)
    try:
        measured = paper_overlap(level, cells, questions, papers, seed)
    except Shortfall as shortfall:
        fail(_("The bank cannot fill the blueprint"), *shortfall.problems)
    click.echo(
        _(
            "level %(level)d (%(key)s): %(papers)d papers of %(n)d questions from %(pool)d; "
            "two papers share %(mean).1f%% of their questions on average, %(max).1f%% at most "
            "(target at most %(target).0f%%)",
            level=level,
            key=name,
            papers=measured.papers,
            n=measured.length,
            pool=len(questions),
            mean=measured.mean * 100,
            max=measured.max * 100,
            target=MAX_OVERLAP * 100,
        )
    )
    if measured.mean > MAX_OVERLAP:
        raise CommandError(
            _(
                "The mean overlap %(mean).1f%% is above %(target).0f%%",
                mean=measured.mean * 100,
                target=MAX_OVERLAP * 100,
            )
        )


@exams_group.command(
    "media-to-store",
    help="Move question media kept in the database (imported before migration 0024) into the "
    "media store.",
)
@with_appcontext
def media_to_store() -> None:
    from lms.exams import media

    moved = media.move_to_store()
    db.session.commit()
    click.echo(_("%(n)d question media files moved into the media store", n=moved))
