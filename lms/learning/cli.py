"""``lms courses``: check and load the course content in courses/."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms.content import kinds
from lms.content.courses import load_content
from lms.content.specs import Content
from lms.content.sync import sync_content
from lms.core.cli import fail
from lms.db import transaction


@click.group("courses", help="Course content in courses/.")
def courses_group() -> None:
    pass


def _checked(root: Path) -> Content:
    content, problems = load_content(root)
    if problems:
        fail(_("%(count)d problems in the course files", count=len(problems)), *problems)
    return content


@courses_group.command("check", help="Validate every course file; errors as file:line: message.")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Content folder (default: LMS_COURSES_ROOT or courses/).",
)
@with_appcontext
def check(root: Path | None) -> None:
    content = _checked(root or Path(current_app.config["COURSES_ROOT"]))
    lessons = sum(len(course.lessons) for course in content.courses)
    questions = sum(len(course.questions) for course in content.courses)
    tasks = sum(len(course.tasks) for course in content.courses)
    click.echo(
        f"OK: {len(content.courses)} courses, {lessons} lessons, {questions} questions, "
        f"{tasks} practical tasks"
    )
    failures = 0
    for kind in kinds.require_all():
        for report in kind.report(content) if kind.report else []:
            click.echo(f"\n{report.title}")
            for passed, line in report.entries:
                click.echo(f"  {'OK  ' if passed else 'FAIL'}  {line}")
            failures += len(report.failures)
    if failures:
        fail(_("%(count)d checks of the course content failed", count=failures))


@courses_group.command("sync", help="Load courses/ into the database (idempotent).")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Content folder (default: LMS_COURSES_ROOT or courses/).",
)
@with_appcontext
def sync(root: Path | None) -> None:
    content = _checked(root or Path(current_app.config["COURSES_ROOT"]))
    with transaction():
        report = sync_content(content)
    changes = ", ".join(f"{key}={value}" for key, value in sorted(report.items())) or "nothing"
    click.echo(f"synced: {changes}")
