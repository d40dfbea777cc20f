"""``lms roster``: staff roster import from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms.core import audit
from lms.core.cli import fail
from lms.db import db
from lms.org import roster


@click.group("roster", help="Staff roster import.")
def roster_group() -> None:
    pass


@roster_group.command("import", help="Import a CSV (UTF-8/GBK) or XLSX roster, all or nothing.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_roster(file: Path, dry_run: bool) -> None:
    """One pass over the file: each chunk of rows is checked and written in one transaction,
    which is committed only if no row of the whole file had an error (and never on a dry run),
    so that a file of any size is imported all or nothing in bounded memory."""
    written = [0, 0, 0]

    def write(rows: list[roster.PlannedRow], errors_so_far: int) -> None:
        if dry_run or errors_so_far:
            return  # the transaction will be rolled back: writing more is wasted work
        result = roster.write_rows(rows)
        written[0] += result.created
        written[1] += result.updated
        written[2] += result.unchanged

    # A savepoint, so that what a failed or dry run wrote is undone and nothing else.
    savepoint = db.session.begin_nested()
    try:
        with file.open("rb") as stream:
            outcome = roster.check_file(
                stream,
                scope=None,
                sink=write,
                max_rows=current_app.config["ROSTER_MAX_ROWS"],
            )
    except roster.RosterFileError as error:
        savepoint.rollback()
        fail(f"{file.name}: {error.message}")
    if outcome.error_count:
        savepoint.rollback()
        more = outcome.error_count - len(outcome.errors)
        fail(
            _(
                "%(file)s: %(count)d errors, nothing was imported",
                file=file.name,
                count=outcome.error_count,
            ),
            *outcome.errors,
            *([_("… and %(count)d more errors", count=more)] if more > 0 else []),
        )
    counts = outcome.counts
    summary = (
        f"新增 {counts['new']} 人，更新 {counts['update']} 人，未变化 {counts['unchanged']} 人"
    )
    if dry_run:
        savepoint.rollback()
        click.echo(f"{file.name}: 检查通过（试运行，未写入）：{summary}")
        return
    savepoint.commit()
    audit.record(
        "roster.imported",
        filename=file.name,
        via="cli",
        created=written[0],
        updated=written[1],
        unchanged=written[2],
    )
    db.session.commit()
    click.echo(f"{file.name}: 导入完成：{summary}")
    db.session.remove()


@roster_group.command("template", help="Write an empty roster with the required header.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def write_template(file: Path) -> None:
    content = roster.template_xlsx() if file.suffix.lower() == ".xlsx" else roster.template_csv()
    file.write_bytes(content)
    click.echo(f"wrote {file}")
