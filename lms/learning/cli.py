"""``lms courses``: check and load the course content in courses/."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.config import PROJECT_ROOT
from lms.db import transaction
from lms.learning.content import load_content
from lms.learning.content_specs import Content
from lms.learning.sync import sync_content

COURSES_ROOT = PROJECT_ROOT / "courses"


@click.group("courses", help="Course content in courses/.")
def courses_group() -> None:
    pass


def _checked(root: Path) -> Content:
    content, problems = load_content(root)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} 个问题 ({len(problems)} problems)", err=True)
        sys.exit(1)
    return content


@courses_group.command("check", help="Validate every course file; errors as file:line: message.")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=COURSES_ROOT,
    show_default=True,
)
@with_appcontext
def check(root: Path) -> None:
    content = _checked(root)
    lessons = sum(len(course.lessons) for course in content.courses)
    questions = sum(len(course.questions) for course in content.courses)
    tasks = sum(len(course.tasks) for course in content.courses)
    click.echo(
        f"OK: {len(content.courses)} courses, {lessons} lessons, {questions} questions, "
        f"{tasks} practical tasks"
    )


@courses_group.command("sync", help="Load courses/ into the database (idempotent).")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=COURSES_ROOT,
    show_default=True,
)
@with_appcontext
def sync(root: Path) -> None:
    content = _checked(root)
    with transaction():
        report = sync_content(content)
    changes = ", ".join(f"{key}={value}" for key, value in sorted(report.items())) or "nothing"
    click.echo(f"synced: {changes}")
