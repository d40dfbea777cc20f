"""``lms courses``: check and load the course content in courses/."""

from __future__ import annotations

import time
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
    from lms.authoring import stale

    with transaction():
        browser_only = stale.unexported()
        report = sync_content(content)
        # Browser work the sync would lose: items not exported yet are kept, drafts it
        # overtook are kept and now based on an older version (lms.authoring.stale).
        overtaken = stale.keep_unexported(browser_only, report) + stale.after_sync()
    changes = (
        ", ".join(f"{key}={value}" for key, value in sorted(report.items()) if value) or "nothing"
    )
    click.echo(f"synced: {changes}")
    for line in overtaken:
        click.echo(_("Browser work: %(line)s", line=line))
    from lms.content import renditions

    with transaction():
        asked = [renditions.request(row) for row in renditions.missing()]
    if any(asked):
        click.echo(f"lighter video renditions: {len(asked)} being made in the background")


@courses_group.command(
    "export", help="Write the live (published) content to DIR in the courses/ layout."
)
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export(target: Path) -> None:
    from lms.authoring.export import export_tree

    written = export_tree(target)
    if not written:
        fail(_("Nothing to export: load courses/ first (lms courses sync)"))
    click.echo(f"exported: {len(written)} files to {target}")


@courses_group.group("media", help="Media files of the courses.")
def media_group() -> None:
    pass


@media_group.command("build", help="Draw the demonstration video (七步洗手法) with ffmpeg.")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Content folder (default: LMS_COURSES_ROOT or courses/).",
)
@click.option("--force", is_flag=True, help="Draw again even if the files are up to date.")
@with_appcontext
def build_media(root: Path | None, force: bool) -> None:
    from lms.content import demo_video

    started = time.monotonic()
    made = demo_video.build(root or Path(current_app.config["COURSES_ROOT"]), force=force)
    for path in made.values():
        click.echo(f"{path}  {path.stat().st_size} bytes")
    click.echo(f"({time.monotonic() - started:.1f} s)")


@media_group.command(
    "renditions",
    help="Make the missing H.264 copies and lighter video renditions now, in this process.",
)
@with_appcontext
def make_renditions() -> None:
    from lms.content import renditions

    with transaction():
        videos = renditions.missing()
        for row in videos:
            started = time.monotonic()
            if row.variant == "source":  # phones cannot play it: its H.264 copy first
                playable = renditions.make_playable(row)
                click.echo(f"{row.original_name}: H.264 copy, {playable.size} bytes")
            low = renditions.make_rendition(row)
            click.echo(
                f"{row.original_name}: {row.size} → {low.size} bytes, "
                f"{(low.bitrate or 0) // 1000} kbit/s, {low.width}×{low.height}, "
                f"{time.monotonic() - started:.1f} s"
            )
    if not videos:
        click.echo("every video has its lighter rendition")
